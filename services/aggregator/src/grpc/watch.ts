/** WatchCertificates: a server stream of the certificates the runtime seals, optionally of some kinds only. */
import type { ServerWritableStream } from '@grpc/grpc-js';
import type * as proto from '@mithril-ts/proto';
import { checkCallVersions, certificateToProto, signedEntityKindFromProto } from '@mithril-ts/proto';
import type { Certificate, SignedEntityKind } from '@mithril-ts/protocol';
import { serviceErrorOf, type ServiceErrorOptions } from '@mithril-ts/service-kit';
import type { AggregatorRuntime } from '../runtime/aggregator-runtime.js';

/** A streaming handler checks the caller's versions itself (withVersionCheck wraps unary handlers only). */
export function watchCertificatesHandler(runtime: AggregatorRuntime, nodeVersion: string, errors: ServiceErrorOptions) {
  // Every watcher is sent the same message: built once per sealed certificate.
  let announced: { readonly certificate: Certificate; readonly message: proto.Certificate } | undefined;
  const announcement = (certificate: Certificate): proto.Certificate => {
    if (announced?.certificate !== certificate) announced = { certificate, message: certificateToProto(certificate) };
    return announced.message;
  };

  return (call: ServerWritableStream<proto.WatchCertificatesRequest, proto.WatchCertificatesResponse>) => {
    const refusal = checkCallVersions(call, nodeVersion);
    if (refusal !== undefined) {
      call.emit('error', refusal);
      return;
    }
    let kinds: Set<SignedEntityKind>;
    try {
      kinds = new Set(call.request.signedEntityKinds.map(signedEntityKindFromProto).filter((k): k is SignedEntityKind => k !== undefined));
    } catch (error) {
      call.emit('error', serviceErrorOf(error, 'WatchCertificates', errors));
      return;
    }
    const onCertificate = (certificate: Certificate) => {
      if (kinds.size > 0 && !kinds.has(certificate.signedEntityType.kind)) return;
      call.write({ certificate: announcement(certificate) });
    };
    runtime.on('certificate', onCertificate);
    const stop = () => {
      runtime.off('certificate', onCertificate);
      call.end();
    };
    call.on('cancelled', stop);
    call.on('close', () => runtime.off('certificate', onCertificate));
  };
}
