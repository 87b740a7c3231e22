/**
 * Names of a Cardano node's immutable files. An immutable file number stands for a trio
 * (`NNNNN.chunk`, `.primary`, `.secondary`), always handled together: digested, archived and
 * restored as one unit.
 */
export const IMMUTABLE_EXTENSIONS = ['chunk', 'primary', 'secondary'] as const;

/** The number as cardano-node writes it in file names: at least 5 digits. */
export function immutableFileNumberText(number: bigint): string {
  return number.toString().padStart(5, '0');
}

/** The trio of an immutable file number, in the reference's order (chunk < primary < secondary). */
export function immutableTrio(number: bigint): string[] {
  const text = immutableFileNumberText(number);
  return IMMUTABLE_EXTENSIONS.map((extension) => `${text}.${extension}`);
}

/** Every immutable file name numbered 0..upTo, in the reference's digest order (number, then name). */
export function immutableFilesUpTo(upTo: bigint): string[] {
  const names: string[] = [];
  for (let number = 0n; number <= upTo; number += 1n) names.push(...immutableTrio(number));
  return names;
}

/** The digest of one immutable file, as listed for clients (the reference's digests list entry). */
export interface ImmutableFileDigestEntry {
  /** e.g. "00042.chunk". */
  readonly immutableFileName: string;
  /** SHA-256 of the file, 64 lowercase hex digits. */
  readonly digest: string;
}

/** The reference's digests list file: `[{"immutable_file_name":"00000.chunk","digest":"…"}, …]`. */
export function digestsListJson(entries: readonly ImmutableFileDigestEntry[]): string {
  return JSON.stringify(entries.map((entry) => ({ immutable_file_name: entry.immutableFileName, digest: entry.digest })));
}
