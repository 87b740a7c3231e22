import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata, status } from '@grpc/grpc-js';
import { ROOT_CONTEXT, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startCertifier, type RegistrationRequest } from '@mithril-ts/certifier';
import { ErrorCode, SignatureRegistrationStatus, createServiceError, readErrorDetail, setVersionMetadata, type SignerRegistration } from '@mithril-ts/proto';
import { channelCredentials, createLogger, injectTraceContext, serverTls } from '@mithril-ts/service-kit';
import { SingleSignature } from '@mithril-ts/stm';
import { signerGatewayConfigSchema, startSignerGateway, type RunningSignerGateway, type SignerGatewayConfigInput } from '../src/index.js';
import {
  EPOCH as REGISTRATION_EPOCH,
  SLOTS_PER_KES_PERIOD,
  chainDirectory,
  createCertificateAuthority,
  testPool,
  writePemPair,
  type PemFiles,
} from '@mithril-ts/testkit';
import {
  AggregatorDouble,
  versionMetadata,
  GatewayCaller,
  failure,
  forgedSignature,
  hexMessage,
  poolId,
  sign,
  signatureMessage,
  signingRound,
} from './fixture.js';

const SIGNING_EPOCH = 12n;
const round = signingRound({ k: 5n, m: 50n, phiF: 0.9 }, [10n, 20n, 30n, 40n], SIGNING_EPOCH);
const [alice, bob, carol, dave] = round.parties as [(typeof round.parties)[0], (typeof round.parties)[0], (typeof round.parties)[0], (typeof round.parties)[0]];
const message = hexMessage('protocol message of the round');

/** Pools 0–3 have stake on the certifier's chain; pool 4 is unknown to it. */
const pools = [0, 1, 2, 3, 4].map((i) => testPool(i));
const logger = createLogger('test', 'silent');

let certifier: Awaited<ReturnType<typeof startCertifier>>;
let aggregator: AggregatorDouble;
let gateway: RunningSignerGateway;
let caller: GatewayCaller;
const extra: { gateway: RunningSignerGateway; caller: GatewayCaller }[] = [];

function config(overrides: Partial<SignerGatewayConfigInput> = {}) {
  return signerGatewayConfigSchema.parse({
    port: 0,
    certifierAddress: `127.0.0.1:${certifier.port}`,
    aggregatorAddress: aggregator.address,
    registrationBurst: 3,
    registrationRatePerSecond: 0.001,
    signatureBurst: 20,
    signatureRatePerSecond: 0.001,
    epochSettingsTtlMs: 60_000,
    logLevel: 'silent',
    insecure: true,
    ...overrides,
  });
}

async function anotherGateway(overrides: Partial<SignerGatewayConfigInput>, options: Parameters<typeof startSignerGateway>[1] = { logger }) {
  const started = await startSignerGateway(config(overrides), options);
  const entry = { gateway: started, caller: new GatewayCaller(started.port) };
  extra.push(entry);
  return entry;
}

beforeAll(async () => {
  certifier = await startCertifier({
    host: '127.0.0.1',
    port: 0,
    chainDirectory: chainDirectory(pools.slice(0, 4)),
    slotsPerKesPeriod: SLOTS_PER_KES_PERIOD,
    storeUrl: `file:${join(mkdtempSync(join(tmpdir(), 'gateway-certifier-')), 'certifier.sqlite')}`,
    logLevel: 'fatal',
    insecure: true,
    allowInsecureKeyPermissions: false,
    allowedClients: ['signer-gateway'],
  });
  aggregator = await new AggregatorDouble(round.epochSettings).start();
  gateway = await startSignerGateway(config(), { logger });
  caller = new GatewayCaller(gateway.port);
});

afterAll(async () => {
  for (const entry of [...extra, { gateway, caller }]) {
    entry.caller.close();
    await entry.gateway.close();
  }
  await aggregator.close();
  await certifier.close();
});

