/**
 * Where goldens live and how they are fingerprinted. A golden is a pair of files
 *   golden/mithril/<version>/<Message>.<case>.binpb   raw protobuf bytes
 *   golden/mithril/<version>/<Message>.<case>.json    the decoded value, canonical proto3 JSON
 * and golden/manifest.json maps each file (path relative to golden/) to its SHA-256. Goldens are only
 * ever added: a file that changes or disappears fails the tests.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './schema.js';

export const GOLDEN_DIR = join(ROOT, 'golden');
export const MANIFEST_PATH = join(GOLDEN_DIR, 'manifest.json');

/** A golden file name: <Message>.<case>.binpb, case in lower snake case. */
const GOLDEN_FILE = /^([A-Z][A-Za-z0-9_]*)\.([a-z0-9]+(?:_[a-z0-9]+)*)\.binpb$/;
export const CASE_NAME = /^[a-z0-9]+(?:_[a-z0-9]+)*$/;

export type Manifest = Record<string, string>;

export interface Golden {
  /** Package version, e.g. "v1". */
  readonly version: string;
  /** Generated message name, e.g. "Certificate". */
  readonly message: string;
  /** Case name, e.g. "full". */
  readonly caseName: string;
  /** Paths relative to golden/, '/'-separated. */
  readonly binpb: string;
  readonly json: string;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function goldenOf(version: string, message: string, caseName: string): Golden {
  const base = `mithril/${version}/${message}.${caseName}`;
  return { version, message, caseName, binpb: `${base}.binpb`, json: `${base}.json` };
}

export function absolute(relativePath: string): string {
  return join(GOLDEN_DIR, ...relativePath.split('/'));
}

export function readManifest(): Manifest {
  if (!existsSync(MANIFEST_PATH)) return {};
  return JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as Manifest;
}

/** The manifest as committed: keys sorted, one entry a line. */
export function formatManifest(manifest: Manifest): string {
  const sorted = Object.fromEntries(Object.entries(manifest).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return `${JSON.stringify(sorted, null, 2)}\n`;
}

/** Package versions that have a golden directory (golden/mithril/v1, ...). */
export function goldenVersions(): string[] {
  const dir = join(GOLDEN_DIR, 'mithril');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** Every file under golden/mithril/, relative to golden/. */
export function listGoldenFiles(): string[] {
  const dir = join(GOLDEN_DIR, 'mithril');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map(
      (entry) =>
        `mithril/${join(entry.parentPath, entry.name)
          .slice(dir.length + 1)
          .split(/[\\/]/)
          .join('/')}`,
    )
    .sort();
}

/** Every golden of a version, from its .binpb files. */
export function listGoldens(version: string): Golden[] {
  const prefix = `mithril/${version}/`;
  return listGoldenFiles()
    .filter((file) => file.startsWith(prefix) && file.endsWith('.binpb'))
    .map((file) => {
      const match = GOLDEN_FILE.exec(file.slice(prefix.length));
      if (match?.[1] === undefined || match[2] === undefined) throw new Error(`golden file with a malformed name: ${file}`);
      return goldenOf(version, match[1], match[2]);
    });
}
