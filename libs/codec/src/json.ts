import { CodecError } from './errors.js';

/**
 * Strict JSON text <-> JS values, matching what serde_json writes and accepts.
 *
 * Why not JSON.parse/JSON.stringify: the reference's integers are u64, and stakes or totals can
 * exceed 2^53, which JSON.parse silently rounds. Here an integer literal outside the safe range
 * parses as a bigint, and bigints serialise as plain JSON integers. JSON.parse is also laxer than
 * serde_json (lone surrogate escapes, unbounded nesting) and JSON.stringify silently drops or
 * mangles values the reference could never have produced (Uint8Array becomes an object, Map
 * becomes {}).
 */

export interface JsonParseOptions {
  /** serde_json's own recursion limit; also keeps hostile input from overflowing our stack. */
  maxDepth?: number;
}

export const DEFAULT_MAX_JSON_DEPTH = 128;

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
// eslint-disable-next-line no-control-regex -- U+0000..U+001F must be escaped in a JSON string (RFC 8259 §7): the run stops at them
const PLAIN_STRING_RUN = /[^"\\\u0000-\u001f\ud800-\udfff]*/y;

const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

class Parser {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  parseDocument(): unknown {
    this.skipWhitespace();
    const value = this.parseValue(0);
    this.skipWhitespace();
    if (this.pos < this.text.length) this.fail('trailing characters after the JSON value');
    return value;
  }

  private fail(what: string): never {
    throw new CodecError('INVALID_JSON', `invalid JSON: ${what} at position ${this.pos}`);
  }

  private skipWhitespace(): void {
    const text = this.text;
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      this.pos++;
    }
  }

  private parseValue(depth: number): unknown {
    const c = this.text.charAt(this.pos);
    switch (c) {
      case '{':
        return this.parseObject(depth + 1);
      case '[':
        return this.parseArray(depth + 1);
      case '"':
        return this.parseString();
      case 't':
        return this.parseLiteral('true', true);
      case 'f':
        return this.parseLiteral('false', false);
      case 'n':
        return this.parseLiteral('null', null);
      case '':
        return this.fail('unexpected end of input');
      default:
        if (c === '-' || (c >= '0' && c <= '9')) return this.parseNumber();
        return this.fail(`unexpected character ${JSON.stringify(c)}`);
    }
  }

  private enter(depth: number): void {
    if (depth > this.maxDepth) this.fail(`nesting deeper than ${this.maxDepth}`);
    this.pos++;
    this.skipWhitespace();
  }

  private parseObject(depth: number): Record<string, unknown> {
    this.enter(depth);
    const result: Record<string, unknown> = {};
    if (this.text.charAt(this.pos) === '}') {
      this.pos++;
      return result;
    }
    for (;;) {
      if (this.text.charAt(this.pos) !== '"') this.fail('expected a string key');
      const keyStart = this.pos;
      const key = this.parseString();
      // serde rejects duplicate struct fields; accepting them here would let two readers of the
      // same document disagree on its content.
      if (Object.prototype.hasOwnProperty.call(result, key)) {
        this.pos = keyStart;
        this.fail(`duplicate key ${JSON.stringify(key)}`);
      }
      this.skipWhitespace();
      if (this.text.charAt(this.pos) !== ':') this.fail("expected ':' after an object key");
      this.pos++;
      this.skipWhitespace();
      const value = this.parseValue(depth);
      // A plain assignment to "__proto__" would replace the prototype instead of adding a key.
      Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
      this.skipWhitespace();
      const next = this.text.charAt(this.pos);
      this.pos++;
      if (next === '}') return result;
      if (next !== ',') {
        this.pos--;
        this.fail("expected ',' or '}' in an object");
      }
      this.skipWhitespace();
    }
  }

  private parseArray(depth: number): unknown[] {
    this.enter(depth);
    const result: unknown[] = [];
    if (this.text.charAt(this.pos) === ']') {
      this.pos++;
      return result;
    }
    for (;;) {
      result.push(this.parseValue(depth));
      this.skipWhitespace();
      const next = this.text.charAt(this.pos);
      this.pos++;
      if (next === ']') return result;
      if (next !== ',') {
        this.pos--;
        this.fail("expected ',' or ']' in an array");
      }
      this.skipWhitespace();
    }
  }

  private parseString(): string {
    const text = this.text;
    this.pos++; // opening quote
    let result = '';
    for (;;) {
      PLAIN_STRING_RUN.lastIndex = this.pos;
      PLAIN_STRING_RUN.test(text);
      result += text.slice(this.pos, PLAIN_STRING_RUN.lastIndex);
      this.pos = PLAIN_STRING_RUN.lastIndex;
      if (this.pos >= text.length) this.fail('unterminated string');
      const c = text.charCodeAt(this.pos);
      if (c === 0x22) {
        this.pos++;
        return result;
      }
      if (c === 0x5c) {
        result += this.parseEscape();
      } else if (c < 0x20) {
        this.fail('unescaped control character in a string');
      } else {
        // A raw surrogate: only a well-formed pair is text.
        const next = text.charCodeAt(this.pos + 1);
        if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          result += text.slice(this.pos, this.pos + 2);
          this.pos += 2;
        } else {
          this.fail('lone surrogate in a string');
        }
      }
    }
  }

  private parseEscape(): string {
    const kind = this.text.charAt(this.pos + 1);
    if (kind !== 'u') {
      const simple = ESCAPES[kind];
      if (simple === undefined) this.fail(`invalid escape ${JSON.stringify('\\' + kind)}`);
      this.pos += 2;
      return simple;
    }
    const unit = this.readUnicodeEscape();
    if (unit < 0xd800 || unit > 0xdfff) return String.fromCharCode(unit);
    // serde_json rejects escaped lone surrogates; JSON.parse would produce an ill-formed string.
    if (unit <= 0xdbff && this.text.startsWith('\\u', this.pos)) {
      const low = this.readUnicodeEscape();
      if (low >= 0xdc00 && low <= 0xdfff) return String.fromCharCode(unit, low);
    }
    return this.fail('lone surrogate in a \\u escape');
  }

  private readUnicodeEscape(): number {
    const digits = this.text.slice(this.pos + 2, this.pos + 6);
    if (!/^[0-9a-fA-F]{4}$/.test(digits)) this.fail('invalid \\u escape');
    this.pos += 6;
    return parseInt(digits, 16);
  }

  private parseNumber(): number | bigint {
    const small = this.parseSmallInteger();
    if (small !== undefined) return small;
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (match === null) return this.fail('invalid number');
    const literal = match[0];
    this.pos += literal.length;
    if (/^-?[0-9]+$/.test(literal)) {
      const value = Number(literal);
      // Integers have no negative zero in the reference (u64/i64), so "-0" is plain 0.
      if (Number.isSafeInteger(value)) return value === 0 ? 0 : value;
      return BigInt(literal);
    }
    const value = Number(literal);
    if (!Number.isFinite(value)) {
      this.pos -= literal.length;
      this.fail('number out of range');
    }
    return value;
  }

  /**
   * A non-negative integer of at most 15 digits (always exact as a number) not followed by a
   * fraction or an exponent: what byte arrays and indices are made of, a few hundred thousand of
   * them in a mainnet multi-signature. Read digit by digit, which costs a fraction of the regex
   * path below; undefined (and nothing consumed) for any other number, which that path reads.
   * A leading zero ends the literal after the "0", as the grammar (and the regex) has it.
   */
  private parseSmallInteger(): number | undefined {
    const text = this.text;
    const start = this.pos;
    let end = start;
    let value = 0;
    for (; end < text.length; end += 1) {
      const digit = text.charCodeAt(end) - 0x30;
      if (digit < 0 || digit > 9) break;
      value = value * 10 + digit;
      if (end === start && digit === 0) {
        end += 1;
        break;
      }
    }
    const length = end - start;
    if (length === 0 || length > 15) return undefined;
    const next = text.charCodeAt(end);
    if (next === 0x2e || next === 0x65 || next === 0x45) return undefined; // '.', 'e', 'E'
    this.pos = end;
    return value;
  }

  private parseLiteral<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail('invalid literal');
    this.pos += word.length;
    return value;
  }
}