function toProto(request: RegistrationRequest): SignerRegistration {
  return {
    epoch: request.epoch,
    partyId: request.partyId,
    verificationKey: Buffer.from(request.verificationKey),
    verificationKeySignature: request.verificationKeySignature && Buffer.from(request.verificationKeySignature),
    operationalCertificate: request.operationalCertificate && Buffer.from(request.operationalCertificate),
    kesEvolutions: request.kesEvolutions,
  };
}

function expectError(error: { code: number; metadata: Metadata }, grpcStatus: status, code: ErrorCode, messagePattern?: RegExp) {
  expect(status[error.code]).toBe(status[grpcStatus]);
  const detail = readErrorDetail(error);
  expect(detail?.code).toBe(code);
  if (messagePattern) expect(detail?.message).toMatch(messagePattern);
  return detail!;
}

describe('RegisterSigner', () => {
  it('has the registration certified and forwards it with the certification to the aggregator', async () => {
    const registration = toProto(pools[1]!.registration());
    const before = aggregator.calls.length;
    const response = await caller.register(registration);
    expect(response.signer).toEqual({ partyId: pools[1]!.pool.bech32, stake: pools[1]!.stake, epoch: REGISTRATION_EPOCH + 1n });
    const forwarded = aggregator.signerRequests.at(-1)!;
    expect(forwarded.registration).toEqual(registration);
    expect(forwarded.certification).toEqual({ partyId: pools[1]!.pool.bech32, stake: pools[1]!.stake, epoch: REGISTRATION_EPOCH });
    const call = aggregator.calls.slice(before).find((c) => c.method === 'RegisterSigner')!;
    expect(call.metadata.get('mithril-node-version')).toEqual(['0.1.0']);
    expect(call.metadata.get('mithril-protocol-version')).toHaveLength(1);
    expect(Number.isFinite(call.deadline)).toBe(true);
  });

  it("passes the certifier's denial through with its code, message and check", async () => {
    const forwarded = aggregator.signerRequests.length;
    const error = await failure(caller.register(toProto(pools[0]!.registration({ partyId: pools[2]!.pool.bech32 }))));
    const detail = expectError(error, status.PERMISSION_DENIED, ErrorCode.ERROR_CODE_CERTIFICATION_DENIED, /pool-id/);
    expect(detail.metadata.check).toBe('pool-id');
    expect(aggregator.signerRequests).toHaveLength(forwarded);
  });

  it("passes the aggregator's typed errors through", async () => {
    aggregator.registerSignerError = createServiceError({
      code: ErrorCode.ERROR_CODE_REGISTRATION_ROUND_NOT_OPEN,
      message: 'no round open for epoch 7',
      metadata: { epoch: '7' },
    });
    try {
      const error = await failure(caller.register(toProto(pools[3]!.registration())));
      const detail = expectError(error, status.FAILED_PRECONDITION, ErrorCode.ERROR_CODE_REGISTRATION_ROUND_NOT_OPEN, /^no round open for epoch 7$/);
      expect(detail.metadata).toEqual({ epoch: '7' });
    } finally {
      aggregator.registerSignerError = undefined;
    }
  });

  describe('refuses malformed registrations with MALFORMED_REQUEST naming the field', () => {
    const valid = () => toProto(pools[0]!.registration());
    it.each<[string, () => SignerRegistration | undefined, RegExp]>([
      ['no registration', () => undefined, /registration is missing/],
      ['no party id', () => ({ ...valid(), partyId: '' }), /party_id is missing/],
      ['a party id that is not bech32', () => ({ ...valid(), partyId: 'pool1notbech32' }), /party_id/],
      ['a party id with another prefix', () => ({ ...valid(), partyId: poolId('x').replace(/^pool1/, 'addr1') }), /party_id/],
      ['an upper-case party id', () => ({ ...valid(), partyId: pools[0]!.pool.bech32.toUpperCase() }), /party_id must be lowercase/],
      ['a short verification key', () => ({ ...valid(), verificationKey: Buffer.alloc(96) }), /verification_key must be 192 bytes/],
      ['an undecodable verification key', () => ({ ...valid(), verificationKey: Buffer.alloc(192, 0xff) }), /verification_key is not a Mithril key/],
      ['a KES signature of the wrong size', () => ({ ...valid(), verificationKeySignature: Buffer.alloc(449) }), /verification_key_signature/],
      ['an oversized operational certificate', () => ({ ...valid(), operationalCertificate: Buffer.alloc(1025) }), /operational_certificate/],
      ['KES evolutions beyond the key lifetime', () => ({ ...valid(), kesEvolutions: 64 }), /kes_evolutions/],
      ['a KES signature without its operational certificate', () => ({ ...valid(), operationalCertificate: undefined }), /go together/],
    ])('%s', async (_, registration, pattern) => {
      const forwarded = aggregator.calls.length;
      const error = await failure(caller.register(registration()));
      expectError(error, status.INVALID_ARGUMENT, ErrorCode.ERROR_CODE_MALFORMED_REQUEST, pattern);
      expect(aggregator.calls).toHaveLength(forwarded);
    });
  });

  it('rate-limits registrations per pool', async () => {
    // Pool 4 is unknown to the certifier: the first three are denied there, the fourth never leaves the gateway.
    const registration = toProto(pools[4]!.registration());
    for (let i = 0; i < 3; i += 1)
      expectError(await failure(caller.register(registration)), status.PERMISSION_DENIED, ErrorCode.ERROR_CODE_CERTIFICATION_DENIED);
    expectError(await failure(caller.register(registration)), status.RESOURCE_EXHAUSTED, ErrorCode.ERROR_CODE_RATE_LIMITED, /too many registrations/);
    // Another pool is not affected.
    await expect(caller.register(toProto(pools[2]!.registration()))).resolves.toBeDefined();
  });

  it('answers NOT_READY when the certifier cannot be reached', async () => {
    const { caller: lonely } = await anotherGateway({ certifierAddress: '127.0.0.1:1', certifierDeadlineMs: 2_000 });
    const error = await failure(lonely.register(toProto(pools[0]!.registration())));
    expectError(error, status.UNAVAILABLE, ErrorCode.ERROR_CODE_NOT_READY, /certifier cannot be reached/);
  });

  it('refuses calls without version metadata or from an incompatible protocol version', async () => {
    const forwarded = aggregator.calls.length;
    expectError(
      await failure(caller.register(toProto(pools[0]!.registration()), new Metadata())),
      status.INVALID_ARGUMENT,
      ErrorCode.ERROR_CODE_MISSING_VERSION_METADATA,
    );
    const incompatible = setVersionMetadata({ nodeVersion: '9.0.0', protocolVersion: '9.0.0' });
    expectError(
      await failure(caller.submit(signatureMessage(alice, sign(alice, message), message, SIGNING_EPOCH), incompatible)),
      status.FAILED_PRECONDITION,
      ErrorCode.ERROR_CODE_INCOMPATIBLE_PROTOCOL_VERSION,
    );
    expect(aggregator.calls).toHaveLength(forwarded);
  });
});

