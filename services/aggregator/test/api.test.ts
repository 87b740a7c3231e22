/**
 * The aggregator as its clients see it: the gRPC API over loopback (typed errors, version
 * metadata, pagination, the certificate stream) and the genesis ceremony (export, offline sign,
 * import) on a real store and chain files.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { parsePoolId } from '@mithril-ts/cardano';
import {
  AggregatorServiceClient,
  aggregatorStatusFromProto,
  Certificate as CertificateMessageCodec,
  CertificateForm,
  ErrorCode,
  readErrorDetail,
  setVersionMetadata,
  type AggregatorStatus as AggregatorStatusMessage,
  type Certificate as CertificateMessage,
  certificateFromProto,
} from '@mithril-ts/proto';
import {
  PROTOCOL_VERSION,
  certificateFromJson,
  certificateToJson,
  decodeGenesisVerificationKey,
  verifyGenesisSignature,
  signedMessageBytes,
} from '@mithril-ts/protocol';
import { Initializer } from '@mithril-ts/stm';
import { channelCredentials, type ClientTlsSettings } from '@mithril-ts/service-kit';
import { createCertificateAuthority, writePemPair } from '@mithril-ts/testkit';
import {
  AGGREGATOR_VERSION,
  aggregatorConfigSchema,
  exportGenesisPayload,
  generateGenesisKeys,
  importGenesisCertificate,
  signGenesisPayload,
  startAggregator,
  type RunningAggregator,
} from '../src/index.js';

import { SLOTS_PER_KES_PERIOD, evidenceOf, kesPools, slotOf } from './kes-pools.js';

const KES_POOLS = kesPools(3);
const POOLS = KES_POOLS.map(({ pool, stake }) => ({ hex: pool.hex, stake }));
const SCHEDULE = [{ fromEpoch: 0n, k: 3n, m: 20n, phiF: 0.9 }];

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'aggregator-api-'));
  mkdirSync(join(root, 'chain'));
  mkdirSync(join(root, 'immutable'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function setEpoch(epoch: number, era?: string): void {
  writeFileSync(join(root, 'chain', 'tip.json'), JSON.stringify({ epoch, era, slot: Number(slotOf(BigInt(epoch))), syncProgress: '100.00' }));
  const pools = Object.fromEntries(POOLS.map((p) => [p.hex, { stakeMark: Number(p.stake), stakeSet: 0, stakeGo: 0 }]));
  writeFileSync(join(root, 'chain', `stake-snapshot-${epoch}.json`), JSON.stringify({ pools, total: { stakeMark: 0, stakeSet: 0, stakeGo: 0 } }));
}

const storeUrl = () => `file:${join(root, 'aggregator.sqlite')}`;

async function start(extra: Record<string, unknown> = {}): Promise<RunningAggregator> {
  return startAggregator(
    aggregatorConfigSchema.parse({
      port: 0,
      storeUrl: storeUrl(),
      chainDirectory: join(root, 'chain'),
      immutableDirectory: join(root, 'immutable'),
      protocolParameters: SCHEDULE,
      signedEntityKinds: 'MithrilStakeDistribution',
      runIntervalMs: 20,
      slotsPerKesPeriod: SLOTS_PER_KES_PERIOD,
      logLevel: 'silent',
      insecure: true,
      ...extra,
    }),
  );
}

async function registerAll(aggregator: RunningAggregator, epoch: bigint): Promise<void> {
  for (const [i, pool] of POOLS.entries()) {
    const partyId = parsePoolId(pool.hex).bech32;
    const init = Initializer.generate(aggregator.runtime.context.registrationParameters, pool.stake, randomBytes(32));
    await aggregator.runtime.registerSigner({
      epoch,
      partyId,
      verificationKey: init.verificationKeyPoP.toBytes(),
      ...evidenceOf(KES_POOLS[i]!, epoch, init.verificationKeyPoP.toBytes()),
      certified: { partyId, stake: pool.stake, epoch },
    });
  }
}

async function until(probe: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500 && !(await probe()); i += 1) await new Promise((r) => setTimeout(r, 10));
}

const md = () => setVersionMetadata({ nodeVersion: '0.1.0', protocolVersion: PROTOCOL_VERSION });

function call<Res>(invoke: (metadata: Metadata, callback: (error: ServiceError | null, response: Res) => void) => void, metadata = md()): Promise<Res> {
  return new Promise((resolve, reject) => invoke(metadata, (error, response) => (error ? reject(error) : resolve(response))));
}

async function failure(promise: Promise<unknown>): Promise<{ grpc: status; code: ErrorCode | undefined }> {
  try {
    await promise;
  } catch (error) {
    return { grpc: (error as ServiceError).code, code: readErrorDetail(error as ServiceError)?.code };
  }
  throw new Error('expected a failure');
}

describe('aggregator gRPC API', () => {
  it('answers typed errors, pages certificates, streams them, and refuses calls without versions', async () => {
    setEpoch(1);
    const aggregator = await start({ bootstrapGenesisSecretKeyFile: await keyFiles() });
    const client = new AggregatorServiceClient(`127.0.0.1:${aggregator.port}`, credentials.createInsecure());
    try {
      await until(() => aggregator.runtime.state.kind !== 'idle');
      expect(await failure(call((m, cb) => client.getCertificate({ hash: 'zz', form: CertificateForm.CERTIFICATE_FORM_UNSPECIFIED }, m, cb)))).toEqual({
        grpc: status.INVALID_ARGUMENT,
        code: ErrorCode.ERROR_CODE_MALFORMED_REQUEST,
      });
      expect(
        await failure(call((m, cb) => client.getCertificate({ hash: 'ab'.repeat(32), form: CertificateForm.CERTIFICATE_FORM_UNSPECIFIED }, m, cb))),
      ).toEqual({ grpc: status.NOT_FOUND, code: ErrorCode.ERROR_CODE_CERTIFICATE_NOT_FOUND });
      expect(await failure(call((m, cb) => client.getGenesisCertificate({ form: CertificateForm.CERTIFICATE_FORM_UNSPECIFIED }, m, cb)))).toEqual({
        grpc: status.NOT_FOUND,
        code: ErrorCode.ERROR_CODE_CERTIFICATE_NOT_FOUND,
      });
      expect(await failure(call((m, cb) => client.listCertificates({ pageSize: 0, pageToken: 'forged' }, m, cb)))).toEqual({
        grpc: status.INVALID_ARGUMENT,
        code: ErrorCode.ERROR_CODE_INVALID_PAGE_TOKEN,
      });
      expect(await failure(call((m, cb) => client.getProtocolParameters({ epoch: 99n }, m, cb)))).toEqual({
        grpc: status.NOT_FOUND,
        code: ErrorCode.ERROR_CODE_UNKNOWN_EPOCH,
      });
      expect(await failure(call((m, cb) => client.registerSignatures({}, m, cb)))).toEqual({
        grpc: status.INVALID_ARGUMENT,
        code: ErrorCode.ERROR_CODE_MALFORMED_REQUEST,
      });
      expect(
        await failure(call((m, cb) => client.registerSigner({ registration: { epoch: 1n, partyId: 'pool1x', verificationKey: Buffer.alloc(1) } }, m, cb))),
      ).toEqual({ grpc: status.INVALID_ARGUMENT, code: ErrorCode.ERROR_CODE_MALFORMED_REQUEST });
      expect(await failure(call((m, cb) => client.getEpochSettings({}, m, cb), new Metadata()))).toEqual({
        grpc: status.INVALID_ARGUMENT,
        code: ErrorCode.ERROR_CODE_MISSING_VERSION_METADATA,
      });
      const incompatible = setVersionMetadata({ nodeVersion: '0.1.0', protocolVersion: '9.0.0' });
      expect(await failure(call((m, cb) => client.getEpochSettings({}, m, cb), incompatible))).toEqual({
        grpc: status.FAILED_PRECONDITION,
        code: ErrorCode.ERROR_CODE_INCOMPATIBLE_PROTOCOL_VERSION,
      });

      const streamed: CertificateMessage[] = [];
      const stream = client.watchCertificates({ signedEntityKinds: [] }, md());
      stream.on('data', (r: { certificate?: CertificateMessage }) => r.certificate && streamed.push(r.certificate));
      stream.on('error', () => {});
      await registerAll(aggregator, 1n);
      const settings = await call<{ epochSettings?: { epoch: bigint; currentSigners: unknown[] } }>((m, cb) => client.getEpochSettings({}, m, cb));
      expect(settings.epochSettings?.epoch).toBe(1n);
      const registered = await call<{ epoch: bigint; signers: { partyId: string }[] }>((m, cb) => client.listRegisteredSigners({ epoch: 2n }, m, cb));
      expect(registered.signers.map((s) => s.partyId).sort()).toEqual(POOLS.map((p) => parsePoolId(p.hex).bech32).sort());
      setEpoch(2);
      await until(() => streamed.length > 0);
      const genesis = certificateFromProto(streamed[0]);
      expect(genesis.previousHash).toBe('');
      const fetched = await call<{ certificate?: CertificateMessage }>((m, cb) =>
        client.getGenesisCertificate({ form: CertificateForm.CERTIFICATE_FORM_UNSPECIFIED }, m, cb),
      );
      expect(certificateFromProto(fetched.certificate).hash).toBe(genesis.hash);
      // Served from the store (transcoded, no point decoded): the same message as the stream's, built from the sealed certificate.
      const byHash = await call<{ certificate?: CertificateMessage }>((m, cb) =>
        client.getCertificate({ hash: genesis.hash, form: CertificateForm.CERTIFICATE_FORM_UNSPECIFIED }, m, cb),
      );
      expect(Buffer.from(CertificateMessageCodec.encode(byHash.certificate!).finish())).toEqual(
        Buffer.from(CertificateMessageCodec.encode(streamed[0]!).finish()),
      );
      // The reference JSON form: the stored text, as the REST gateway relays it.
      const json = CertificateForm.CERTIFICATE_FORM_REFERENCE_JSON;
      const asJson = await call<{ certificate?: CertificateMessage; certificateJson: string }>((m, cb) =>
        client.getCertificate({ hash: genesis.hash, form: json }, m, cb),
      );
      expect([asJson.certificate, asJson.certificateJson]).toEqual([undefined, certificateToJson(genesis)]);
      const genesisAsJson = await call<{ certificateJson: string }>((m, cb) => client.getGenesisCertificate({ form: json }, m, cb));
      expect(genesisAsJson.certificateJson).toBe(certificateToJson(genesis));
      expect(await failure(call((m, cb) => client.getCertificate({ hash: genesis.hash, form: 7 as CertificateForm }, m, cb)))).toEqual({
        grpc: status.INVALID_ARGUMENT,
        code: ErrorCode.ERROR_CODE_MALFORMED_REQUEST,
      });
      const page = await call<{ certificates: { hash: string }[]; nextPageToken: string }>((m, cb) =>
        client.listCertificates({ pageSize: 1, pageToken: '' }, m, cb),
      );
      expect(page.certificates.map((c) => c.hash)).toEqual([genesis.hash]);
      expect(page.nextPageToken).toBe('');
      const unversionedStream = client.watchCertificates({ signedEntityKinds: [] }, new Metadata());
      const streamError = await new Promise<ServiceError>((resolve) => unversionedStream.on('error', resolve));
      expect(readErrorDetail(streamError)?.code).toBe(ErrorCode.ERROR_CODE_MISSING_VERSION_METADATA);
      stream.cancel();
    } finally {
      client.close();
      await aggregator.close();
    }
  });
});

describe('GetAggregatorStatus', () => {
  it("is NOT_READY before the chain is read, then reports the epoch, the tip's era, the settings, the signer sets and the epoch's stake", async () => {
    const aggregator = await start({ network: 'preprod', cardanoNodeVersion: '10.2.1' });
    const client = new AggregatorServiceClient(`127.0.0.1:${aggregator.port}`, credentials.createInsecure());
    const statusNow = async () =>
      aggregatorStatusFromProto((await call<{ status?: AggregatorStatusMessage }>((m, cb) => client.getAggregatorStatus({}, m, cb))).status);
    const params = { k: 3n, m: 20n, phiF: 0.9 };
    const totalStake = POOLS.reduce((sum, pool) => sum + pool.stake, 0n);
    try {
      // No tip.json yet: no epoch has been entered.
      expect(await failure(call((m, cb) => client.getAggregatorStatus({}, m, cb)))).toEqual({
        grpc: status.UNAVAILABLE,
        code: ErrorCode.ERROR_CODE_NOT_READY,
      });

      setEpoch(1, 'Conway');
      await until(() => aggregator.runtime.state.kind !== 'idle');
      expect(await statusNow()).toEqual({
        epoch: 1n,
        cardanoEra: 'Conway',
        cardanoNetwork: 'preprod',
        mithrilEra: 'pythagoras',
        cardanoNodeVersion: '10.2.1',
        aggregatorNodeVersion: AGGREGATOR_VERSION,
        currentParameters: params,
        nextParameters: params,
        currentSigners: { count: 0n, stake: 0n },
        nextSigners: { count: 0n, stake: 0n },
        cardanoStake: { count: 3n, stake: totalStake },
      });

      await registerAll(aggregator, 1n);
      // Epoch 2: a node that reports no era, and a pool without stake in the distribution (not counted).
      setEpoch(2);
      const pools = Object.fromEntries([...POOLS.map((p) => [p.hex, { stakeMark: Number(p.stake) }]), ['ab'.repeat(28), { stakeMark: 0 }]]);
      writeFileSync(join(root, 'chain', 'stake-snapshot-2.json'), JSON.stringify({ pools }));
      await until(async () => (await statusNow()).epoch === 2n);
      expect(await statusNow()).toMatchObject({
        epoch: 2n,
        cardanoEra: undefined,
        currentSigners: { count: 0n, stake: 0n },
        // Registered during epoch 1: announced as next during epoch 2.
        nextSigners: { count: 3n, stake: totalStake },
        cardanoStake: { count: 3n, stake: totalStake },
      });
    } finally {
      client.close();
      await aggregator.close();
    }
  });
});

describe('TLS', () => {
  it('serves public reads to anyone, and the intake only to an allowed client certificate', async () => {
    setEpoch(1);
    const ca = await createCertificateAuthority('aggregator test CA');
    const caFile = join(root, 'ca.crt');
    writeFileSync(caFile, ca.certificatePem);
    const pki = join(root, 'pki');
    const own = writePemPair(pki, 'aggregator', await ca.issue({ commonName: 'aggregator' }));
    const gatewayFiles = writePemPair(pki, 'signer-gateway', await ca.issue({ commonName: 'signer-gateway' }));
    const intruderFiles = writePemPair(pki, 'intruder', await ca.issue({ commonName: 'intruder' }));
    const aggregator = await start({ insecure: 'false', tlsCertFile: own.certFile, tlsKeyFile: own.keyFile, tlsCaFile: caFile });
    const clientAs = (settings: ClientTlsSettings) => new AggregatorServiceClient(`127.0.0.1:${aggregator.port}`, channelCredentials(settings));
    const anonymous = clientAs({ insecure: false, tlsCaFile: caFile });
    const intruder = clientAs({ insecure: false, tlsCaFile: caFile, tlsCertFile: intruderFiles.certFile, tlsKeyFile: intruderFiles.keyFile });
    const gateway = clientAs({ insecure: false, tlsCaFile: caFile, tlsCertFile: gatewayFiles.certFile, tlsKeyFile: gatewayFiles.keyFile });
    try {
      // A public read is served over TLS without a client certificate: the handler itself judges the request.
      const read = call((m, cb) => anonymous.getCertificate({ hash: 'zz', form: CertificateForm.CERTIFICATE_FORM_UNSPECIFIED }, m, cb));
      expect(await failure(read)).toEqual({ grpc: status.INVALID_ARGUMENT, code: ErrorCode.ERROR_CODE_MALFORMED_REQUEST });
      const register = (client: AggregatorServiceClient) => failure(call((m, cb) => client.registerSigner({}, m, cb)));
      expect(await register(anonymous)).toEqual({ grpc: status.UNAUTHENTICATED, code: ErrorCode.ERROR_CODE_CLIENT_CERTIFICATE_REQUIRED });
      expect(await register(intruder)).toEqual({ grpc: status.PERMISSION_DENIED, code: ErrorCode.ERROR_CODE_CLIENT_NOT_ALLOWED });
      // The allowed gateway reaches the intake, which judges the (empty) registration itself.
      expect(await register(gateway)).toEqual({ grpc: status.INVALID_ARGUMENT, code: ErrorCode.ERROR_CODE_MALFORMED_REQUEST });
    } finally {
      for (const client of [anonymous, intruder, gateway]) client.close();
      await aggregator.close();
    }
  });
});

async function keyFiles(): Promise<string> {
  const secret = join(root, 'genesis.skey');
  await generateGenesisKeys(secret, join(root, 'genesis.vkey'));
  return secret;
}

describe('genesis ceremony', () => {
  it('exports the payload, signs it offline, imports the certificate; a wrong key or signature is refused', async () => {
    setEpoch(1);
    const aggregator = await start();
    await until(() => aggregator.runtime.state.kind !== 'idle');
    expect(aggregator.runtime.state).toMatchObject({ kind: 'blocked', reason: 'no-genesis' });
    await registerAll(aggregator, 1n);
    await aggregator.close();
    setEpoch(2);

    const secret = await keyFiles();
    await expect(generateGenesisKeys(secret, join(root, 'other.vkey'))).rejects.toThrow(/EEXIST/);
    const payloadPath = join(root, 'payload.json');
    const exported = await exportGenesisPayload({
      storeUrl: storeUrl(),
      chainDirectory: join(root, 'chain'),
      network: 'devnet',
      protocolParameters: SCHEDULE,
      out: payloadPath,
    });
    expect(exported.epoch).toBe(2n);
    const signaturePath = join(root, 'payload.sig');
    const signature = await signGenesisPayload(payloadPath, secret, signaturePath);
    const vkey = decodeGenesisVerificationKey(readFileSync(join(root, 'genesis.vkey'), 'utf8').trim());
    expect(verifyGenesisSignature(vkey, signedMessageBytes(exported.signedMessage), Buffer.from(signature, 'hex'))).toBe(true);

    // A payload edited after signing, or another key, does not import.
    const tampered = join(root, 'tampered.json');
    writeFileSync(tampered, readFileSync(payloadPath, 'utf8').replace('"epoch":2', '"epoch":3'));
    await expect(
      importGenesisCertificate({ storeUrl: storeUrl(), payloadPath: tampered, signaturePath, verificationKeyPath: join(root, 'genesis.vkey') }),
    ).rejects.toThrow(/genesis payload|does not verify/);
    await generateGenesisKeys(join(root, 'other.skey'), join(root, 'other.vkey'));
    await expect(importGenesisCertificate({ storeUrl: storeUrl(), payloadPath, signaturePath, verificationKeyPath: join(root, 'other.vkey') })).rejects.toThrow(
      /does not verify/,
    );

    const certificate = await importGenesisCertificate({ storeUrl: storeUrl(), payloadPath, signaturePath, verificationKeyPath: join(root, 'genesis.vkey') });
    const again = await start();
    try {
      await until(() => aggregator.runtime.state.kind !== 'idle' && again.runtime.state.kind !== 'idle');
      expect(again.runtime.state).toMatchObject({ kind: 'blocked', reason: 'genesis-epoch' });
      const stored = await again.store.certificates.latestGenesis();
      expect(certificateFromJson(stored!.json).hash).toBe(certificate.hash);
    } finally {
      await again.close();
    }
  });
});
