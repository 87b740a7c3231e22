/**
 * The client against the whole network on a devnet: a Cardano database snapshot is produced,
 * listed, shown, downloaded, verified and restored over REST and over gRPC; the restored files
 * are the node's, byte for byte; a range restore fetches only what is missing; a tampered archive,
 * a tampered certificate and a wrong genesis key each fail with a clear message, a non-zero exit
 * code and no half-restored directory.
 */
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GenesisSigner, encodeGenesisVerificationKey } from '@mithril-ts/protocol';
import { runCli, type CliIo } from '@mithril-ts/client-cli';
import { devnetLayout } from '../src/layout.js';
import { MithrilNetwork, type NetworkEvent } from '../src/launcher/network.js';
import { tempRoot } from './helpers.js';

const DEVNET = { pools: 5, slotLengthMs: 100, slotsPerEpoch: 60, immutableFileEverySlots: 20 };
const SCHEDULE = [{ fromEpoch: 0n, k: 12n, m: 50n, phiF: 0.65 }];

interface Run {
  readonly code: number;
  readonly events: Record<string, unknown>[];
  readonly stderr: string;
}

async function cli(argv: string[], env: Record<string, string>, fetchImpl: typeof fetch = fetch): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: { write: (c: string) => (stdout += c) }, stderr: { write: (c: string) => (stderr += c) }, env, fetch: fetchImpl };
  const code = await runCli([...argv, '--json'], io);
  return {
    code,
    events: stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>),
    stderr,
  };
}

const result = (run: Run) => run.events.find((e) => e.type === 'result')?.data as Record<string, unknown> | undefined;
const failure = (run: Run) => run.events.find((e) => e.type === 'error') as { message: string } | undefined;

function immutableFiles(directory: string, upTo: bigint): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(directory)) {
    const number = /^(\d+)\.(chunk|primary|secondary)$/.exec(name)?.[1];
    if (number !== undefined && BigInt(number) <= upTo) files.set(name, readFileSync(join(directory, name)));
  }
  return files;
}

