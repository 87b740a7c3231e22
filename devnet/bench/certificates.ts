/**
 * The aggregator's certificates as a client sees them: the WatchCertificates stream (opened
 * before a round, it tells when the certificate was sealed) and GetCertificate to fetch a chain,
 * verified back to genesis with libs/protocol's CertificateChainVerifier so that the bench cannot
 * pass on a certificate that does not verify.
 */
import { type ChannelCredentials, type Metadata, status, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import {
  AggregatorServiceClient,
  CertificateForm,
  setVersionMetadata,
  type VersionMetadata,
  type WatchCertificatesResponse,
  certificateFromProto,
} from '@mithril-ts/proto';
import {
  CertificateChainVerifier,
  type Certificate,
  type ChainVerificationResult,
  type ProtocolMessagePartKey,
  type SignedEntityType,
} from '@mithril-ts/protocol';

/** A certificate of 3000 signers is about a megabyte on the wire. */
const MAX_RECEIVE_BYTES = 64 * 1024 * 1024;

export interface ObservedCertificate {
  readonly certificate: Certificate;
  /** performance.now() when the stream delivered it. */
  readonly receivedAt: number;
}

export class CertificateObserver {
  readonly #client: AggregatorServiceClient;
  readonly #seen: ObservedCertificate[] = [];
  readonly #waiters = new Set<() => void>();
  #stream: ClientReadableStream<WatchCertificatesResponse> | undefined;
  #streamError: Error | undefined;

  constructor(
    address: string,
    credentials: ChannelCredentials,
    private readonly versions: VersionMetadata,
  ) {
    this.#client = new AggregatorServiceClient(address, credentials, { 'grpc.max_receive_message_length': MAX_RECEIVE_BYTES });
  }

  #metadata(): Metadata {
    return setVersionMetadata(this.versions);
  }

  /** Opens the stream (all kinds) and waits until the server has answered with its metadata. */
  async watch(): Promise<void> {
    const stream = this.#client.watchCertificates({ signedEntityKinds: [] }, this.#metadata());
    this.#stream = stream;
    stream.on('data', (response: WatchCertificatesResponse) => {
      if (response.certificate === undefined) return;
      this.#seen.push({ certificate: certificateFromProto(response.certificate), receivedAt: performance.now() });
      for (const wake of this.#waiters) wake();
    });
    stream.on('error', (error: ServiceError) => {
      if (error.code === status.CANCELLED) return;
      this.#streamError = error;
      for (const wake of this.#waiters) wake();
    });
    await new Promise<void>((resolve, reject) => {
      stream.once('metadata', () => resolve());
      stream.once('error', reject);
    });
  }

  /** The first streamed certificate of `type`, waiting for it up to `timeoutMs`. */
  certificateOf(type: SignedEntityType, timeoutMs: number): Promise<ObservedCertificate> {
    return this.first(
      (certificate) => certificate.previousHash !== '' && certificate.signedEntityType.kind === type.kind && certificate.signedEntityType.epoch === type.epoch,
      `${type.kind}(epoch ${type.epoch})`,
      timeoutMs,
    );
  }

  /** The first streamed genesis certificate. */
  genesis(timeoutMs: number): Promise<ObservedCertificate> {
    return this.first((certificate) => certificate.previousHash === '', 'genesis', timeoutMs);
  }

  async first(predicate: (certificate: Certificate) => boolean, what: string, timeoutMs: number): Promise<ObservedCertificate> {
    const matches = () => this.#seen.find(({ certificate }) => predicate(certificate));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = matches();
      if (found !== undefined) return found;
      if (this.#streamError !== undefined) throw new Error(`the certificate stream failed: ${this.#streamError.message}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} certificate within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.#waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(left, 1000));
        this.#waiters.add(wake);
      });
    }
  }

  getCertificate(hash: string): Promise<Certificate | undefined> {
    return new Promise((resolve, reject) =>
      this.#client.getCertificate({ hash, form: CertificateForm.CERTIFICATE_FORM_UNSPECIFIED }, this.#metadata(), (error, response) => {
        if (error?.code === status.NOT_FOUND) resolve(undefined);
        else if (error) reject(error);
        else resolve(certificateFromProto(response.certificate));
      }),
    );
  }

  /**
   * Verifies the chain from `certificate` back to genesis under `genesisVerificationKey`, and that
   * the certificate certifies `type` with the message the signers computed themselves.
   */
  async verify(
    certificate: Certificate,
    genesisVerificationKey: Uint8Array,
    expected: { readonly type: SignedEntityType; readonly signedMessage: string; readonly parts: Partial<Record<ProtocolMessagePartKey, string>> },
  ): Promise<ChainVerificationResult> {
    const verifier = new CertificateChainVerifier(genesisVerificationKey);
    const result = await verifier.verifyChain(certificate.hash, { getCertificate: (hash) => this.getCertificate(hash) });
    if (result.endedAt.kind !== 'genesis') throw new Error(`the chain walk ended at a ${result.endedAt.kind} certificate, not at genesis`);
    verifier.assertCertifies(certificate, { signedEntityType: expected.type, parts: expected.parts });
    if (certificate.signedMessage !== expected.signedMessage)
      throw new Error(`the certificate signs ${certificate.signedMessage}, the signers signed ${expected.signedMessage}`);
    return result;
  }

  close(): void {
    this.#stream?.cancel();
    this.#client.close();
  }
}
