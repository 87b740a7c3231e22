import { CodecError, type CodecErrorCode } from '../src/index.js';

/** Runs `fn`, asserting it throws a CodecError with `code`; returns the error for further checks. */
export function expectCodecError(fn: () => unknown, code: CodecErrorCode): CodecError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CodecError);
    expect((error as CodecError).code).toBe(code);
    expect((error as CodecError).message.length).toBeGreaterThan(0);
    return error as CodecError;
  }
  throw new Error(`expected a CodecError ${code}, but nothing was thrown`);
}

export const utf8Hex = (text: string): string => Buffer.from(text, 'utf8').toString('hex');
