/**
 * The Mithril stake distribution artifact: the signers (and their stake and keys) that a
 * MithrilStakeDistribution certificate of epoch E announces, i.e. those recorded for E who sign
 * from E+1, with the parameters of E+1. Its hash identifies it, computed as the reference does
 * (mithril-common's MithrilStakeDistribution and SignerWithStake hashes), so that a client
 * accepts the distributions a reference aggregator serves and the reverse.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { encodeJsonHex } from '@mithril-ts/codec';
import { verificationKeyPoPBytesToJson } from '@mithril-ts/stm';
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
 * A signer as the artifact hash sees it: its keys in their json-hex text (the reference hashes the
 * text, not the key bytes), the KES signature and operational certificate only when the artifact
 * carries them.
 */
export interface StakeDistributionSignerPart {
  readonly partyId: string;
  /** json-hex of the Mithril key with its proof of possession ({"vk":[…],"pop":[…]}). */
  readonly verificationKey: string;
  readonly verificationKeySignature?: string | undefined;
  readonly operationalCertificate?: string | undefined;
  readonly stake: bigint;
}

/** The hash part of a signer known by its key bytes (no KES evidence): what this aggregator serves. */
export function stakeDistributionSignerPart(signer: SignerRecord): StakeDistributionSignerPart {
  return { partyId: signer.partyId, verificationKey: encodeJsonHex(verificationKeyPoPBytesToJson(signer.verificationKey)), stake: signer.stake };
}

/** hex(SHA-256(party id ‖ vk json-hex ‖ [KES signature json-hex] ‖ [opcert json-hex] ‖ stake u64 BE)), as text. */
function signerHash(signer: StakeDistributionSignerPart): string {
  const hasher = sha256.create().update(encoder.encode(signer.partyId)).update(encoder.encode(signer.verificationKey));
  if (signer.verificationKeySignature !== undefined) hasher.update(encoder.encode(signer.verificationKeySignature));
  if (signer.operationalCertificate !== undefined) hasher.update(encoder.encode(signer.operationalCertificate));
  return bytesToHex(hasher.update(u64be(signer.stake)).digest());
}

/**
 * The reference's artifact hash: SHA-256(epoch u64 BE ‖ for each signer, in the artifact's order,
 * the ASCII hex of its signer hash); lowercase hex. The protocol parameters are not part of it
 * (the certificate binds them through next_protocol_parameters).
 */
export function mithrilStakeDistributionHash(epoch: Epoch, signers: readonly StakeDistributionSignerPart[]): string {
  const hasher = sha256.create().update(u64be(epoch));
  for (const signer of signers) hasher.update(encoder.encode(signerHash(signer)));
  return bytesToHex(hasher.digest());
}

/** The order this implementation serves an artifact's signers in (and hashes them in): by party id. */
export function byPartyId<T extends { readonly partyId: string }>(signers: readonly T[]): T[] {
  return [...signers].sort((a, b) => (a.partyId < b.partyId ? -1 : a.partyId > b.partyId ? 1 : 0));
}

/**
 * The hash this implementation computed before it matched the reference: SHA-256(epoch u64 BE ‖
 * per signer by party id: party id ‖ hex(key bytes) ‖ stake u64 BE ‖ parameters hash). Still
 * accepted as a name of the same artifact (links and scripts written before keep working); like the
 * new hash it only names the artifact, whose content the certificate then verifies.
 */
export function legacyMithrilStakeDistributionHash(epoch: Epoch, signers: readonly SignerRecord[], parameters: ProtocolParameters): string {
  const hasher = sha256.create().update(u64be(epoch));
  for (const signer of byPartyId(signers)) {
    hasher
      .update(encoder.encode(signer.partyId))
      .update(encoder.encode(bytesToHex(signer.verificationKey)))
      .update(u64be(signer.stake));
  }
  hasher.update(encoder.encode(protocolParametersHash(parameters)));
  return bytesToHex(hasher.digest());
}