describe('mithril-client on a devnet', () => {
  it('lists, shows, downloads, restores and verifies snapshots; refuses tampering', async () => {
    const root = tempRoot('client-e2e-');
    let restPort = 0;
    const network = await MithrilNetwork.start({
      root,
      devnet: DEVNET,
      protocolParameters: SCHEDULE,
      signerRunIntervalMs: 100,
      aggregatorRunIntervalMs: 100,
      onEvent: (e: NetworkEvent) => {
        if (e.type === 'started') restPort = e.restPort;
      },
    });
    try {
      const genesisKey = readFileSync(join(root, 'genesis', 'genesis.vkey'), 'utf8').trim();
      const rest = { MITHRIL_AGGREGATOR_ENDPOINT: `http://127.0.0.1:${restPort}/aggregator`, MITHRIL_GENESIS_VERIFICATION_KEY: genesisKey };
      // The devnet's gRPC ports are TLS with its own CA: the client trusts it through MITHRIL_CA_FILE (--ca-file).
      const grpc = {
        MITHRIL_AGGREGATOR_ENDPOINT: `grpcs://127.0.0.1:${network.aggregator.port}`,
        MITHRIL_GENESIS_VERIFICATION_KEY: genesisKey,
        MITHRIL_CA_FILE: network.pki!.caFile,
      };

      // Wait for a snapshot: certificates start in the third epoch, the archive follows.
      let listed: Record<string, unknown>[] = [];
      for (let i = 0; i < 600 && listed.length === 0; i += 1) {
        const run = await cli(['snapshot', 'list'], rest);
        listed = run.code === 0 ? ((result(run) as unknown as Record<string, unknown>[]) ?? []) : [];
        if (listed.length === 0) await new Promise((r) => setTimeout(r, 200));
      }
      expect(listed.length).toBeGreaterThan(0);
      const hash = String(listed[0]!.hash);

      // The REST gateway's /status, answered from the real aggregator's state: certificates are being
      // made, so the current epoch has signers; the devnet's tip says Conway; all 5 pools have stake.
      const statusAnswer = await fetch(`http://127.0.0.1:${restPort}/aggregator/status`);
      expect(statusAnswer.status).toBe(200);
      const status = (await statusAnswer.json()) as Record<string, unknown>;
      expect(status).toMatchObject({
        cardano_era: 'Conway',
        cardano_network: 'devnet',
        mithril_era: 'pythagoras',
        cardano_node_version: '10.1.4',
        aggregator_node_version: '0.1.0',
        protocol: { k: 12, m: 50, phi_f: 0.65 },
        total_cardano_spo: DEVNET.pools,
      });
      expect(status.total_signers).toBeGreaterThan(0);
      // Stake moves every epoch: the signers' stake is an earlier distribution's, not comparable with this one's total.
      expect(status.total_stakes_signers).toBeGreaterThan(0);
      expect(status.total_cardano_stake).toBeGreaterThan(0);

      const shown = await cli(['snapshot', 'show', hash], grpc);
      expect(shown.code).toBe(0);
      expect(result(shown)?.verification).toMatchObject({ verified: true });

      // Download over REST: the files are the node's own, byte for byte.
      const first = join(root, 'restored-rest');
      const downloaded = await cli(['snapshot', 'download', hash, '--target', first], rest);
      expect(downloaded.code).toBe(0);
      const report = result(downloaded)!;
      const upTo = BigInt(String((report.beacon as { immutableFileNumber: unknown }).immutableFileNumber));
      const node = immutableFiles(devnetLayout(root).immutableDirectory(2), upTo);
      const restored = immutableFiles(join(first, 'immutable'), upTo);
      expect([...restored.keys()].sort()).toEqual([...node.keys()].sort());
      for (const [name, bytes] of node) expect(restored.get(name)!.equals(bytes)).toBe(true);

      // Range restore over gRPC: two immutable numbers missing, only they are fetched.
      const second = join(root, 'restored-range');
      cpSync(first, second, { recursive: true });
      const missing = ['00001', '00002'];
      for (const number of missing) for (const ext of ['chunk', 'primary', 'secondary']) rmSync(join(second, 'immutable', `${number}.${ext}`));
      const fetched: string[] = [];
      const counting: typeof fetch = (input, init) => {
        fetched.push(String(input instanceof Request ? input.url : input));
        return fetch(input, init);
      };
      const ranged = await cli(['snapshot', 'restore', hash, '--target', second, '--from-existing'], grpc, counting);
      expect(ranged.code).toBe(0);
      expect(result(ranged)).toMatchObject({ downloadedNumbers: 2 });
      const archives = fetched.filter((url) => /\/\d{5}\.tar\.gz$/.test(url));
      expect(archives.map((url) => /(\d{5})\.tar\.gz$/.exec(url)![1]).sort()).toEqual(missing);
      const again = immutableFiles(join(second, 'immutable'), upTo);
      for (const [name, bytes] of node) expect(again.get(name)!.equals(bytes)).toBe(true);

      // A wrong genesis key.
      const stranger = { ...rest, MITHRIL_GENESIS_VERIFICATION_KEY: encodeGenesisVerificationKey(GenesisSigner.generate().verificationKey()) };
      const wrongKey = await cli(['snapshot', 'download', hash, '--target', join(root, 'wrong-key')], stranger);
      expect(wrongKey.code).not.toBe(0);
      expect(failure(wrongKey)?.message).toMatch(/genesis/i);
      expect(existsSync(join(root, 'wrong-key'))).toBe(false);

      // A certificate tampered with on the way (its protocol message changed).
      const tampering: typeof fetch = async (input, init) => {
        const response = await fetch(input, init);
        const url = String(input instanceof Request ? input.url : input);
        if (!/\/certificate\/[0-9a-f]{64}$/.test(url)) return response;
        const text = (await response.text()).replace(/"current_epoch":"(\d+)"/, (_, e: string) => `"current_epoch":"${Number(e) + 1}"`);
        return new Response(text, { status: response.status, headers: response.headers });
      };
      const forged = await cli(['snapshot', 'download', hash, '--target', join(root, 'forged')], rest, tampering);
      expect(forged.code).not.toBe(0);
      expect(failure(forged)?.message).toMatch(/certificate/i);
      expect(existsSync(join(root, 'forged'))).toBe(false);

      // An archive tampered with in the snapshotter's storage.
      const artifacts = join(root, 'snapshotter', 'artifacts');
      const archive = (function find(directory: string): string | undefined {
        for (const entry of readdirSync(directory, { withFileTypes: true })) {
          const path = join(directory, entry.name);
          if (entry.isDirectory()) {
            const found = find(path);
            if (found) return found;
          } else if (/00001\.tar\.gz$/.test(entry.name)) return path;
        }
        return undefined;
      })(artifacts);
      expect(archive).toBeDefined();
      const bytes = readFileSync(archive!);
      const middle = Math.floor(bytes.length / 2);
      bytes[middle] = bytes[middle]! ^ 0xff;
      writeFileSync(archive!, bytes);
      const corrupt = await cli(['snapshot', 'download', hash, '--target', join(root, 'corrupt')], rest);
      expect(corrupt.code).not.toBe(0);
      expect(failure(corrupt)?.message.length).toBeGreaterThan(0);
      expect(existsSync(join(root, 'corrupt'))).toBe(false);
    } finally {
      await network.stop();
    }
  }, 360_000);
});