/**
 * Parse one JSON document. Integers outside Number's safe range come back as bigint, every
 * other number as a number; objects are plain objects with keys in document order.
 */
export function parseJson(text: string, options: JsonParseOptions = {}): unknown {
  if (typeof text !== 'string') {
    throw new CodecError('WRONG_TYPE', `expected JSON text as a string, got ${typeof text}`);
  }
  return new Parser(text, options.maxDepth ?? DEFAULT_MAX_JSON_DEPTH).parseDocument();
}

const LONE_SURROGATE = /[\ud800-\udfff]/u;

/**
 * Compact JSON the way serde_json::to_string writes it: no whitespace, keys in insertion order,
 * byte arrays as arrays of numbers, bigint as a bare integer. Refuses what serde could not
 * have produced rather than guessing.
 */
export function stringifyJson(value: unknown): string {
  const writer = new Writer();
  writer.write(value);
  return writer.out;
}

class Writer {
  out = '';
  private readonly seen = new Set<object>();
  // Segments of the current location, joined only when reporting an error.
  private readonly path: Array<string | number> = [];

  private unsupported(what: string): never {
    const where = this.path.map((segment) => (typeof segment === 'number' ? `[${segment}]` : `.${segment}`)).join('');
    throw new CodecError('WRONG_TYPE', `cannot encode ${what} at $${where} as JSON`);
  }