describe('RegisterSignature', () => {
  const aliceSignature = sign(alice, message);

  it('verifies a signature and forwards it to the aggregator, answering with its status', async () => {
    const submitted = signatureMessage(alice, aliceSignature, message, SIGNING_EPOCH);
    const response = await caller.submit(submitted);
    expect(response.status).toBe(SignatureRegistrationStatus.SIGNATURE_REGISTRATION_STATUS_ACCEPTED);
    expect(aggregator.signatureRequests.at(-1)!.signature).toEqual(submitted);
    const call = aggregator.calls.filter((c) => c.method === 'RegisterSignatures').at(-1)!;
    expect(call.metadata.get('mithril-node-version')).toEqual(['0.1.0']);

    aggregator.signatureStatus = SignatureRegistrationStatus.SIGNATURE_REGISTRATION_STATUS_BUFFERED;
    try {
      const later = hexMessage('a message the aggregator has not opened yet');
      expect((await caller.submit(signatureMessage(bob, sign(bob, later), later, SIGNING_EPOCH))).status).toBe(
        SignatureRegistrationStatus.SIGNATURE_REGISTRATION_STATUS_BUFFERED,
      );
    } finally {
      aggregator.signatureStatus = SignatureRegistrationStatus.SIGNATURE_REGISTRATION_STATUS_ACCEPTED;
    }
  });

  describe('refuses signatures that do not verify, without forwarding them', () => {
    const other = hexMessage('another message');
    it.each<[string, () => ReturnType<typeof signatureMessage>, status, ErrorCode, RegExp]>([
      [
        'over another message',
        () => signatureMessage(alice, aliceSignature, other, SIGNING_EPOCH),
        status.INVALID_ARGUMENT,
        ErrorCode.ERROR_CODE_SIGNATURE_INVALID,
        /does not verify/,
      ],
      [
        'with a tampered sigma',
        () =>
          signatureMessage(alice, new SingleSignature(sign(alice, other).sigma, aliceSignature.indexes, aliceSignature.signerIndex), message, SIGNING_EPOCH),
        status.INVALID_ARGUMENT,
        ErrorCode.ERROR_CODE_SIGNATURE_INVALID,
        /does not verify/,
      ],
      [
        "under another party's signer index",
        () => signatureMessage(alice, new SingleSignature(aliceSignature.sigma, aliceSignature.indexes, bob.signer.signerIndex), message, SIGNING_EPOCH),
        status.INVALID_ARGUMENT,
        ErrorCode.ERROR_CODE_SIGNATURE_INVALID,
        /belongs to another party/,
      ],
      [
        'submitted by a party that did not make it',
        () => signatureMessage(carol, aliceSignature, message, SIGNING_EPOCH),
        status.INVALID_ARGUMENT,
        ErrorCode.ERROR_CODE_SIGNATURE_INVALID,
        /belongs to another party/,
      ],
      [
        'under a signer index beyond the signers',
        () => signatureMessage(alice, new SingleSignature(aliceSignature.sigma, aliceSignature.indexes, 9), message, SIGNING_EPOCH),
        status.INVALID_ARGUMENT,
        ErrorCode.ERROR_CODE_SIGNATURE_INVALID,
        /not a signer/,
      ],
      [
        'from a party that is not a signer of the epoch',
        () => signatureMessage({ partyId: poolId('stranger') }, aliceSignature, message, SIGNING_EPOCH),
        status.NOT_FOUND,
        ErrorCode.ERROR_CODE_UNKNOWN_SIGNER,
        /not a signer of epoch 12/,
      ],
      [
        'for a past epoch',
        () => signatureMessage(alice, aliceSignature, message, SIGNING_EPOCH - 1n),
        status.FAILED_PRECONDITION,
        ErrorCode.ERROR_CODE_SIGNATURE_TOO_LATE,
        /epoch 11/,
      ],
      [
        'for an epoch the aggregator has not reached',
        () => signatureMessage(alice, aliceSignature, message, SIGNING_EPOCH + 1n),
        status.UNAVAILABLE,
        ErrorCode.ERROR_CODE_NOT_READY,
        /epoch 13/,
      ],
    ])('%s', async (_, submitted, grpcStatus, code, pattern) => {
      const forwarded = aggregator.signatureRequests.length;
      expectError(await failure(caller.submit(submitted())), grpcStatus, code, pattern);
      expect(aggregator.signatureRequests).toHaveLength(forwarded);
    });
  });

  describe('refuses malformed signatures with MALFORMED_REQUEST naming the field', () => {
    const valid = () => signatureMessage(alice, aliceSignature, message, SIGNING_EPOCH);
    it.each<[string, () => ReturnType<typeof signatureMessage> | undefined, RegExp]>([
      ['no signature', () => undefined, /signature is missing/],
      ['no signed entity type', () => ({ ...valid(), signedEntityType: undefined }), /signed_entity_type is missing/],
      ['no party id', () => ({ ...valid(), partyId: '' }), /party_id is missing/],
      ['a party id that is not a pool id', () => ({ ...valid(), partyId: 'stake1uxyz' }), /party_id/],
      ['empty signature bytes', () => ({ ...valid(), signature: Buffer.alloc(0) }), /signature.signature is missing/],
      ['undecodable signature bytes', () => ({ ...valid(), signature: Buffer.from('not a signature') }), /not an STM single signature/],
      ['oversized signature bytes', () => ({ ...valid(), signature: Buffer.alloc(64 * 1024 + 1) }), /above the limit/],
      ['no signed message', () => ({ ...valid(), signedMessage: '' }), /signed_message/],
      ['an upper-case signed message', () => ({ ...valid(), signedMessage: message.toUpperCase() }), /signed_message/],
      ['won indexes that differ from the signature', () => ({ ...valid(), wonIndexes: valid().wonIndexes.slice(1) }), /won_indexes/],
      ['no won indexes', () => ({ ...valid(), wonIndexes: [] }), /won_indexes/],
    ])('%s', async (_, submitted, pattern) => {
      const forwarded = aggregator.calls.length;
      expectError(await failure(caller.submit(submitted())), status.INVALID_ARGUMENT, ErrorCode.ERROR_CODE_MALFORMED_REQUEST, pattern);
      expect(aggregator.calls).toHaveLength(forwarded);
    });
  });

  it("passes the aggregator's typed errors through", async () => {
    const signature = signatureMessage(dave, sign(dave, message), message, SIGNING_EPOCH);
    for (const [code, grpcStatus] of [
      [ErrorCode.ERROR_CODE_NO_OPEN_MESSAGE, status.NOT_FOUND],
      [ErrorCode.ERROR_CODE_SIGNATURE_TOO_LATE, status.FAILED_PRECONDITION],
    ] as const) {
      aggregator.signatureError = createServiceError({ code, message: `aggregator says ${code}` });
      try {
        expectError(await failure(caller.submit(signature)), grpcStatus, code, new RegExp(`^aggregator says ${code}$`));
      } finally {
        aggregator.signatureError = undefined;
      }
    }
  });

  it("answers NOT_READY, not the aggregator's complaint, when the aggregator refuses the gateway itself", async () => {
    const signature = signatureMessage(dave, sign(dave, message), message, SIGNING_EPOCH);
    aggregator.signatureError = createServiceError({ code: ErrorCode.ERROR_CODE_INCOMPATIBLE_PROTOCOL_VERSION, message: 'protocol 0.1 is not served here' });
    try {
      expectError(
        await failure(caller.submit(signature)),
        status.UNAVAILABLE,
        ErrorCode.ERROR_CODE_NOT_READY,
        /aggregator refused this gateway: protocol 0.1 is not served here/,
      );
    } finally {
      aggregator.signatureError = undefined;
    }
  });

  it('rate-limits signatures per pool', async () => {
    const stranger = signatureMessage({ partyId: poolId('flooder') }, aliceSignature, message, SIGNING_EPOCH);
    for (let i = 0; i < 20; i += 1) expectError(await failure(caller.submit(stranger)), status.NOT_FOUND, ErrorCode.ERROR_CODE_UNKNOWN_SIGNER);
    expectError(await failure(caller.submit(stranger)), status.RESOURCE_EXHAUSTED, ErrorCode.ERROR_CODE_RATE_LIMITED, /too many signatures/);
  });
});

