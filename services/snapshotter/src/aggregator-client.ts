/**
 * The aggregator, asked over gRPC for the certificate a CreateSnapshot names (the adapter of
 * `CertificateLookup`). Every call carries this snapshotter's version metadata, a deadline and the
 * trace context of a client span. The answer is decoded strictly and its hash recomputed from its
 * content (no curve point is decoded: milliseconds even for a mainnet certificate), so a
 * certificate is only ever judged by what it really says. The client connects on its first call:
 * the snapshotter may start before the aggregator listens.
 */
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import type { Tracer } from '@opentelemetry/api';
import {
  AggregatorServiceClient,
  CertificateForm,
  checkedEncodedCertificateFromProto,
  readErrorDetail,
  setVersionMetadata,
  type Certificate,
} from '@mithril-ts/proto';
import { PROTOCOL_VERSION, type CertificateHead } from '@mithril-ts/protocol';
import { clientTracingInterceptor } from '@mithril-ts/service-kit';
import type { CertificateLookup } from './certificate-check.js';
import { SnapshotterError, describeError } from './errors.js';

/** A mainnet certificate (3,000 signers) is well under a megabyte; room to spare, the absurd refused. */
const MAX_CERTIFICATE_RESPONSE_BYTES = 16 * 1024 * 1024;

export interface AggregatorCertificatesOptions {
  readonly address: string;
  readonly deadlineMs: number;
  readonly nodeVersion: string;
  readonly tracer: Tracer;
}

export class AggregatorCertificates implements CertificateLookup {
  readonly #client: AggregatorServiceClient;
  readonly #options: AggregatorCertificatesOptions;

  constructor(options: AggregatorCertificatesOptions) {
    this.#options = options;
    this.#client = new AggregatorServiceClient(options.address, credentials.createInsecure(), {
      'grpc.max_receive_message_length': MAX_CERTIFICATE_RESPONSE_BYTES,
      interceptors: [clientTracingInterceptor(options.tracer)],
    });
  }

  async certificate(hash: string): Promise<CertificateHead | undefined> {
    const metadata = setVersionMetadata({ nodeVersion: this.#options.nodeVersion, protocolVersion: PROTOCOL_VERSION });
    const answer = await new Promise<Certificate | undefined>((resolve, reject) => {
      this.#client.getCertificate(
        { hash, form: CertificateForm.CERTIFICATE_FORM_UNSPECIFIED },
        metadata,
        { deadline: Date.now() + this.#options.deadlineMs },
        (error: ServiceError | null, response) => {
          if (error === null) return resolve(response.certificate);
          if (error.code === status.NOT_FOUND) return resolve(undefined);
          const detail = readErrorDetail(error);
          reject(
            new SnapshotterError(
              'CERTIFICATE_UNAVAILABLE',
              `the aggregator at ${this.#options.address} did not answer GetCertificate: ${detail?.message ?? error.details ?? error.message}`,
              { cause: error },
            ),
          );
        },
      );
    });
    if (answer === undefined) return undefined;
    try {
      // The hash the aggregator stores it under is recomputed: a certificate is judged by its content.
      return checkedEncodedCertificateFromProto(answer);
    } catch (error) {
      throw new SnapshotterError('CERTIFICATE_MISMATCH', `the aggregator's certificate ${hash} is not valid: ${describeError(error)}`, {
        cause: error,
        metadata: { check: 'certificate', certificate_hash: hash },
      });
    }
  }

  close(): void {
    this.#client.close();
  }
}
