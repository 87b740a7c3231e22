/**
 * Carrying a devnet on across `npm start` runs. The devnet's chain time is wall-clock time since
 * its genesis, so a run started after a stop longer than an epoch would jump epochs, and the
 * aggregator, finding its last certificate more than one epoch behind (an epoch gap), would start
 * a second certificate chain. Instead the launcher gives the devnet a clock that runs late by the
 * time it was stopped: the chain resumes at the slot after the last tip it wrote, as a real
 * network's certificate chain carries on across an aggregator's downtime.
 *
 * Whether the certificate chain really carried on is told by its genesis certificate: the launcher
 * remembers the one of the previous run (`<root>/launcher-state.json`) and, when the aggregator
 * signs another, says so and why (its store was empty, or an epoch gap).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseJson } from '@mithril-ts/codec';
import { writeFileAtomic } from '../files.js';
import { devnetLayout } from '../layout.js';

export interface DevnetResume {
  /** The clock the devnet reads: wall-clock time minus the time the devnet was stopped (or held). */
  readonly clock: () => number;
  /**
   * Stops the devnet's time until the returned function is called: the services take seconds to
   * start (tens under load), and the chain should not run epochs ahead of them meanwhile.
   */
  hold(): () => void;
  /** Where the previous run stopped; undefined on a first run (or without a tip written). */
  readonly resumedFrom: { readonly slot: bigint; readonly epoch: bigint; readonly stoppedForMs: number } | undefined;
}

async function readJsonObject(path: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const value: unknown = parseJson(text);
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

const asBigint = (value: unknown): bigint | undefined =>
  typeof value === 'bigint' ? value : typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : undefined;

/** The longest step the devnet's clock takes between two readings (it is read every slot, 100 ms by default). */
const MAX_STEP_MS = 2_000;

/**
 * The clock under which the devnet in `root` resumes at the slot after its last tip. `now` is the
 * wall clock (injectable for tests). A root without a devnet or a tip gets the wall clock itself.
 */
export async function resumeClock(root: string, now: () => number = Date.now): Promise<DevnetResume> {
  const layout = devnetLayout(root);
  const [config, tip] = await Promise.all([readJsonObject(layout.configFile), readJsonObject(layout.tipFile)]);
  const genesisTimeMs = config?.genesisTimeMs;
  const parameters = config?.parameters as Record<string, unknown> | undefined;
  const slotLengthMs = parameters?.slotLengthMs;
  const slot = asBigint(tip?.slot);
  const epoch = asBigint(tip?.epoch);
  const known = typeof genesisTimeMs === 'number' && typeof slotLengthMs === 'number' && slot !== undefined && epoch !== undefined;
  // The first instant of the slot after the tip: the chain picks up exactly there.
  const stoppedForMs = known ? Math.max(0, now() - (genesisTimeMs + Number(slot + 1n) * slotLengthMs)) : 0;
  let lateByMs = stoppedForMs;
  let heldAt: number | undefined;
  let lastRead: number | undefined;
  return {
    clock: () => {
      if (heldAt !== undefined) return heldAt - lateByMs;
      const t = now();
      // The devnet runs in the launcher's process with every service: when the machine cannot keep
      // up, a tick comes seconds late and the chain would jump epochs past the aggregator (an epoch
      // gap, so a new certificate chain). A stall beyond MAX_STEP_MS is time the chain stands still.
      if (lastRead !== undefined && t - lastRead > MAX_STEP_MS) lateByMs += t - lastRead - MAX_STEP_MS;
      lastRead = t;
      return t - lateByMs;
    },
    hold: () => {
      const at = now();
      heldAt = at;
      return () => {
        if (heldAt !== at) return;
        const t = now();
        lateByMs += t - at;
        lastRead = t;
        heldAt = undefined;
      };
    },
    resumedFrom: known ? { slot, epoch, stoppedForMs } : undefined,
  };
}

/** What the launcher remembers of the certificate chain between runs. */
interface LauncherState {
  readonly genesisCertificateHash: string;
  readonly genesisEpoch: string;
}

const stateFile = (root: string) => join(root, 'launcher-state.json');

export async function readLauncherState(root: string): Promise<LauncherState | undefined> {
  const value = await readJsonObject(stateFile(root));
  if (typeof value?.genesisCertificateHash !== 'string' || typeof value.genesisEpoch !== 'string') return undefined;
  return { genesisCertificateHash: value.genesisCertificateHash, genesisEpoch: value.genesisEpoch };
}

export async function writeLauncherState(root: string, state: LauncherState): Promise<void> {
  await writeFileAtomic(stateFile(root), `${JSON.stringify(state, null, 2)}\n`);
}

/** Why an aggregator signed a new genesis certificate, from the blocked state it was in just before. */
export function newChainReason(blockedReason: string | undefined, storeUrl: string): string {
  switch (blockedReason) {
    case 'no-genesis':
      return `the aggregator's store (${storeUrl}) holds no certificate: it is new, or was deleted or emptied, so the aggregator signed a new genesis certificate`;
    case 'epoch-gap':
      return "the aggregator's latest certificate is more than one epoch behind the chain (an epoch gap), so the aggregator signed a new genesis certificate";
    default:
      return 'the aggregator signed a new genesis certificate';
  }
}
