/** WatchCertificates: a server stream of the certificates the runtime seals (a follower: those it sees in the store), optionally of some kinds only. */
import type { ServerWritableStream } from '@grpc/grpc-js';
import type * as proto from '@mithril-ts/proto';
import { checkCallVersions, certificateToProto, signedEntityKindFromProto } from '@mithril-ts/proto';
import type { Certificate } from '@mithril-ts/protocol';
import { serviceErrorOf, type ServiceErrorOptions } from '@mithril-ts/service-kit';
import type { ServingNode } from './shared.js';

/** A streaming handler checks the caller's versions itself (withVersionCheck wraps unary handlers only). */
export function watchCertificatesHandler(node: ServingNode, nodeVersion: string, errors: ServiceErrorOptions) {
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
    let kinds: ReadonlySet<string>;
    try {
      kinds = new Set(call.request.signedEntityKinds.map(signedEntityKindFromProto).filter((k) => k !== undefined));
    } catch (error) {
      call.emit('error', serviceErrorOf(error, 'WatchCertificates', errors));
      return;
    }
    const onCertificate = (certificate: Certificate) => {
      if (kinds.size > 0 && !kinds.has(certificate.signedEntityType.kind)) return;
      call.write({ certificate: announcement(certificate) });
    };
    node.on('certificate', onCertificate);
    const stop = () => {
      node.off('certificate', onCertificate);
      call.end();
    };
    call.on('cancelled', stop);
    call.on('close', () => node.off('certificate', onCertificate));
  };
}
