/**
 * Single signatures this gateway decoded and verified lately, by their bytes: a signer resends the
 * same signature when its first answer was lost or said "not ready" (the aggregator's answer came
 * after the deadline), and in a burst that is thousands of resends. A resend of bytes verified
 * against the same epoch view (signer set, parameters, message in the key) is forwarded without a
 * second decode (a point decompression and a subgroup check) or verification: the same bytes
 * verify the same way against the same set and message.
 *
 * Bounded: at most `capacity` entries, the oldest dropped first. Anyone may send signatures, so
 * the cache can be churned, never grown; churning costs the sender the decode it would have paid.
 */
import type { SingleSignature } from '@mithril-ts/stm';

export class RecentSignatures {
  readonly #entries = new Map<string, { readonly signature: SingleSignature; readonly verifiedFor: string }>();

  constructor(private readonly capacity = 16_384) {}

  static key(partyId: string, signedMessage: string, bytes: Uint8Array): string {
    return `${partyId}|${signedMessage}|${Buffer.from(bytes).toString('base64')}`;
  }

  /** The decoded signature of these bytes, if they verified lately. */
  decoded(key: string): SingleSignature | undefined {
    return this.#entries.get(key)?.signature;
  }

  /** Whether these bytes verified against the view `viewId`. */
  verified(key: string, viewId: string): boolean {
    return this.#entries.get(key)?.verifiedFor === viewId;
  }

  /** These bytes decoded to `signature`, which verified against the view `verifiedFor`. */
  remember(key: string, signature: SingleSignature, verifiedFor: string): void {
    this.#entries.delete(key);
    this.#entries.set(key, { signature, verifiedFor });
    if (this.#entries.size > this.capacity) this.#entries.delete(this.#entries.keys().next().value!);
  }

  get size(): number {
    return this.#entries.size;
  }
}