/** In-memory metrics: the data points of one instrument after a flush. */
function inMemoryMeter() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const provider = new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })] });
  return {
    meter: provider.getMeter('test'),
    async points(name: string) {
      await provider.forceFlush();
      return exporter
        .getMetrics()
        .at(-1)!
        .scopeMetrics.flatMap((scope) => scope.metrics)
        .filter((metric) => metric.descriptor.name === name)
        .flatMap((metric) => metric.dataPoints.map((point) => ({ attributes: point.attributes, value: point.value })));
    },
    shutdown: () => provider.shutdown(),
  };
}

describe('batched verification', () => {
  it('verifies a burst of signatures with one pairing product, isolates the bad one, and fetches the epoch settings once', async () => {
    const metrics = inMemoryMeter();
    // The batch is verified when its fifth signature arrives (the window is far longer than the test).
    const { caller: burst } = await anotherGateway({ batchMaxSignatures: 5, batchWindowMs: 600_000 }, { logger, meter: metrics.meter });
    const burstMessage = hexMessage('message signed in a burst');
    const valid = [alice, bob, carol, dave].map((party) => signatureMessage(party, sign(party, burstMessage), burstMessage, SIGNING_EPOCH));
    const forged = signatureMessage(alice, forgedSignature(alice, burstMessage, round), burstMessage, SIGNING_EPOCH);
    const fetches = aggregator.epochSettingsCalls;
    const forwarded = aggregator.signatureRequests.length;

    const results = await Promise.allSettled([valid[0]!, valid[1]!, forged, valid[2]!, valid[3]!].map((submission) => burst.submit(submission)));

    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const detail = expectError(
      (results[2] as PromiseRejectedResult).reason,
      status.INVALID_ARGUMENT,
      ErrorCode.ERROR_CODE_SIGNATURE_INVALID,
      /does not verify/,
    );
    expect(detail.metadata.stm_error).toBe('INVALID_SIGNATURE');
    expect(aggregator.signatureRequests.slice(forwarded).map((request) => request.signature)).toEqual(expect.arrayContaining(valid));
    expect(aggregator.signatureRequests).toHaveLength(forwarded + 4);
    expect(aggregator.epochSettingsCalls).toBe(fetches + 1);
    const batches = await metrics.points('mithril_signer_gateway_verification_batch_size');
    expect(batches).toHaveLength(1);
    expect(batches[0]!.value).toMatchObject({ count: 1, sum: 5 });
    await metrics.shutdown();
  });
});

