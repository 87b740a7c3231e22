/**
 * The generated code (libs/proto, ts-proto) of each package version, as the goldens see it, and the
 * bridge from a generated value to the canonical proto3 JSON of golden *.json files.
 */
import { create, toJson, type DescMessage, type FileRegistry, type JsonValue } from '@bufbuild/protobuf';
import * as v1 from '@mithril-ts/proto/v1';
import { V1_CASES } from '../cases/v1.js';

/** The part of a generated message codec the goldens use. */
export interface GeneratedCodec {
  encode(message: unknown): { finish(): Uint8Array };
  decode(input: Uint8Array): unknown;
  fromPartial(object: unknown): unknown;
}

/**
 * Generated barrel and recorded cases of every package version. A new version (v2) adds one line here
 * (and its barrel libs/proto/src/v2.ts, and golden/cases/v2.ts); older versions stay.
 */
export const VERSIONS: Readonly<Record<string, { readonly module: Readonly<Record<string, unknown>>; readonly cases: object }>> = {
  v1: { module: v1, cases: V1_CASES },
};

function isCodec(value: unknown): value is GeneratedCodec {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return ['encode', 'decode', 'fromPartial'].every((method) => typeof candidate[method] === 'function');
}

/** Every generated message codec of a version, by generated name (map entries included). */
export function generatedCodecs(version: string): Map<string, GeneratedCodec> {
  const entry = VERSIONS[version];
  if (entry === undefined) throw new Error(`no generated code registered for mithril.${version} in golden/lib/generated.ts`);
  const codecs = new Map<string, GeneratedCodec>();
  for (const [name, value] of Object.entries(entry.module)) if (isCodec(value)) codecs.set(name, value);
  return codecs;
}

/** The recorded cases of a version: message name -> case name -> partial value. */
export function casesOf(version: string): ReadonlyMap<string, ReadonlyMap<string, unknown>> {
  const entry = VERSIONS[version];
  if (entry === undefined) return new Map();
  return new Map(Object.entries(entry.cases as Record<string, Record<string, unknown>>).map(([message, cases]) => [message, new Map(Object.entries(cases))]));
}

/** ts-proto oneofs are {$case, value}; @bufbuild/protobuf's are {case, value}. Bytes and scalars pass as-is. */
function toReflectionInit(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toReflectionInit);
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key === '$case' ? 'case' : key, toReflectionInit(inner)]));
}

/** Canonical proto3 JSON of a value of the generated code. */
export function generatedToJson(desc: DescMessage, value: unknown, registry: FileRegistry): JsonValue {
  return toJson(desc, create(desc, toReflectionInit(value) as never), { registry });
}
