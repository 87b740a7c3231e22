import { runInNewContext } from 'node:vm';
import { errorMessage } from '../src/index.js';

describe('errorMessage', () => {
  it('gives the message of errors of this realm and of another one, and the text of anything else', () => {
    expect(errorMessage(new TypeError('bad'))).toBe('bad');
    const foreign = runInNewContext('new Error("no such table: x")') as unknown;
    expect(foreign instanceof Error).toBe(false);
    expect(errorMessage(foreign)).toBe('no such table: x');
    expect(errorMessage('plain')).toBe('plain');
    expect(errorMessage(undefined)).toBe('undefined');
    expect(errorMessage({ message: 42 })).toBe('[object Object]');
  });
});