  write(value: unknown): void {
    switch (typeof value) {
      case 'string':
        // Strings with unpaired surrogates are not Unicode text and cannot exist on the Rust side.
        if (LONE_SURROGATE.test(value)) this.unsupported('a string with a lone surrogate');
        // JSON.stringify escapes exactly the characters serde_json escapes, the same way.
        this.out += JSON.stringify(value);
        return;
      case 'number':
        if (!Number.isFinite(value)) this.unsupported(`the non-finite number ${value}`);
        // An integer-valued number beyond 2^53 has most likely already lost precision; such
        // values (stakes, totals) must travel as bigint.
        if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
          this.unsupported(`the unsafe integer ${value} (use a bigint)`);
        }
        this.out += Object.is(value, -0) ? '0' : String(value);
        return;
      case 'bigint':
        this.out += value.toString();
        return;
      case 'boolean':
        this.out += value ? 'true' : 'false';
        return;
      case 'object':
        break;
      default:
        return this.unsupported(`a value of type ${typeof value}`);
    }
    if (value === null) {
      this.out += 'null';
      return;
    }
    if (value instanceof Uint8Array) {
      this.out += '[' + Array.prototype.join.call(value, ',') + ']';
      return;
    }
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
      this.unsupported('a binary buffer other than Uint8Array');
    }
    if (value instanceof Map || value instanceof Set) this.unsupported(`a ${value.constructor.name}`);
    if (this.seen.has(value)) this.unsupported('a circular reference');
    this.seen.add(value);
    if (Array.isArray(value)) {
      this.writeArray(value);
    } else if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
      this.write((value as { toJSON: () => unknown }).toJSON());
    } else {
      this.writeObject(value as Record<string, unknown>);
    }
    this.seen.delete(value);
  }

  private writeArray(items: readonly unknown[]): void {
    // Arrays of numbers (byte arrays, indices) dominate the reference's payloads; one native
    // join per array avoids allocating a string per element.
    if (allPlainJsonNumbers(items)) {
      this.out += '[' + items.join(',') + ']';
      return;
    }
    this.out += '[';
    for (let index = 0; index < items.length; index++) {
      if (index > 0) this.out += ',';
      this.path.push(index);
      this.write(items[index]);
      this.path.pop();
    }
    this.out += ']';
  }

  private writeObject(fields: Record<string, unknown>): void {
    this.out += '{';
    let first = true;
    for (const key of Object.keys(fields)) {
      const item = fields[key];
      // Mirrors serde's skip_serializing_if = "Option::is_none", used throughout the reference.
      if (item === undefined) continue;
      if (!first) this.out += ',';
      first = false;
      this.path.push(key);
      this.write(key);
      this.out += ':';
      this.write(item);
      this.path.pop();
    }
    this.out += '}';
  }
}

/** Whether join(',') renders the array as the JSON the element-wise path would write. */
function allPlainJsonNumbers(items: readonly unknown[]): boolean {
  // An indexed loop, not every(): every() skips holes, and join would render them as nothing.
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (typeof item !== 'number') return false;
    if (!Number.isSafeInteger(item) && !(Number.isFinite(item) && !Number.isInteger(item))) return false;
  }
  return true;
}
