/**
 * The reference's digests list file: `[{"immutable_file_name":"00000.chunk","digest":"…"}, …]`,
 * every file of a snapshot with its SHA-256 in digest order (a client checks it against the
 * certified root). The names and their order are the immutable DB layout of @mithril-ts/cardano.
 */
import type { ImmutableFileDigest } from '@mithril-ts/cardano';

export function digestsListJson(entries: readonly ImmutableFileDigest[]): string {
  return JSON.stringify(entries.map((entry) => ({ immutable_file_name: entry.immutableFileName, digest: entry.digest })));
}
