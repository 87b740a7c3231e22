/**
 * Inline datums of the UTxOs at an address, as `cardano-cli query utxo --address <addr> --out-file
 * <file>` writes them (an object keyed by `<txid>#<index>`, each output's `inlineDatum` in the
 * detailed JSON schema: `{"constructor":0,"fields":[{"bytes":"<hex>"}, …]}`), and the text a
 * datum's bytes fields carry. Plutus limits a bytes field to 64 bytes, so longer payloads (the
 * era markers) are cut into consecutive bytes fields and joined back here.
 */
import { parseJson } from '@mithril-ts/codec';
import { CardanoError } from './errors.js';

/** A datum in cardano-cli's detailed JSON schema (only what the readers need is typed). */
export type InlineDatum = Readonly<Record<string, unknown>>;

/**
 * Whether `address` can be an address in bech32 text (lowercase letters, digits, the prefix's
 * underscore): the check made before it names a file or goes on a command line, so that nothing
 * read from settings walks out of a directory or reads as another argument.
 */
export function isAddressText(address: string): boolean {
  return /^[a-z0-9_]{1,200}$/.test(address);
}

const MAX_OUTPUT_CHARS = 16 * 1024 * 1024;
const MAX_UTXOS = 10_000;
const HEX = /^(?:[0-9a-f]{2})*$/;

function invalid(message: string): CardanoError {
  return new CardanoError('INVALID_CLI_OUTPUT', message);
}

/** The inline datums of `cardano-cli query utxo --out-file`'s JSON, in the order of the file; outputs without one are skipped. */
export function parseCardanoCliUtxoInlineDatums(output: string): InlineDatum[] {
  if (output.length > MAX_OUTPUT_CHARS) throw invalid('query utxo: output too large');
  let value: unknown;
  try {
    value = parseJson(output);
  } catch (error) {
    throw invalid(`query utxo: not JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('query utxo: expected a JSON object keyed by <txid>#<index>');
  const outputs = Object.entries(value as Record<string, unknown>);
  if (outputs.length > MAX_UTXOS) throw invalid(`query utxo: more than ${MAX_UTXOS} outputs`);
  const datums: InlineDatum[] = [];
  for (const [reference, utxo] of outputs) {
    if (typeof utxo !== 'object' || utxo === null || Array.isArray(utxo)) throw invalid(`query utxo: ${reference.slice(0, 80)} is not an object`);
    const datum = (utxo as Record<string, unknown>).inlineDatum;
    if (typeof datum === 'object' && datum !== null && !Array.isArray(datum)) datums.push(datum as InlineDatum);
  }
  return datums;
}

/**
 * The hex of a datum's top-level bytes fields joined in order (what the reference reads era
 * markers from); undefined when the datum has no `fields` list or no bytes field, or a bytes field
 * is not hex.
 */
export function inlineDatumBytesFields(datum: InlineDatum): string | undefined {
  const fields = datum.fields;
  if (!Array.isArray(fields)) return undefined;
  const parts: string[] = [];
  for (const field of fields as unknown[]) {
    if (typeof field !== 'object' || field === null) continue;
    const bytes = (field as Record<string, unknown>).bytes;
    if (bytes === undefined) continue;
    if (typeof bytes !== 'string' || !HEX.test(bytes)) return undefined;
    parts.push(bytes);
  }
  return parts.length === 0 ? undefined : parts.join('');
}

/** A datum carrying `hex` in bytes fields of at most 64 bytes each, as a transaction writing it would. */
export function inlineDatumOfBytes(hex: string): InlineDatum {
  if (!HEX.test(hex)) throw new CardanoError('INVALID_CLI_OUTPUT', 'datum bytes must be lower-case hex');
  const fields: { bytes: string }[] = [];
  for (let offset = 0; offset < hex.length; offset += 128) fields.push({ bytes: hex.slice(offset, offset + 128) });
  return { constructor: 0, fields };
}
