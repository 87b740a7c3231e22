/** The certificate chain: listing, one certificate by hash, the latest genesis certificate. */
import * as proto from '@mithril-ts/proto';
import { certificateListItemToProto, encodedCertificateToProto } from '@mithril-ts/proto';
import { certificateHeadFromJson, encodedCertificateFromJson } from '@mithril-ts/protocol';
import type { AggregatorStore, CertificateRecord } from '../store/index.js';
import { AggregatorError } from '../runtime/errors.js';
import { HASH, nextPageToken, pageOf, type Unary } from './shared.js';

/**
 * A stored certificate in the form asked for: its reference JSON as stored (what a REST relay
 * serves), or the message, transcoded from that JSON without decoding the multi-signature's
 * points (milliseconds for a mainnet-size certificate, where decoding takes seconds). The points
 * were checked when the certificate was sealed; clients check them again.
 */
function certificateAnswer(record: CertificateRecord, form: proto.CertificateForm): { certificate: proto.Certificate | undefined; certificateJson: string } {
  switch (form) {
    case proto.CertificateForm.CERTIFICATE_FORM_REFERENCE_JSON:
      return { certificate: undefined, certificateJson: record.json };
    case proto.CertificateForm.CERTIFICATE_FORM_UNSPECIFIED:
      return { certificate: encodedCertificateToProto(encodedCertificateFromJson(record.json)), certificateJson: '' };
    default:
      throw new AggregatorError('MALFORMED_REQUEST', `unknown certificate form ${String(form)}`);
  }
}

/** A stored certificate without its multi-signature decoded: all a listing needs (see CertificateHead). */
export const head = (record: CertificateRecord) => certificateHeadFromJson(record.json);

export function certificateHandlers(store: AggregatorStore, unary: Unary) {
  return {
    listCertificates: unary<proto.ListCertificatesRequest, proto.ListCertificatesResponse>('ListCertificates', async (request) => {
      const page = pageOf(request);
      const records = await store.certificates.latest({ limit: page.limit + 1, offset: page.offset });
      return {
        certificates: records.slice(0, page.limit).map((record) => certificateListItemToProto(head(record))),
        nextPageToken: nextPageToken(page, records.length),
      };
    }),

    getCertificate: unary<proto.GetCertificateRequest, proto.GetCertificateResponse>('GetCertificate', async (request) => {
      if (!HASH.test(request.hash)) throw new AggregatorError('MALFORMED_REQUEST', 'a certificate hash is 64 lowercase hex characters');
      const record = await store.certificates.get(request.hash);
      if (record === null) throw new AggregatorError('CERTIFICATE_NOT_FOUND', `no certificate has hash ${request.hash}`);
      return certificateAnswer(record, request.form);
    }),

    getGenesisCertificate: unary<proto.GetGenesisCertificateRequest, proto.GetGenesisCertificateResponse>('GetGenesisCertificate', async (request) => {
      const record = await store.certificates.latestGenesis();
      if (record === null) throw new AggregatorError('CERTIFICATE_NOT_FOUND', 'no genesis certificate exists yet');
      return certificateAnswer(record, request.form);
    }),
  };
}
