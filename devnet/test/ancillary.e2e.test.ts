/**
 * A restored node starts without replaying the ledger: on a devnet, the snapshotter packages the
 * node's latest ledger-state snapshot and last trio with a manifest signed by the devnet's
 * ancillary key; `snapshot download --include-ancillary` leaves a directory a node starts from
 * (ledger snapshot + immutable files + protocolMagicId); a tampered manifest is refused; and
 * `snapshot verify` reports a deleted and a modified file.
 */
import { appendFileSync, existsSync, readFileSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { runCli, type CliIo } from '@mithril-ts/client-cli';
import { ledgerSnapshotFiles } from '../src/ledger-state.js';
import { MithrilNetwork, type NetworkEvent } from '../src/launcher/network.js';
import { tempRoot } from './helpers.js';

const DEVNET = { pools: 5, slotLengthMs: 100, slotsPerEpoch: 60, immutableFileEverySlots: 20 };
const SCHEDULE = [{ fromEpoch: 0n, k: 12n, m: 50n, phiF: 0.65 }];

interface Run {
  readonly code: number;
  readonly events: Record<string, unknown>[];
}

async function cli(argv: string[], env: Record<string, string>, fetchImpl: typeof fetch = fetch): Promise<Run> {
  let stdout = '';
  const io: CliIo = { stdout: { write: (c: string) => (stdout += c) }, stderr: { write: () => undefined }, env, fetch: fetchImpl };
  // A loaded CI machine (8 jobs on 2 cores) can take longer than the default 30 s per API call.
  const code = await runCli([...argv, '--json', '--timeout', '120'], io);
  const events = stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code, events };
}

const last = (run: Run) => run.events.at(-1) as Record<string, unknown> & { data?: Record<string, unknown> };
/** The exit code with the last event beside it, so that a failure shows the client's message. */
const outcome = (run: Run) => `exit ${run.code}: ${JSON.stringify(last(run))}`;

