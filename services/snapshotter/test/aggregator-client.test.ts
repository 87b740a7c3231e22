/** The aggregator adapter of CertificateLookup, against AggregatorService doubles on loopback: what it believes and what it refuses. */
import type { sendUnaryData, ServerUnaryCall, UntypedServiceImplementation } from '@grpc/grpc-js';
import { trace } from '@opentelemetry/api';
import { AggregatorServiceService, ErrorCode, certificateToProto, createServiceError, type GetCertificateRequest } from '@mithril-ts/proto';
import { hostedService, startGrpcServer, type RunningServer } from '@mithril-ts/service-kit';
import { AggregatorCertificates } from '../src/index.js';
import { CertifiedRoots, rejection } from './fixture.js';

const roots = new CertifiedRoots();
const certified = roots.certify(3n, 7n, 'ab'.repeat(32));
const servers: RunningServer[] = [];
const lookups: AggregatorCertificates[] = [];
afterAll(async () => {
  for (const lookup of lookups.splice(0)) lookup.close();
  for (const server of servers.splice(0)) await server.close();
});

/** An AggregatorService whose GetCertificate answers `answer(hash)`. */
async function aggregatorAnswering(answer: (hash: string) => ReturnType<typeof certificateToProto> | undefined): Promise<AggregatorCertificates> {
  const implementation: UntypedServiceImplementation = {
    getCertificate: (call: ServerUnaryCall<GetCertificateRequest, unknown>, callback: sendUnaryData<unknown>) => {
      const certificate = answer(call.request.hash);
      if (certificate === undefined) callback(createServiceError({ code: ErrorCode.ERROR_CODE_CERTIFICATE_NOT_FOUND, message: 'no such certificate' }));
      else callback(null, { certificate, certificateJson: '' });
    },
  };
  const server = await startGrpcServer({
    host: '127.0.0.1',
    port: 0,
    services: [hostedService({ definition: AggregatorServiceService, implementation, nodeVersion: '0.1.0' })],
  });
  servers.push(server);
  return lookupAt(`127.0.0.1:${server.port}`);
}

function lookupAt(address: string): AggregatorCertificates {
  const lookup = new AggregatorCertificates({ address, deadlineMs: 2_000, nodeVersion: '0.1.0', tracer: trace.getTracer('test') });
  lookups.push(lookup);
  return lookup;
}

describe('AggregatorCertificates', () => {
  it('gives the certificate whose content hashes to the hash asked for; undefined when the aggregator has none', async () => {
    const lookup = await aggregatorAnswering((hash) => (hash === certified.hash ? certificateToProto(certified) : undefined));
    const answer = await lookup.certificate(certified.hash);
    expect(answer?.hash).toBe(certified.hash);
    expect(answer?.protocolMessage.get('cardano_database_merkle_root')).toBe('ab'.repeat(32));
    expect(await lookup.certificate('00'.repeat(32))).toBeUndefined();
  });

  it('refuses a certificate whose content is not what its hash says (another root under the same hash)', async () => {
    const lookup = await aggregatorAnswering(() => {
      const message = certificateToProto(certified);
      const parts = message.protocolMessage!.parts.map((part) => (part.key === 'cardano_database_merkle_root' ? { ...part, value: 'cd'.repeat(32) } : part));
      return { ...message, protocolMessage: { parts } };
    });
    expect(await rejection(lookup.certificate(certified.hash))).toMatchObject({ code: 'CERTIFICATE_MISMATCH', metadata: { check: 'certificate' } });
  });

  it('reports an unreachable aggregator as CERTIFICATE_UNAVAILABLE (retry later), not as a refusal', async () => {
    const probe = await startGrpcServer({ host: '127.0.0.1', port: 0, services: [] });
    const address = `127.0.0.1:${probe.port}`;
    await probe.close();
    expect(await rejection(lookupAt(address).certificate(certified.hash))).toMatchObject({ code: 'CERTIFICATE_UNAVAILABLE' });
  });
});
