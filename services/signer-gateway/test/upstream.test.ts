/**
 * The aggregator adapter with several aggregator replicas behind one target: a follower refuses
 * the intake with UNAVAILABLE (ERROR_CODE_NOT_READY, reason NOT_LEADER), and the channel retries
 * it on the next address until the leader takes it (src/upstream.ts, AGGREGATOR_SERVICE_CONFIG).
 */
import { credentials } from '@grpc/grpc-js';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { ErrorCode, SignatureRegistrationStatus, createServiceError, readErrorDetail, type SingleSignature } from '@mithril-ts/proto';
import { createLogger } from '@mithril-ts/service-kit';
import { GrpcAggregator } from '../src/upstream.js';
import { AggregatorDouble, signingRound } from './fixture.js';

const notLeader = () =>
  createServiceError({ code: ErrorCode.ERROR_CODE_NOT_READY, message: 'this aggregator replica is a follower', metadata: { reason: 'NOT_LEADER' } });

describe('aggregator replicas behind one address', () => {
  const { epochSettings } = signingRound({ k: 2n, m: 10n, phiF: 0.9 }, [1n], 5n);
  let leader: AggregatorDouble;
  let follower: AggregatorDouble;
  beforeEach(async () => {
    leader = await new AggregatorDouble(epochSettings).start();
    follower = await new AggregatorDouble(epochSettings).start();
    follower.signatureError = notLeader();
    follower.registerSignerError = notLeader();
  });
  afterEach(async () => {
    await leader.close();
    await follower.close();
  });

  const adapter = (address: string) =>
    new GrpcAggregator({
      address,
      credentials: credentials.createInsecure(),
      deadlineMs: 5000,
      nodeVersion: '0.1.0',
      tracer: trace.getTracer('test'),
      logger: createLogger('test', 'silent'),
    });
  const signature = (i: number): SingleSignature => ({
    signedEntityType: undefined,
    partyId: `pool${i}`,
    signature: Buffer.alloc(4, i),
    wonIndexes: [],
    signedMessage: '',
  });

  it('retries an intake refused by a follower on the next replica: every call reaches the leader', async () => {
    const aggregator = adapter(`ipv4:127.0.0.1:${follower.port},127.0.0.1:${leader.port}`);
    try {
      for (let i = 0; i < 6; i += 1) {
        expect(await aggregator.registerSignature(signature(i), { trace: ROOT_CONTEXT })).toBe(
          SignatureRegistrationStatus.SIGNATURE_REGISTRATION_STATUS_ACCEPTED,
        );
      }
      expect(leader.signatureRequests.map((r) => r.signature?.partyId)).toEqual(['pool0', 'pool1', 'pool2', 'pool3', 'pool4', 'pool5']);
      // Balanced over both: the follower was asked (and refused) too.
      expect(follower.calls.filter((c) => c.method === 'RegisterSignatures').length).toBeGreaterThan(0);
    } finally {
      aggregator.close();
    }
  });

  it('passes the typed refusal on when no replica leads (the signer retries later)', async () => {
    const aggregator = adapter(`ipv4:127.0.0.1:${follower.port}`);
    try {
      const refusal = await aggregator.registerSignature(signature(1), { trace: ROOT_CONTEXT }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refusal).toMatchObject({ code: ErrorCode.ERROR_CODE_NOT_READY, detailMetadata: { reason: 'NOT_LEADER' } });
      // Retried (4 attempts at most), not forever.
      const attempts = follower.calls.filter((c) => c.method === 'RegisterSignatures').length;
      expect(attempts).toBeGreaterThan(1);
      expect(attempts).toBeLessThanOrEqual(4);
    } finally {
      aggregator.close();
    }
    expect(readErrorDetail(notLeader())?.metadata).toEqual({ reason: 'NOT_LEADER' });
  });
});