describe('telemetry', () => {
  const spans = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }).getTracer('test');

  beforeAll(() => propagation.setGlobalPropagator(new W3CTraceContextPropagator()));
  afterAll(() => propagation.disable());

  it("traces each call as a child of the caller's span, with the upstream calls as children carrying the trace on", async () => {
    const metrics = inMemoryMeter();
    const { caller: traced } = await anotherGateway({}, { logger, tracer, meter: metrics.meter });
    const signerSpan = tracer.startSpan('signer registers');
    const before = aggregator.calls.length;
    await traced.register(toProto(pools[0]!.registration()), injectTraceContext(versionMetadata(), trace.setSpan(ROOT_CONTEXT, signerSpan)));
    signerSpan.end();

    const finished = spans.getFinishedSpans();
    const server = finished.find((span) => span.name === 'mithril.v1.SignerGatewayService/RegisterSigner')!;
    expect(server.spanContext().traceId).toBe(signerSpan.spanContext().traceId);
    expect(server.parentSpanContext?.spanId).toBe(signerSpan.spanContext().spanId);
    const certify = finished.find((span) => span.name === 'mithril.v1.CertifierService/Certify')!;
    const forward = finished.find((span) => span.name === 'mithril.v1.AggregatorService/RegisterSigner')!;
    for (const child of [certify, forward]) expect(child.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    const call = aggregator.calls.slice(before).find((c) => c.method === 'RegisterSigner')!;
    expect(call.metadata.get('traceparent')).toEqual([`00-${forward.spanContext().traceId}-${forward.spanContext().spanId}-01`]);

    await failure(traced.register(undefined));
    await traced.submit(signatureMessage(bob, sign(bob, message), message, SIGNING_EPOCH));
    await failure(traced.submit(signatureMessage(bob, sign(bob, message), hexMessage('not what bob signed'), SIGNING_EPOCH)));
    expect(await metrics.points('mithril_signer_gateway_registrations_total')).toEqual(
      expect.arrayContaining([
        { attributes: { outcome: 'accepted' }, value: 1 },
        { attributes: { outcome: 'rejected', reason: 'malformed_request' }, value: 1 },
      ]),
    );
    expect(await metrics.points('mithril_signer_gateway_signatures_total')).toEqual(
      expect.arrayContaining([
        { attributes: { outcome: 'accepted' }, value: 1 },
        { attributes: { outcome: 'rejected', reason: 'signature_invalid' }, value: 1 },
      ]),
    );
    const rejected = spans
      .getFinishedSpans()
      .filter((span) => span.name === 'mithril.v1.SignerGatewayService/RegisterSignature')
      .at(-1)!;
    expect(rejected.attributes['mithril.rejection']).toBe('signature_invalid');
    await metrics.shutdown();
  });
});

