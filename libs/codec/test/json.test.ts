import { parseJson, stringifyJson } from '../src/index.js';
import { expectCodecError } from './helpers.js';

describe('stringifyJson (serde_json compact form)', () => {
  it('writes compact JSON in insertion order', () => {
    expect(stringifyJson({ b: 1, a: [true, null, 'x'], c: {} })).toBe('{"b":1,"a":[true,null,"x"],"c":{}}');
  });

  it('writes byte arrays as arrays of numbers and bigints as integers', () => {
    expect(stringifyJson({ key: new Uint8Array([0, 255]), stake: 18446744073709551615n })).toBe('{"key":[0,255],"stake":18446744073709551615}');
  });

  it('escapes strings like serde_json', () => {
    expect(stringifyJson('"\\\n\r\t\b\f\u0001\u001f\u007f/é😀')).toBe('"\\"\\\\\\n\\r\\t\\b\\f\\u0001\\u001f\u007f/é😀"');
  });

  it('skips undefined object fields, like skip_serializing_if = "Option::is_none"', () => {
    expect(stringifyJson({ a: undefined, b: null })).toBe('{"b":null}');
  });

  it('writes -0 as 0 and fractions in shortest form', () => {
    expect(stringifyJson([-0, 0.5, 1e-7, 123])).toBe('[0,0.5,1e-7,123]');
  });

  it('refuses values serde could not have produced', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    for (const bad of [
      undefined,
      () => 1,
      Symbol('s'),
      NaN,
      Infinity,
      2 ** 60,
      [undefined],
      // eslint-disable-next-line no-sparse-arrays -- the hole is the case under test
      [1, , 3], // a hole, which join() would render as nothing
      new Map(),
      new Set(),
      new Uint16Array(2),
      '\ud800',
      circular,
    ]) {
      expectCodecError(() => stringifyJson(bad), 'WRONG_TYPE');
    }
  });
});

describe('parseJson', () => {
  it('parses every JSON type', () => {
    expect(parseJson(' {"a" : [1, -2, 3.5, 1e2, true, false, null, "s"]}\n')).toEqual({
      a: [1, -2, 3.5, 100, true, false, null, 's'],
    });
  });

  it('keeps integers beyond 2^53 exact as bigint', () => {
    expect(parseJson('[9007199254740991, 9007199254740992, 18446744073709551615, -9007199254740993]')).toEqual([
      9007199254740991,
      9007199254740992n,
      18446744073709551615n,
      -9007199254740993n,
    ]);
    expect(parseJson('-0')).toBe(0);
    expect(Object.is(parseJson('-0'), 0)).toBe(true);
  });

  it('decodes escapes and surrogate pairs', () => {
    expect(parseJson('"\\u00e9\\ud83d\\ude00\\/\\b\\f"')).toBe('é😀/\b\f');
  });

  it('keeps a "__proto__" key as data', () => {
    const value = parseJson('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rejects what serde_json rejects', () => {
    for (const bad of [
      '',
      ' ',
      '01',
      '1.',
      '.5',
      '+1',
      '1e',
      '1e400',
      'NaN',
      'nul',
      '[1,]',
      '{"a":1,}',
      '{a:1}',
      "{'a':1}",
      '{"a":1,"a":2}',
      '"\u0001"',
      '"\\x"',
      '"\\ud800"',
      '"\\udc00\\ud800"',
      '"\ud800"',
      '"abc',
      '[1] x',
      '\ufeff1',
      '\u00a01',
      '['.repeat(200) + ']'.repeat(200),
    ]) {
      expectCodecError(() => parseJson(bad), 'INVALID_JSON');
    }
  });

  it('reports the position of the problem', () => {
    expect(expectCodecError(() => parseJson('[1, x]'), 'INVALID_JSON').message).toMatch(/position 4/);
  });

  it('honours maxDepth', () => {
    expect(parseJson('[[1]]', { maxDepth: 2 })).toEqual([[1]]);
    expectCodecError(() => parseJson('[[[1]]]', { maxDepth: 2 }), 'INVALID_JSON');
  });
});