describe('ancillary files on a devnet', () => {
  it('restores a directory a node starts from, refuses a tampered manifest, and verifies a database directory', async () => {
    const root = tempRoot('ancillary-e2e-');
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
      const env = {
        MITHRIL_AGGREGATOR_ENDPOINT: `http://127.0.0.1:${restPort}/aggregator`,
        MITHRIL_GENESIS_VERIFICATION_KEY: readFileSync(join(root, 'genesis', 'genesis.vkey'), 'utf8').trim(),
      };
      // The devnet publishes its ancillary verification key beside the genesis key.
      const keyFile = join(root, 'ancillary', 'ancillary.vkey');
      expect(existsSync(keyFile)).toBe(true);

      // Certificates start in the third epoch; the snapshot (with its ancillary archive) follows.
      let hash: string | undefined;
      for (let i = 0; i < 600 && hash === undefined; i += 1) {
        const listed = await cli(['snapshot', 'list'], env);
        const first = (last(listed).data as unknown as { hash: string }[] | undefined)?.[0];
        if (listed.code === 0 && first !== undefined) hash = first.hash;
        else await new Promise((r) => setTimeout(r, 200));
      }
      expect(hash).toBeDefined();
      // The chain stops here, then the test takes the newest snapshot once it stays the newest: no
      // later snapshot (a newer beacon, or the same files certified in the next epoch, which replaces
      // the stored objects) removes this one's archives and digests list while the test uses them.
      await network.devnet.stop();
      for (let stable = 0; stable < 3;) {
        await new Promise((r) => setTimeout(r, 1000));
        const listed = await cli(['snapshot', 'list'], env);
        const newest = (last(listed).data as unknown as { hash: string }[] | undefined)?.[0]?.hash;
        stable = newest === hash ? stable + 1 : 0;
        hash = newest ?? hash;
      }
      const shown = await cli(['snapshot', 'show', hash!], env);
      expect((last(shown).data!.snapshot as { ancillary?: { locations: unknown[] } }).ancillary?.locations).toHaveLength(1);

      const target = join(root, 'restored');
      const restored = await cli(['snapshot', 'download', hash!, '--target', target, '--include-ancillary', '--ancillary-verification-key-file', keyFile], env);
      expect(outcome(restored)).toMatch(/^exit 0:/);
      const report = last(restored).data as {
        beacon: { immutableFileNumber: number };
        ancillary: { ledgerSnapshots: string[]; files: string[] };
        protocolMagicId: number;
      };
      const beacon = BigInt(report.beacon.immutableFileNumber);
      // A node's database directory: immutable/ up to the beacon and the next trio, one ledger snapshot, the network magic.
      expect(readdirSync(target).sort()).toEqual(['immutable', 'ledger', 'protocolMagicId']);
      expect(readFileSync(join(target, 'protocolMagicId'), 'utf8')).toBe('42');
      // The trios past the beacon: the next one, and more when the ledger snapshot is further ahead.
      const later = new Set(report.ancillary.files.filter((f) => f.startsWith('immutable/')).map((f) => BigInt(f.slice(10, 15))));
      expect(later.has(beacon + 1n)).toBe(true);
      const numbers = new Set(readdirSync(join(target, 'immutable')).map((name) => BigInt(name.slice(0, 5))));
      expect(numbers.size).toBe(Number(beacon) + 1 + later.size);
      expect(Math.max(...[...numbers].map(Number))).toBe(Number(beacon) + later.size);
      const [slot] = report.ancillary.ledgerSnapshots;
      expect(readdirSync(join(target, 'ledger'))).toEqual([slot]);
      // The ledger state is the devnet node's at that slot (a pure function of the chain), not past the restored files.
      const expected = ledgerSnapshotFiles(network.devnet.parameters, BigInt(slot!));
      expect(readFileSync(join(target, 'ledger', slot!, 'state')).equals(Buffer.from(expected.state))).toBe(true);
      expect(readFileSync(join(target, 'ledger', slot!, 'tables', 'tvar')).equals(Buffer.from(expected['tables/tvar']))).toBe(true);
      expect(BigInt(slot!)).toBeLessThan((beacon + 1n + BigInt(later.size)) * BigInt(DEVNET.immutableFileEverySlots));

      // A manifest changed on the way (one digest's character): its signature no longer verifies.
      const tampering: typeof fetch = async (input, init) => {
        const response = await fetch(input, init);
        const url = String(input instanceof Request ? input.url : input);
        if (!/\/ancillary\/[^/]+\.ancillary\.tar\.gz$/.test(url)) return response;
        const tarBytes = gunzipSync(Buffer.from(await response.arrayBuffer()));
        const text = tarBytes.toString('latin1');
        const at = text.indexOf('"data":{"') + 9;
        const digestAt = text.indexOf('":"', at) + 3;
        tarBytes[digestAt] = tarBytes[digestAt] === 0x30 ? 0x31 : 0x30;
        return new Response(gzipSync(tarBytes), { status: 200, headers: { 'content-type': 'application/gzip' } });
      };
      const forged = join(root, 'forged');
      const refused = await cli(
        ['snapshot', 'download', hash!, '--target', forged, '--include-ancillary', '--ancillary-verification-key-file', keyFile],
        env,
        tampering,
      );
      expect({ ...last(refused), exitCode: refused.code }).toMatchObject({ exitCode: 1, type: 'error', reason: 'ANCILLARY_MANIFEST_SIGNATURE_INVALID' });
      expect(String(last(refused).message)).toMatch(/ancillary manifest signature does not verify/);
      expect(existsSync(forged)).toBe(false);

      // snapshot verify: intact, then a deleted file (exit 6), then also a modified one (exit 1).
      const verify = () => cli(['snapshot', 'verify', hash!, '--db-dir', target], env);
      const intact = await verify();
      expect(outcome(intact)).toMatch(/^exit 0:/);
      expect(last(intact).data).toMatchObject({ status: 'intact', missing: [], tampered: [], extra: [], beyondSnapshot: 3 * later.size });
      unlinkSync(join(target, 'immutable', '00001.primary'));
      const missing = await verify();
      expect(outcome(missing)).toMatch(/^exit 6:/);
      expect(last(missing).data).toMatchObject({ status: 'missing', missing: ['00001.primary'], tampered: [] });
      appendFileSync(join(target, 'immutable', '00000.chunk'), Buffer.from([0]));
      const tampered = await verify();
      expect(outcome(tampered)).toMatch(/^exit 1:/);
      expect(last(tampered).data).toMatchObject({ status: 'tampered', missing: ['00001.primary'], tampered: ['00000.chunk'] });
    } finally {
      await network.stop();
    }
  }, 300_000);
});
