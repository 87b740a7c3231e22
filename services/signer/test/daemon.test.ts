/**
 * The daemon as `mithril-signer` runs it: configuration, the real file adapters on a devnet root
 * (cardano-cli outputs, immutable files, the pool's key files), gRPC to stand-in aggregator and
 * gateway services on loopback, the cycle loop and a clean stop.
 */
import { join } from 'node:path';
import type { ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import { operationalCertificateFromCbor, verifyKesSignature } from '@mithril-ts/cardano';
import { Devnet } from '@mithril-ts/devnet';
import {
  AggregatorServiceService,
  SignerGatewayServiceService,
  readVersionMetadata,
  type SignerGatewayServiceRegisterSignerRequest,
  type SignerGatewayServiceRegisterSignerResponse,
  withVersionCheck,
} from '@mithril-ts/proto';
import { PROTOCOL_VERSION } from '@mithril-ts/protocol';
import { CardanoCliFilesChainObserver, ConfigError, serverTls, startGrpcServer, type RunningServer } from '@mithril-ts/service-kit';
import { SIGNER_VERSION, loadSignerConfig, openSignerStore, startSigner, type SignerEvent, type SignerHandle } from '../src/index.js';
import { tempDir } from './doubles.js';

const GENESIS_MS = 1_700_000_000_000;
const servers: RunningServer[] = [];
afterAll(async () => {
  for (const server of servers.splice(0)) await server.close();
});

describe('startSigner', () => {
  it('registers the pool from its files through gRPC, reports progress, and stops cleanly', async () => {
    const root = tempDir('signer-daemon-');
    const devnet = await Devnet.create(root, { pools: 2 }, { genesisTimeMs: GENESIS_MS });
    await devnet.advanceTo(GENESIS_MS + 150 * devnet.parameters.slotLengthMs); // epoch 1, slot 150
    const pool = devnet.pools[0]!;
    const stake = (await new CardanoCliFilesChainObserver(devnet.layout.cardanoCliDirectory).stakeDistribution(1n))!.get(pool.poolId.hex)!;

    const parameters = { k: 5n, m: 50n, phiF: 0.9 };
    const aggregator = await startGrpcServer({
      host: '127.0.0.1',
      port: 0,
      tls: serverTls({ insecure: true }, 'none'),
      services: [
        {
          name: 'mithril.v1.AggregatorService',
          definition: AggregatorServiceService,
          implementation: withVersionCheck(
            {
              getEpochSettings: (_call: unknown, callback: (error: null, response: unknown) => void) =>
                callback(null, {
                  epochSettings: {
                    epoch: 1n,
                    currentProtocolParameters: parameters,
                    nextProtocolParameters: parameters,
                    signerRegistrationProtocolParameters: parameters,
                    currentSigners: [],
                    nextSigners: [],
                  },
                }),
            },
            '0.1.0',
          ),
        },
      ],
    });
    servers.push(aggregator);
    const registrations: SignerGatewayServiceRegisterSignerRequest[] = [];
    const callerVersions: ReturnType<typeof readVersionMetadata>[] = [];
    const gateway = await startGrpcServer({
      host: '127.0.0.1',
      port: 0,
      tls: serverTls({ insecure: true }, 'none'),
      services: [
        {
          name: 'mithril.v1.SignerGatewayService',
          definition: SignerGatewayServiceService,
          implementation: withVersionCheck(
            {
              registerSigner: (
                call: ServerUnaryCall<SignerGatewayServiceRegisterSignerRequest, unknown>,
                callback: sendUnaryData<SignerGatewayServiceRegisterSignerResponse>,
              ) => {
                registrations.push(call.request);
                callerVersions.push(readVersionMetadata(call.metadata));
                const registration = call.request.registration!;
                callback(null, { signer: { partyId: registration.partyId, stake, epoch: registration.epoch } });
              },
            },
            '0.1.0',
          ),
        },
      ],
    });
    servers.push(gateway);

    const storePath = join(root, 'signer', 'store.sqlite3');
    const config = loadSignerConfig(
      [
        '--keys-directory',
        pool.keysDirectory,
        '--chain-directory',
        devnet.layout.cardanoCliDirectory,
        '--immutable-directory',
        devnet.layout.immutableDirectory(pool.index),
        '--aggregator-address',
        `127.0.0.1:${aggregator.port}`,
        '--signer-gateway-address',
        `127.0.0.1:${gateway.port}`,
        '--store-url',
        `file:${storePath}`,
        '--slots-per-kes-period',
        String(devnet.parameters.slotsPerKesPeriod),
        '--run-interval-ms',
        '20',
        '--log-level',
        'silent',
        '--insecure',
        'true',
      ],
      {},
    );
    const events: SignerEvent[] = [];
    let signer: SignerHandle | undefined;
    const settled = new Promise<void>((resolve) => {
      const onEvent = (event: SignerEvent) => {
        events.push(event);
        if (event.type === 'state-changed' && event.to.kind === 'RegisteredNotAbleToSign') resolve();
      };
      void startSigner(config, { onEvent }).then((handle) => (signer = handle));
    });
    await settled;
    await signer!.stop();
    await signer!.stop(); // idempotent

    expect(signer!.state()).toMatchObject({ kind: 'RegisteredNotAbleToSign', epoch: 1n });
    expect(events.map((e) => e.type)).toEqual(['state-changed', 'registered', 'state-changed']);
    expect(registrations).toHaveLength(1);
    expect(callerVersions[0]).toEqual({ nodeVersion: SIGNER_VERSION, protocolVersion: PROTOCOL_VERSION });
    const registration = registrations[0]!.registration!;
    expect(registration).toMatchObject({ epoch: 1n, partyId: pool.poolId.bech32, kesEvolutions: 3 });
    const opcert = operationalCertificateFromCbor(registration.operationalCertificate!);
    expect(verifyKesSignature(opcert.kesVerificationKey, 3, registration.verificationKey, registration.verificationKeySignature!)).toBe(true);

    // The key survives in the store the daemon closed, with the stake of the chain's snapshot.
    const reopened = await openSignerStore({ url: storePath });
    try {
      const stored = await reopened.store.getInitializer(2n);
      expect(stored).toMatchObject({ partyId: pool.poolId.bech32, stake, parameters });
      expect(Buffer.from(stored!.verificationKey).equals(registration.verificationKey)).toBe(true);
    } finally {
      await reopened.close();
    }
  });
});

describe('signer configuration', () => {
  const required = {
    MITHRIL_SIGNER_KEYS_DIRECTORY: '/keys',
    MITHRIL_SIGNER_CHAIN_DIRECTORY: '/chain',
    MITHRIL_SIGNER_IMMUTABLE_DIRECTORY: '/db/immutable',
    MITHRIL_SIGNER_AGGREGATOR_ADDRESS: 'aggregator:50051',
    MITHRIL_SIGNER_SIGNER_GATEWAY_ADDRESS: 'gateway:50052',
    MITHRIL_SIGNER_STORE_URL: '/var/lib/signer.sqlite3',
  };

  it('has defaults, reads the environment, and lets the command line win', () => {
    const config = loadSignerConfig(['--run-interval-ms', '250'], {
      ...required,
      MITHRIL_SIGNER_RUN_INTERVAL_MS: '1000',
      MITHRIL_SIGNER_SLOTS_PER_KES_PERIOD: '500',
    });
    expect(config).toMatchObject({
      keysDirectory: '/keys',
      runIntervalMs: 250,
      slotsPerKesPeriod: 500n,
      minSyncProgress: 100,
      aggregatorDeadlineMs: 10_000,
      gatewayDeadlineMs: 10_000,
      handledRetentionEpochs: 5,
      logLevel: 'info',
      // TLS by default, against the system CA store.
      insecure: false,
    });
    expect(config.tlsCaFile).toBeUndefined();
  });

  it('names a missing or invalid setting', () => {
    const { MITHRIL_SIGNER_STORE_URL: _omitted, ...withoutStore } = required;
    expect(() => loadSignerConfig([], withoutStore)).toThrow(ConfigError);
    expect(() => loadSignerConfig([], withoutStore)).toThrow(/storeUrl/);
    expect(() => loadSignerConfig(['--min-sync-progress', '101'], required)).toThrow(/minSyncProgress \(command line\)/);
    expect(() => loadSignerConfig(['--gateway-certificate-fingerprint', 'ab:cd'], required)).toThrow(/gatewayCertificateFingerprint \(command line\)/);
    const pinned = 'AB:'.repeat(31) + 'AB';
    expect(loadSignerConfig(['--gateway-certificate-fingerprint', pinned], required).gatewayCertificateFingerprint).toBe(pinned);
  });
});
