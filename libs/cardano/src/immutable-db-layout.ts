/**
 * The layout of a Cardano node's immutable database (`<db>/immutable/`), the one home of these
 * facts for every package (digester, snapshotter, client, devnet):
 * - a chunk of the chain is a trio of files `NNNNN.chunk`, `NNNNN.primary`, `NNNNN.secondary`,
 *   always handled together (digested, archived, restored as one unit); its immutable file
 *   number NNNNN is a u64, written in decimal zero-padded to at least 5 digits, as cardano-node
 *   names them;
 * - the highest-numbered trio on disk is the chunk the node is still appending blocks to: a trio
 *   is final (immutable) only once a higher-numbered file exists;
 * - the reference orders files by number, then by name (chunk < primary < secondary): the order
 *   of the leaves of the `cardano_database_merkle_root` and of a digests list.
 *
 * Pure: the callers read directories and hand the entry names in.
 */
import { CardanoError, describe } from './errors.js';

export const IMMUTABLE_FILE_EXTENSIONS = ['chunk', 'primary', 'secondary'] as const;
export type ImmutableFileExtension = (typeof IMMUTABLE_FILE_EXTENSIONS)[number];

/** The largest immutable file number: the reference's `ImmutableFileNumber` is a u64. */
export const MAX_IMMUTABLE_FILE_NUMBER = (1n << 64n) - 1n;
const MIN_DIGITS = 5;
/** The digits of the largest u64 (18446744073709551615). */
const MAX_DIGITS = MAX_IMMUTABLE_FILE_NUMBER.toString().length;
/** The longest immutable file name (`<20 digits>.secondary`): anything longer is refused before any parsing. */
export const MAX_IMMUTABLE_FILE_NAME_LENGTH = MAX_DIGITS + '.secondary'.length;
const IMMUTABLE_FILE_NAME = new RegExp(`^([0-9]{${MIN_DIGITS},${MAX_DIGITS}})\\.(${IMMUTABLE_FILE_EXTENSIONS.join('|')})$`);

/** The SHA-256 of one immutable file: an entry of the reference's digests list. */
export interface ImmutableFileDigest {
  /** e.g. "00042.chunk". */
  readonly immutableFileName: string;
  /** 64 lowercase hex digits. */
  readonly digest: string;
}

export interface ParsedImmutableFileName {
  readonly number: bigint;
  readonly extension: ImmutableFileExtension;
}

function requireImmutableFileNumber(number: bigint): void {
  if (typeof number !== 'bigint' || number < 0n || number > MAX_IMMUTABLE_FILE_NUMBER) {
    throw new CardanoError('INVALID_ARGUMENT', `an immutable file number must be a u64 bigint, got ${typeof number === 'bigint' ? number : describe(number)}`);
  }
}

/** The number as file names carry it: at least 5 digits, zero-padded (`42n` → `"00042"`). Also names per-number archives. */
export function immutableFileNumberText(number: bigint): string {
  requireImmutableFileNumber(number);
  return number.toString().padStart(MIN_DIGITS, '0');
}

/** `00042.chunk`. */
export function immutableFileName(number: bigint, extension: ImmutableFileExtension): string {
  if (!IMMUTABLE_FILE_EXTENSIONS.includes(extension))
    throw new CardanoError(
      'INVALID_ARGUMENT',
      `an immutable file extension is one of ${IMMUTABLE_FILE_EXTENSIONS.join(', ')}, got ${String(extension).slice(0, 40)}`,
    );
  return `${immutableFileNumberText(number)}.${extension}`;
}

/** The three file names of a number, in the reference's order (chunk < primary < secondary). */
export function immutableTrioFileNames(number: bigint): string[] {
  const text = immutableFileNumberText(number);
  return IMMUTABLE_FILE_EXTENSIONS.map((extension) => `${text}.${extension}`);
}

/**
 * The number and extension of an immutable file name, or undefined for any other name (the
 * node's other files, temporary files, names from an untrusted list). The one accepted grammar:
 * 5 to 20 digits whose value is a u64, written as `immutableFileNumberText` writes it — so no
 * extra leading zeros past 5 digits (`000042.chunk` is not a name: a lookup by number would
 * never find it, and two names would stand for one file) — then `.chunk`, `.primary` or
 * `.secondary`. Length is checked first: a huge name is refused without being parsed.
 */
export function parseImmutableFileName(name: string): ParsedImmutableFileName | undefined {
  if (typeof name !== 'string' || name.length > MAX_IMMUTABLE_FILE_NAME_LENGTH) return undefined;
  const match = IMMUTABLE_FILE_NAME.exec(name);
  if (match === null) return undefined;
  const digits = match[1] as string;
  const number = BigInt(digits);
  if (number > MAX_IMMUTABLE_FILE_NUMBER || number.toString().padStart(MIN_DIGITS, '0') !== digits) return undefined;
  return { number, extension: match[2] as ImmutableFileExtension };
}

