/**
 * Certificates as the gRPC API sends them, kept by hash. Building one from the store decodes its
 * multi-signature — every point checked, over a second for a mainnet-size certificate — and
 * re-encodes it; certificates never change, so each is built once (or handed over already
 * decoded when it is sealed) and then served from here while it fits the byte budget, the most
 * recently used first to stay.
 */
import { certificateToProto } from '@mithril-ts/proto';
import type * as proto from '@mithril-ts/proto';
import { certificateFromJson, type Certificate } from '@mithril-ts/protocol';
import type { CertificateRecord } from './store/index.js';

/** Room for the latest few hundred certificates of a mainnet-size network. */
export const DEFAULT_CERTIFICATE_ANSWERS_BYTES = 32 * 1024 * 1024;
/** What a certificate costs beside its signature (metadata, signers list, protocol message). */
const OVERHEAD_BYTES = 1024;

export class CertificateAnswers {
  readonly #answers = new Map<string, { message: proto.Certificate; bytes: number }>();
  #bytes = 0;

  constructor(readonly maxBytes: number = DEFAULT_CERTIFICATE_ANSWERS_BYTES) {}

  /** The message of a stored certificate. */
  ofRecord(record: CertificateRecord): proto.Certificate {
    return this.#lookup(record.hash) ?? this.#keep(certificateToProto(certificateFromJson(record.json)));
  }

  /** The message of a certificate already decoded (just sealed). */
  of(certificate: Certificate): proto.Certificate {
    return this.#lookup(certificate.hash) ?? this.#keep(certificateToProto(certificate));
  }

  get size(): number {
    return this.#answers.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  #lookup(hash: string): proto.Certificate | undefined {
    const kept = this.#answers.get(hash);
    if (kept === undefined) return undefined;
    // Map order is the eviction order: a hit moves to the back.
    this.#answers.delete(hash);
    this.#answers.set(hash, kept);
    return kept.message;
  }

  #keep(message: proto.Certificate): proto.Certificate {
    const signature = message.signature?.value;
    const bytes = OVERHEAD_BYTES + (signature?.length ?? 0) + 64 * (message.metadata?.signers.length ?? 0);
    if (bytes > this.maxBytes) return message;
    this.#answers.set(message.hash, { message, bytes });
    this.#bytes += bytes;
    for (const [hash, kept] of this.#answers) {
      if (this.#bytes <= this.maxBytes) break;
      this.#answers.delete(hash);
      this.#bytes -= kept.bytes;
    }
    return message;
  }
}
