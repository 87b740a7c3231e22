/**
 * The ancillary archive of a snapshot: what a node needs beside the certified immutable files to
 * start without replaying the chain from genesis — the latest ledger-state snapshot
 * (`ledger/<slot>`, a file or a directory as the node writes it) and the last, not yet immutable,
 * trio (`immutable/<beacon + 1>.{chunk,primary,secondary}`, more when needed: below) — with `ancillary_manifest.json`
 * (every file's SHA-256, signed with the ancillary key; libs/protocol's ancillary-manifest.ts).
 *
 * The node keeps writing while this runs (the open trio grows, ledger snapshots come and go), so
 * the files are first copied to a scratch directory, then hashed and archived from the copy: the
 * manifest describes exactly the bytes archived.
 *
 * Which ledger snapshot: the newest whose slot is at most the last slot of the newest trio on disk
 * (at most MAX_ANCILLARY_TRIOS past the beacon). Which trios: the next one past the beacon (as the
 * reference packs it), and, when the snapshot was certified a while after its beacon and the node's
 * ledger snapshot is further ahead, every trio up to the one holding the ledger snapshot's slot. A
 * ledger state past the files a client restores is useless to its node (it would throw it away and
 * replay from genesis). The last slot of a trio is read from its secondary index: cardano-node's
 * entries end with the block's slot as a big-endian u64, so the last 8 bytes are the slot of the
 * last block; nothing else of the chunk's content is read.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, lstat, mkdir, mkdtemp, open, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { immutableFileName, immutableTrioFileNames } from '@mithril-ts/cardano';
import { ANCILLARY_MANIFEST_FILE, encodeAncillaryManifest, type AncillarySigner } from '@mithril-ts/protocol';
import { SnapshotterError, describeError } from '../errors.js';
import type { ArtifactStorage } from '../storage/port.js';
import type { AncillaryArchiveRecord, Compression } from '../store/types.js';
import { storeArchive } from './archiver.js';

/** cardano-node names ledger snapshots `<slot>` or `<slot>_<suffix>`. */
const LEDGER_SNAPSHOT_NAME = /^(\d{1,20})(?:_[A-Za-z0-9_-]{1,64})?$/;
/** Trios past the beacon an archive may carry (a ledger state further ahead is not packaged). */
const MAX_ANCILLARY_TRIOS = 32;
/** A ledger snapshot directory holds a handful of files; more is not a ledger snapshot. */
const MAX_LEDGER_FILES = 1000;

export interface AncillaryRequest {
  readonly immutableDirectory: string;
  readonly ledgerDirectory: string;
  /** The snapshot's beacon: its trio is certified, the next one is the ancillary trio. */
  readonly immutableFileNumber: bigint;
  readonly signer: AncillarySigner;
  readonly compression: Compression;
  readonly storage: ArtifactStorage;
  readonly key: string;
  /** Where the scratch copy is made (default: the system's temporary directory). */
  readonly scratchParent?: string;
}

export interface LedgerSnapshotEntry {
  readonly name: string;
  readonly slot: bigint;
}

/** The ledger snapshots in a ledger directory, newest first. */
export async function listLedgerSnapshots(ledgerDirectory: string): Promise<LedgerSnapshotEntry[]> {
  let names: string[];
  try {
    names = await readdir(ledgerDirectory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names
    .map((name) => ({ name, match: LEDGER_SNAPSHOT_NAME.exec(name) }))
    .filter((entry): entry is { name: string; match: RegExpExecArray } => entry.match !== null)
    .map(({ name, match }) => ({ name, slot: BigInt(match[1]!) }))
    .sort((a, b) => (a.slot === b.slot ? (a.name < b.name ? 1 : -1) : a.slot > b.slot ? -1 : 1));
}

/** The slot of the last block of a secondary index (its last 8 bytes), or undefined for an empty or unreadable one. */
export async function lastSlotOfSecondary(path: string): Promise<bigint | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const { size } = await handle.stat();
    if (size < 8) return undefined;
    const tail = Buffer.alloc(8);
    await handle.read(tail, 0, 8, size - 8);
    return tail.readBigUInt64BE(0);
  } finally {
    await handle.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Copies a ledger snapshot (file or directory tree of regular files) to `to`; the relative paths of the files copied. */
async function copyLedgerSnapshot(from: string, to: string, relative: string, into: string[]): Promise<void> {
  const info = await lstat(from);
  if (info.isFile()) {
    if (into.length >= MAX_LEDGER_FILES) throw new Error(`more than ${MAX_LEDGER_FILES} files`);
    await mkdir(dirname(to), { recursive: true });
    await copyFile(from, to);
    into.push(relative);
  } else if (info.isDirectory()) {
    await mkdir(to, { recursive: true });
    for (const name of (await readdir(from)).sort()) await copyLedgerSnapshot(join(from, name), join(to, name), `${relative}/${name}`, into);
  } else {
    // A link could point anywhere on the machine: the archive holds regular files only.
    throw new Error(`${from} is neither a regular file nor a directory`);
  }
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path, { highWaterMark: 1024 * 1024 }), hash);
  return hash.digest('hex');
}