describe('TLS: a signer → the gateway (public) → the certifier (mTLS) and the aggregator', () => {
  const directory = mkdtempSync(join(tmpdir(), 'gateway-tls-'));
  let files: Record<'gateway' | 'intruder' | 'certifier' | 'aggregator', PemFiles>;
  let caFile: string;
  let otherCaFile: string;
  let tlsCertifier: Awaited<ReturnType<typeof startCertifier>>;
  let tlsAggregator: AggregatorDouble;

  beforeAll(async () => {
    const ca = await createCertificateAuthority('gateway test CA');
    caFile = join(directory, 'ca.crt');
    otherCaFile = join(directory, 'other-ca.crt');
    writeFileSync(caFile, ca.certificatePem);
    writeFileSync(otherCaFile, (await createCertificateAuthority('another CA')).certificatePem);
    const issue = async (name: string) => writePemPair(directory, name, await ca.issue({ commonName: name }));
    files = {
      gateway: await issue('signer-gateway'),
      intruder: await issue('intruder'),
      certifier: await issue('certifier'),
      aggregator: await issue('aggregator'),
    };
    tlsCertifier = await startCertifier(
      {
        host: '127.0.0.1',
        port: 0,
        chainDirectory: chainDirectory(pools.slice(0, 4)),
        slotsPerKesPeriod: SLOTS_PER_KES_PERIOD,
        storeUrl: `file:${join(directory, 'certifier.sqlite')}`,
        allowInsecureKeyPermissions: false,
        logLevel: 'fatal',
        insecure: false,
        tlsCertFile: files.certifier.certFile,
        tlsKeyFile: files.certifier.keyFile,
        tlsCaFile: caFile,
        allowedClients: ['signer-gateway'],
      },
      { logger },
    );
    const aggregatorTls = { insecure: false, tlsCertFile: files.aggregator.certFile, tlsKeyFile: files.aggregator.keyFile, tlsCaFile: caFile };
    tlsAggregator = await new AggregatorDouble(round.epochSettings).start(serverTls(aggregatorTls, 'request').credentials);
  });

  afterAll(async () => {
    await tlsAggregator.close();
    await tlsCertifier.close();
    rmSync(directory, { recursive: true, force: true });
  });

  async function tlsGateway(identity: PemFiles, gatewayCaFile = caFile) {
    const tls = { insecure: false, tlsCertFile: identity.certFile, tlsKeyFile: identity.keyFile, tlsCaFile: gatewayCaFile };
    const started = await startSignerGateway(config({ certifierAddress: `127.0.0.1:${tlsCertifier.port}`, aggregatorAddress: tlsAggregator.address, ...tls }), {
      logger,
    });
    // The signer trusts the network's CA; it has no client certificate.
    const entry = { gateway: started, caller: new GatewayCaller(started.port, channelCredentials({ insecure: false, tlsCaFile: caFile })) };
    extra.push(entry);
    return entry;
  }

  it('certifies and forwards a registration over TLS on every link', async () => {
    const { caller: signer } = await tlsGateway(files.gateway);
    const response = await signer.register(toProto(pools[1]!.registration()));
    expect(response.signer?.partyId).toBe(pools[1]!.pool.bech32);
  });

  it("answers NOT_READY, never the certifier's PERMISSION_DENIED, when the certifier does not allow the gateway's identity", async () => {
    const { caller: signer } = await tlsGateway(files.intruder);
    const error = await failure(signer.register(toProto(pools[1]!.registration())));
    expectError(error, status.UNAVAILABLE, ErrorCode.ERROR_CODE_NOT_READY, /refused this gateway: client intruder, localhost is not allowed/);
  });

  it('answers NOT_READY saying what did not match when the certifier certificate is not from the CA the gateway trusts', async () => {
    const { caller: signer } = await tlsGateway(files.gateway, otherCaFile);
    const error = await failure(signer.register(toProto(pools[1]!.registration())));
    expectError(
      error,
      status.UNAVAILABLE,
      ErrorCode.ERROR_CODE_NOT_READY,
      /certifier cannot be reached \(TLS: the server certificate is not issued by a trusted CA/,
    );
  });
});
