/**
 * The Mithril stake distribution artifact: the signers (and their stake and keys) that a
 * MithrilStakeDistribution certificate of epoch E announces, i.e. those recorded for E who sign
 * from E+1, with the parameters of E+1. Its hash identifies it.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { Epoch } from './epoch.js';
import { protocolParametersHash, type ProtocolParameters } from './protocol-parameters.js';
import type { SignerRecord } from './epoch-settings.js';

const encoder = new TextEncoder();

function u64be(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value);
  return out;
}

/**
 * SHA-256(epoch u64 BE ‖ per signer in party id order: party id ‖ hex(Mithril key) ‖ stake u64 BE ‖
 * parameters hash); lowercase hex. Party order makes it independent of registration order.
 */
export function mithrilStakeDistributionHash(epoch: Epoch, signers: readonly SignerRecord[], parameters: ProtocolParameters): string {
  const hasher = sha256.create().update(u64be(epoch));
  for (const signer of [...signers].sort((a, b) => (a.partyId < b.partyId ? -1 : a.partyId > b.partyId ? 1 : 0))) {
    hasher
      .update(encoder.encode(signer.partyId))
      .update(encoder.encode(bytesToHex(signer.verificationKey)))
      .update(u64be(signer.stake));
  }
  hasher.update(encoder.encode(protocolParametersHash(parameters)));
  return bytesToHex(hasher.digest());
}
