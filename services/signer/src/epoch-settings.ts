/**
 * The aggregator's announced settings turned into libs/protocol EpochSettings the signer can
 * compute messages with: every signer set is closed here, which checks every proof of possession
 * (a key without a valid PoP fails the whole set). Closing thousands of keys takes about a
 * second, so closed sets are cached by content: the same answer cycle after cycle, and the
 * "next" signers of one epoch becoming the "current" signers of the following one, close once.
 */
import { createHash } from 'node:crypto';
import { closeSignerSet, type EpochSettings, type SignerRecord, type SignerSet } from '@mithril-ts/protocol';
import type { AnnouncedEpochSettings } from './ports.js';

/** Enough for the current and next sets of two consecutive epochs. */
const CACHED_SETS = 4;

function fingerprint(signers: readonly SignerRecord[]): string {
  const hash = createHash('sha256');
  const stake = Buffer.alloc(8);
  for (const signer of signers) {
    const party = Buffer.from(signer.partyId, 'utf8');
    hash
      .update(Buffer.from([party.length]))
      .update(party)
      .update(signer.verificationKey);
    stake.writeBigUInt64BE(signer.stake);
    hash.update(stake);
  }
  return hash.digest('hex');
}

export class EpochSettingsVerifier {
  private readonly sets = new Map<string, SignerSet>();

  /** Throws ProtocolError (INVALID_SIGNER) when a set does not close. */
  verify(announced: AnnouncedEpochSettings): EpochSettings {
    return {
      epoch: announced.epoch,
      currentParameters: announced.currentParameters,
      nextParameters: announced.nextParameters,
      currentSigners: this.close(announced.currentSigners),
      nextSigners: this.close(announced.nextSigners),
    };
  }

  private close(signers: readonly SignerRecord[]): SignerSet | undefined {
    if (signers.length === 0) return undefined;
    const key = fingerprint(signers);
    let set = this.sets.get(key);
    if (set === undefined) {
      set = closeSignerSet(signers);
      if (this.sets.size >= CACHED_SETS) this.sets.delete(this.sets.keys().next().value!);
    } else {
      this.sets.delete(key);
    }
    this.sets.set(key, set);
    return set;
  }
}
