/** The devnet chain process: its settings, the files it writes for the services, its health endpoint. */
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readGenesisSigner } from '@mithril-ts/aggregator';
import { decodeGenesisVerificationKey } from '@mithril-ts/protocol';
import { ConfigError } from '@mithril-ts/service-kit';
import { loadDevnetChainConfig } from '../src/chain/config.js';
import { lagToleranceSlots, startDevnetChain } from '../src/chain/chain.js';
import { devnetLayout } from '../src/layout.js';
import { DEVNET_SERVICES } from '../src/launcher/pki.js';
import { GENESIS_MS, tempRoot } from './helpers.js';

describe('devnet chain settings', () => {
  it('reads MITHRIL_DEVNET_* variables, options over them', () => {
    const config = loadDevnetChainConfig(['--pools', '3'], {
      MITHRIL_DEVNET_ROOT: '/devnet',
      MITHRIL_DEVNET_POOLS: '7',
      MITHRIL_DEVNET_SLOTS_PER_EPOCH: '40',
      MITHRIL_DEVNET_PKI: 'false',
      MITHRIL_DEVNET_TLS_DNS_NAMES: '{"aggregator":["aggregator.mithril.svc.cluster.local","aggregator-pod-0"]}',
      MITHRIL_DEVNET_HEALTH_PORT: '8090',
    });
    expect(config).toMatchObject({
      root: '/devnet',
      pools: 3,
      slotsPerEpoch: 40,
      slotsPerKesPeriod: 500,
      pki: false,
      genesisKeys: true,
      tlsDnsNames: { aggregator: ['aggregator.mithril.svc.cluster.local', 'aggregator-pod-0'] },
      healthPort: 8090,
      healthHost: '127.0.0.1',
    });
  });

  it.each([
    [{}, /root/],
    [{ MITHRIL_DEVNET_TLS_DNS_NAMES: '{"aggregator":' }, /tlsDnsNames/],
    [{ MITHRIL_DEVNET_TLS_DNS_NAMES: '{"wallet":["wallet"]}' }, /unknown service "wallet"/],
    [{ MITHRIL_DEVNET_TLS_DNS_NAMES: '{"aggregator":["not a name"]}' }, /must be a DNS name/],
    [{ MITHRIL_DEVNET_PKI: 'yes' }, /pki .*must be true or false/],
    [{ MITHRIL_DEVNET_POOLS: '0' }, /pools/],
    [{ MITHRIL_DEVNET_HEALTH_PORT: '70000' }, /healthPort/],
  ])('refuses %j', (env, message) => {
    const base = 'MITHRIL_DEVNET_ROOT' in env || Object.keys(env).length === 0 ? {} : { MITHRIL_DEVNET_ROOT: '/devnet' };
    expect(() => loadDevnetChainConfig([], { ...base, ...env })).toThrow(ConfigError);
    expect(() => loadDevnetChainConfig([], { ...base, ...env })).toThrow(message);
  });
});