export function isImmutableFileName(name: unknown): name is string {
  return typeof name === 'string' && parseImmutableFileName(name) !== undefined;
}

function compareNumbers(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The immutable files among a directory's entries. */
export interface ImmutableFileListing {
  /** The extensions on disk of each number that has at least one file. */
  readonly trios: ReadonlyMap<bigint, ReadonlySet<ImmutableFileExtension>>;
  /** The highest number of any immutable file (the chunk the node is still writing); undefined when there is none. */
  readonly highest: bigint | undefined;
}

/** Groups a directory's entry names by immutable file number; every other name is ignored. */
export function listImmutableFiles(entries: Iterable<string>): ImmutableFileListing {
  const trios = new Map<bigint, Set<ImmutableFileExtension>>();
  let highest: bigint | undefined;
  for (const entry of entries) {
    const parsed = parseImmutableFileName(entry);
    if (parsed === undefined) continue;
    const extensions = trios.get(parsed.number);
    if (extensions === undefined) trios.set(parsed.number, new Set([parsed.extension]));
    else extensions.add(parsed.extension);
    if (highest === undefined || parsed.number > highest) highest = parsed.number;
  }
  return { trios, highest };
}

/** Whether the listing holds all three files of `number`. */
export function isCompleteTrio(listing: ImmutableFileListing, number: bigint): boolean {
  return listing.trios.get(number)?.size === IMMUTABLE_FILE_EXTENSIONS.length;
}

/**
 * The highest number whose trio is complete and final (a higher-numbered file exists), like the
 * reference's "completed" immutable listing; undefined when there is none yet.
 */
export function latestFinalImmutableFileNumber(listing: ImmutableFileListing): bigint | undefined {
  let latest: bigint | undefined;
  for (const number of listing.trios.keys()) {
    if (listing.highest !== undefined && number < listing.highest && isCompleteTrio(listing, number) && (latest === undefined || number > latest))
      latest = number;
  }
  return latest;
}

/** What the digest up to a number covers, or why there is no such digest yet. */
export type ImmutableFilesUpTo =
  /** The file names in the reference's order. */
  | { readonly ok: true; readonly files: readonly string[] }
  /** The number is the chunk still being written, or beyond: its files still change. */
  | { readonly ok: false; readonly reason: 'NOT_YET_IMMUTABLE' }
  /** A trio up to the number lacks a file, or the number itself has no file (the first such file, in order). */
  | { readonly ok: false; readonly reason: 'MISSING_FILE'; readonly missing: string };

/**
 * The files whose digests make the `cardano_database_merkle_root` up to `upTo`: every trio on
 * disk numbered up to `upTo`, in the reference's order. As in the reference, numbers with no file
 * at all are simply not part of it (a node whose first chunks were removed, a restored range that
 * starts later), but `upTo` itself must be there. Stricter than the reference: a trio with only
 * some of its files is refused (MISSING_FILE) rather than digested in part — signers digesting
 * half a trio would certify a database nobody can restore. Bounded by the files that exist,
 * never by `upTo` (a huge number must not make a huge list before the tip check refuses it).
 */
export function immutableFilesUpTo(listing: ImmutableFileListing, upTo: bigint): ImmutableFilesUpTo {
  // Above the u64 range is simply beyond the tip (no file carries such a number).
  if (typeof upTo !== 'bigint' || upTo < 0n)
    throw new CardanoError(
      'INVALID_ARGUMENT',
      `an immutable file number must be a non-negative bigint, got ${typeof upTo === 'bigint' ? upTo : describe(upTo)}`,
    );
  if (listing.highest === undefined || upTo >= listing.highest) return { ok: false, reason: 'NOT_YET_IMMUTABLE' };
  const numbers = [...listing.trios.keys()].filter((number) => number <= upTo).sort(compareNumbers);
  const files: string[] = [];
  for (const number of numbers) {
    const present = listing.trios.get(number) as ReadonlySet<ImmutableFileExtension>;
    for (const extension of IMMUTABLE_FILE_EXTENSIONS) {
      const name = immutableFileName(number, extension);
      if (!present.has(extension)) return { ok: false, reason: 'MISSING_FILE', missing: name };
      files.push(name);
    }
  }
  if (numbers.at(-1) !== upTo) return { ok: false, reason: 'MISSING_FILE', missing: immutableFileName(upTo, 'chunk') };
  return { ok: true, files };
}
