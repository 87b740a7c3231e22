/**
 * Mithril keys decoded once per process and epoch: a key arrives with its registration (decoded
 * there to be checked) and comes back in every signer set closed for its epoch (on the aggregator
 * when it enters the epoch and the next, on the gateway once per epoch). Decoding a key costs a
 * square root and a subgroup check per point (~6–10 ms with the pure-JS backend), so the one
 * decode of the registration serves them all.
 *
 * Bounded: one key per (recording epoch, party), the owner records a key only after it accepted the
 * registration (so only parties with stake get in, each replacing its own previous key), and the
 * epochs are evicted when they pass (`evictBefore`). `maxEntries` is a last guard: beyond it the
 * oldest epoch goes first.
 */
import type { VerificationKeyPoP } from '@mithril-ts/stm';
import type { DecodedKeys } from './epoch-settings.js';
import type { Epoch } from './epoch.js';

interface Entry {
  readonly key: VerificationKeyPoP;
  readonly popVerified: boolean;
  /** How many (epoch, party) pairs hold these bytes (a pool may record one key for two epochs in a test; the count keeps eviction right). */
  holders: number;
}

const hexOf = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

export class EpochKeyCache implements DecodedKeys {
  readonly #entries = new Map<string, Entry>();
  /** Recording epoch → party → the hex of the key it holds. */
  readonly #epochs = new Map<Epoch, Map<string, string>>();
  #size = 0;

  constructor(private readonly maxEntries = 100_000) {}

  lookup(verificationKey: Uint8Array): { readonly key: VerificationKeyPoP; readonly popVerified: boolean } | undefined {
    return this.#entries.get(hexOf(verificationKey));
  }

  /** The decoded key `party` holds for `epoch` (replacing the one it held). `popVerified`: verified by this process. */
  remember(epoch: Epoch, partyId: string, verificationKey: Uint8Array, key: VerificationKeyPoP, popVerified: boolean): void {
    const hex = hexOf(verificationKey);
    let parties = this.#epochs.get(epoch);
    if (parties === undefined) {
      parties = new Map();
      this.#epochs.set(epoch, parties);
    }
    const previous = parties.get(partyId);
    if (previous === hex) {
      const entry = this.#entries.get(hex)!;
      if (popVerified && !entry.popVerified) this.#entries.set(hex, { key, popVerified, holders: entry.holders });
      return;
    }
    if (previous !== undefined) this.#release(previous);
    else this.#size += 1;
    parties.set(partyId, hex);
    const entry = this.#entries.get(hex);
    if (entry === undefined) this.#entries.set(hex, { key, popVerified, holders: 1 });
    else this.#entries.set(hex, { key: entry.key, popVerified: entry.popVerified || popVerified, holders: entry.holders + 1 });
    while (this.#size > this.maxEntries && this.#epochs.size > 1) {
      let oldest = epoch;
      for (const recorded of this.#epochs.keys()) if (recorded < oldest) oldest = recorded;
      if (oldest === epoch) break;
      this.#drop(oldest);
    }
  }

  /** Forgets every epoch before `epoch` (their signer sets are closed and held by whoever needs them). */
  evictBefore(epoch: Epoch): void {
    for (const recorded of [...this.#epochs.keys()]) if (recorded < epoch) this.#drop(recorded);
  }

  /** Keys held (each (epoch, party) counted once). */
  get size(): number {
    return this.#size;
  }

  #drop(epoch: Epoch): void {
    const parties = this.#epochs.get(epoch);
    if (parties === undefined) return;
    for (const hex of parties.values()) this.#release(hex);
    this.#size -= parties.size;
    this.#epochs.delete(epoch);
  }

  #release(hex: string): void {
    const entry = this.#entries.get(hex);
    if (entry === undefined) return;
    if (entry.holders <= 1) this.#entries.delete(hex);
    else entry.holders -= 1;
  }
}
