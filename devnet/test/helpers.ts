/** Temporary roots and directory snapshots for the devnet tests. */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

/** A fixed genesis (2023-11-14T22:13:20Z), so files are comparable across runs. */
export const GENESIS_MS = 1_700_000_000_000;

/** The time at which `slot` starts with the default 100 ms slots (plus `withinMs` into it). */
export const atSlot = (slot: number, withinMs = 0, slotLengthMs = 100) => GENESIS_MS + slot * slotLengthMs + withinMs;

const roots: string[] = [];

/** A fresh directory, removed after the test file's tests. */
export function tempRoot(label = 'devnet-'): string {
  const root = mkdtempSync(join(tmpdir(), label));
  roots.push(root);
  return root;
}

afterAll(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function walk(root: string, directory: string, visit: (path: string) => void): void {
  for (const entry of readdirSync(directory, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) walk(root, path, visit);
    else visit(relative(root, path));
  }
}

/** Relative path → bytes of every file under `root`. */
export function readTree(root: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  walk(root, root, (path) => files.set(path, readFileSync(join(root, path))));
  return files;
}

/** Relative path → inode and modification time (an atomic rewrite changes the inode). */
export function statTree(root: string): Map<string, string> {
  const stats = new Map<string, string>();
  walk(root, root, (path) => {
    const s = statSync(join(root, path), { bigint: true });
    stats.set(path, `${s.ino}:${s.mtimeNs}`);
  });
  return stats;
}

export const immutableNames = (directory: string) => readdirSync(directory).sort();