describe('devnet chain', () => {
  it('writes the PKI, the genesis keys and the pools, advances with the clock and reports its health', async () => {
    const root = tempRoot('devnet-chain-');
    let now = GENESIS_MS;
    const config = loadDevnetChainConfig(['--root', root, '--pools', '2', '--health-port', '0', '--log-level', 'silent'], {
      MITHRIL_DEVNET_TLS_DNS_NAMES: JSON.stringify({ aggregator: ['aggregator.mithril.svc.cluster.local'], 'signer-gateway': ['gw.example'] }),
    });
    const chain = await startDevnetChain(config, { clock: () => now });
    try {
      const ca = new X509Certificate(readFileSync(join(root, 'pki', 'ca.crt')));
      for (const service of DEVNET_SERVICES) {
        const certificate = new X509Certificate(readFileSync(join(root, 'pki', `${service}.crt`)));
        expect(certificate.verify(ca.publicKey)).toBe(true);
        expect(certificate.checkHost(service)).toBe(service);
        expect(statSync(join(root, 'pki', `${service}.key`)).mode & 0o077).toBe(0);
      }
      const aggregator = new X509Certificate(readFileSync(join(root, 'pki', 'aggregator.crt')));
      expect(aggregator.checkHost('aggregator.mithril.svc.cluster.local')).toBe('aggregator.mithril.svc.cluster.local');
      expect(aggregator.checkHost('gw.example')).toBeUndefined();
      expect(statSync(join(root, 'genesis', 'genesis.skey')).mode & 0o077).toBe(0);
      // The verification key the clients are given is the secret key's.
      const signer = readGenesisSigner(join(root, 'genesis', 'genesis.skey'));
      expect(decodeGenesisVerificationKey(readFileSync(join(root, 'genesis', 'genesis.vkey'), 'utf8').trim())).toEqual(signer.verificationKey());
      const layout = devnetLayout(root);
      expect(statSync(join(layout.poolDirectory(2), 'kes.skey')).isFile()).toBe(true);
      expect(JSON.parse(readFileSync(layout.tipFile, 'utf8'))).toMatchObject({ slot: 0, epoch: 0 });

      const health = async (path = '/health', method = 'GET') => {
        const response = await fetch(`http://127.0.0.1:${chain.healthPort}${path}`, { method });
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      };
      expect(await health()).toEqual({ status: 200, body: { status: 'ok', epoch: 0, slot: 0 } });
      expect((await health('/metrics')).status).toBe(404);
      expect((await health('/health', 'POST')).status).toBe(404);

      // The clock runs ahead of what is written: unhealthy beyond the tolerance, until the chain catches up.
      const tolerance = Number(lagToleranceSlots(config.slotLengthMs));
      expect(chain.healthy(GENESIS_MS + tolerance * config.slotLengthMs)).toBe(true);
      expect(chain.healthy(GENESIS_MS + (tolerance + 1) * config.slotLengthMs)).toBe(false);
      now = GENESIS_MS + 250 * config.slotLengthMs;
      expect((await health()).status).toBe(503);
      await chain.devnet.advance();
      expect(await health()).toEqual({ status: 200, body: { status: 'ok', epoch: 2, slot: 250 } });
    } finally {
      await chain.close();
    }
  });

  it('keeps its CA, its genesis key and its chain across a restart on the same directory', async () => {
    const root = tempRoot('devnet-chain-');
    const config = loadDevnetChainConfig(['--root', root, '--pools', '1', '--log-level', 'silent']);
    const first = await startDevnetChain(config, { clock: () => GENESIS_MS });
    await first.close();
    const ca = readFileSync(join(root, 'pki', 'ca.crt'), 'utf8');
    const genesis = readFileSync(join(root, 'genesis', 'genesis.vkey'), 'utf8');
    const second = await startDevnetChain(config, { clock: () => GENESIS_MS + 10_000 });
    try {
      expect(readFileSync(join(root, 'pki', 'ca.crt'), 'utf8')).toBe(ca);
      expect(readFileSync(join(root, 'genesis', 'genesis.vkey'), 'utf8')).toBe(genesis);
      expect(second.devnet.genesisTimeMs).toBe(GENESIS_MS);
      expect(second.devnet.position?.slot).toBe(100n);
    } finally {
      await second.close();
    }
    // Asked for names the certificates lack: a new PKI (the old one cannot be extended without its CA key).
    const renamed = await startDevnetChain({ ...config, tlsDnsNames: { certifier: ['certifier.mithril'] } }, { clock: () => GENESIS_MS + 10_000 });
    await renamed.close();
    expect(readFileSync(join(root, 'pki', 'ca.crt'), 'utf8')).not.toBe(ca);
    expect(new X509Certificate(readFileSync(join(root, 'pki', 'certifier.crt'))).checkHost('certifier.mithril')).toBe('certifier.mithril');
  });

  it('writes neither genesis keys nor a PKI when told not to', async () => {
    const root = tempRoot('devnet-chain-');
    const chain = await startDevnetChain(
      loadDevnetChainConfig(['--root', root, '--pools', '1', '--pki', 'false', '--genesis-keys', 'false', '--log-level', 'silent']),
      {
        clock: () => GENESIS_MS,
      },
    );
    await chain.close();
    expect(() => statSync(join(root, 'pki'))).toThrow(/ENOENT/);
    expect(() => statSync(join(root, 'genesis'))).toThrow(/ENOENT/);
    expect(chain.healthPort).toBeUndefined();
  });
});
