/** The reference aggregator's REST API, read from the browser (the gateway answers CORS). */
import { parseJson } from '@mithril-ts/codec';
import { fetchText } from './verify.js';

/** Lists and artifacts are small; a certificate of a few thousand signers is a few MB. */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

export type Json = Record<string, unknown>;

export class AggregatorApi {
  constructor(readonly base: string) {}

  /** GET `path` under the aggregator; integers beyond 2^53 come back as bigint (stakes are lovelace). */
  async get(path: string): Promise<unknown> {
    return parseJson(await fetchText(`${this.base}${path}`, MAX_ANSWER_BYTES));
  }

  async list(path: string): Promise<Json[]> {
    const answer = await this.get(path);
    if (!Array.isArray(answer)) throw new Error(`${path}: expected a list`);
    return answer.filter((item): item is Json => typeof item === 'object' && item !== null);
  }

  async object(path: string): Promise<Json> {
    const answer = await this.get(path);
    if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) throw new Error(`${path}: expected an object`);
    return answer as Json;
  }
}

/** A JSON number (number or bigint) as a bigint; 0 for anything else. */
export function big(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  return 0n;
}

export function text(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'bigint' ? value.toString() : '';
}

export function record(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

/** `{"MithrilStakeDistribution": 12}` or `{"CardanoDatabase": {...}}` → its kind and epoch. */
export function signedEntity(value: unknown): { kind: string; epoch: string } {
  if (typeof value === 'string') return { kind: value, epoch: '' };
  const [kind, detail] = Object.entries(record(value))[0] ?? ['unknown', undefined];
  const epoch = typeof detail === 'number' || typeof detail === 'bigint' ? detail.toString() : text(record(detail).epoch);
  return { kind, epoch };
}
