/** The `mithril-client` bin itself, spawned as a user would run it (tsx src/main.ts). */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildFixture, type Fixture } from './support/fixture.js';
import { startHttpServers, type HttpServers } from './support/servers.js';

const packageDirectory = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsx = join(packageDirectory, '..', 'node_modules', '.bin', 'tsx');

let fixture: Fixture;
let http: HttpServers;

beforeAll(async () => {
  fixture = await buildFixture();
  http = await startHttpServers(fixture);
});

afterAll(async () => {
  await http?.close();
  rmSync(fixture.root, { recursive: true, force: true });
});

function spawnClient(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, ['src/main.ts', ...args], { cwd: packageDirectory, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('the bin verifies a certificate chain, printing JSON events, and exits 0', async () => {
  const ok = await spawnClient(['certificate', 'verify', 'latest', '--json'], {
    MITHRIL_AGGREGATOR_ENDPOINT: http.restUrl,
    MITHRIL_GENESIS_VERIFICATION_KEY: fixture.genesisKey,
  });
  expect(ok.stderr).toBe('');
  expect(ok.code).toBe(0);
  const events = ok.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; data?: { verification: { verified: boolean } } });
  expect(events.at(-1)).toMatchObject({ type: 'result', data: { verification: { verified: true } } });
});