export interface StoredAncillary extends AncillaryArchiveRecord {
  /** The ledger snapshot archived (its name in `ledger/`). */
  readonly ledgerSnapshot: string;
  /** The trios archived beside it (past the beacon). */
  readonly trios: readonly bigint[];
  /** Every file of the archive but the manifest, relative to the database directory. */
  readonly files: readonly string[];
}

/**
 * Builds, signs and stores the ancillary archive; undefined when there is no usable ledger
 * snapshot (nothing to offer: the snapshot goes without ancillary files).
 */
export async function storeAncillaryArchive(request: AncillaryRequest): Promise<StoredAncillary | undefined> {
  const beacon = request.immutableFileNumber;
  // The trios past the beacon, in order while they exist, with the slot of their last block.
  const later: { number: bigint; lastSlot: bigint | undefined }[] = [];
  for (let number = beacon + 1n; number <= beacon + BigInt(MAX_ANCILLARY_TRIOS); number += 1n) {
    const names = immutableTrioFileNames(number);
    if (!(await Promise.all(names.map((name) => exists(join(request.immutableDirectory, name))))).every(Boolean)) break;
    later.push({ number, lastSlot: await lastSlotOfSecondary(join(request.immutableDirectory, immutableFileName(number, 'secondary'))) });
  }
  const reach =
    [...later].reverse().find((trio) => trio.lastSlot !== undefined)?.lastSlot ??
    (await lastSlotOfSecondary(join(request.immutableDirectory, immutableFileName(beacon, 'secondary'))));
  const ledger = (await listLedgerSnapshots(request.ledgerDirectory)).find((entry) => reach === undefined || entry.slot <= reach);
  if (ledger === undefined) return undefined;
  // The next trio always (as the reference packs it), and more only as far as the ledger state needs.
  const needed = Math.max(1, later.findIndex((trio) => trio.lastSlot !== undefined && trio.lastSlot >= ledger.slot) + 1);
  const trios = later.slice(0, needed).map((trio) => trio.number);

  const scratch = await mkdtemp(join(request.scratchParent ?? tmpdir(), 'mithril-ancillary-'));
  try {
    const files: string[] = [];
    if (trios.length > 0) await mkdir(join(scratch, 'immutable'));
    for (const number of trios) {
      for (const name of immutableTrioFileNames(number)) {
        await copyFile(join(request.immutableDirectory, name), join(scratch, 'immutable', name));
        files.push(`immutable/${name}`);
      }
    }
    const ledgerFiles: string[] = [];
    try {
      await copyLedgerSnapshot(join(request.ledgerDirectory, ledger.name), join(scratch, 'ledger', ledger.name), `ledger/${ledger.name}`, ledgerFiles);
    } catch (error) {
      // Pruned by the node while being copied, or not a snapshot: no ancillary archive this time.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new SnapshotterError('IMMUTABLE_DB_UNREADABLE', `cannot copy ledger snapshot ${ledger.name}: ${describeError(error)}`, { cause: error });
    }
    files.push(...ledgerFiles);

    const data = new Map<string, string>();
    let sizeUncompressed = 0n;
    for (const file of files) {
      data.set(file, await sha256Of(join(scratch, file)));
      sizeUncompressed += BigInt((await stat(join(scratch, file))).size);
    }
    const manifest = Buffer.from(encodeAncillaryManifest(request.signer.sign(data)));
    await writeFile(join(scratch, ANCILLARY_MANIFEST_FILE), manifest);
    sizeUncompressed += BigInt(manifest.length);
    const stored = await storeArchive({
      directory: scratch,
      files: [...files, ANCILLARY_MANIFEST_FILE],
      compression: request.compression,
      storage: request.storage,
      key: request.key,
      prefix: '',
    });
    return {
      key: request.key,
      size: BigInt(stored.size),
      sha256: stored.sha256,
      sizeUncompressed,
      ledgerSnapshot: ledger.name,
      trios,
      files,
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
