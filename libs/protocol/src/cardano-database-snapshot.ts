/**
 * The identity of a Cardano database snapshot artifact (the reference's `CardanoDatabaseSnapshot`
 * hash): what clients and the REST API use to name the artifact certified by a `CardanoDatabase`
 * certificate. Only the epoch and the certified Merkle root go in, so two snapshotters archiving
 * the same certified files publish the same artifact hash whatever their storage or compression.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { epoch as checkedEpoch, type Epoch } from './epoch.js';
import { ProtocolError } from './errors.js';

const encoder = new TextEncoder();

/**
 * SHA-256(epoch u64 BE ‖ merkle_root as ASCII), lowercase hex. The root is taken as the text it
 * is (the reference hashes the string's bytes, not decoded hex), so it is not case-folded.
 */
export function cardanoDatabaseSnapshotHash(epoch: Epoch, merkleRoot: string): string {
  const e = checkedEpoch(epoch);
  if (typeof merkleRoot !== 'string' || merkleRoot.length === 0) {
    throw new ProtocolError(
      'INVALID_PROTOCOL_MESSAGE',
      `the Cardano database merkle root must be a non-empty string, got ${typeof merkleRoot === 'string' ? '""' : typeof merkleRoot}`,
    );
  }
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, e);
  return bytesToHex(sha256.create().update(prefix).update(encoder.encode(merkleRoot)).digest());
}
