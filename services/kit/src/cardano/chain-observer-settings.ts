/**
 * The chain observer settings every service that reads the chain has, under the same names
 * (a launcher, a chart or an SPO's unit file sets them without knowing the service):
 *   chainObserver = files        chainDirectory (what another process wrote; tests, air-gapped)
 *                 | cardano-cli  cardanoCliPath, cardanoNodeSocketPath, cardanoNetworkMagic, …
 *                 | ogmios       ogmiosUrl, …
 * A service spreads {@link chainObserverSettings} into its zod object, refines it with
 * {@link requireChainObserverSettings} (a missing connection setting is a ConfigError naming it),
 * and makes its observer with {@link createChainObserver}.
 */
import type { ChainObserver } from '@mithril-ts/cardano';
import { z } from 'zod';
import { CARDANO_CLI_COMMAND_ERAS, CardanoCliChainObserver } from './cardano-cli-observer.js';
import { CardanoCliFilesChainObserver } from './cardano-cli-files.js';
import { OgmiosChainObserver } from './ogmios-observer.js';
import { CardanoCliFilesDatumSource, type InlineDatumSource } from '../era/era-reader.js';

export const CHAIN_OBSERVERS = ['files', 'cardano-cli', 'ogmios'] as const;

export const chainObserverSettings = {
  // Defaults (files, cardano-cli on PATH, auto, 60 s, 30 s) are applied by createChainObserver, so
  // that a configuration object built in code needs none of these keys.
  /** How the chain is read: files written by another process, the node's cardano-cli, or Ogmios. */
  chainObserver: z.enum(CHAIN_OBSERVERS).optional(),
  /** files: directory of cardano-cli JSON outputs (tip.json, stake-snapshot-<epoch>.json). */
  chainDirectory: z.string().min(1).optional(),
  /** cardano-cli: the binary (a path, or a name looked up on PATH). */
  cardanoCliPath: z.string().min(1).optional(),
  /** cardano-cli: the node's socket. */
  cardanoNodeSocketPath: z.string().min(1).optional(),
  /** cardano-cli: `mainnet`, or the testnet magic (preprod 1, preview 2). */
  cardanoNetworkMagic: z
    .string()
    .regex(/^(mainnet|[0-9]{1,10})$/, 'mainnet or a testnet magic number')
    .refine((value) => value === 'mainnet' || Number(value) <= 0xffffffff, 'a testnet magic fits in 32 bits')
    .optional(),
  /** cardano-cli: command group of queries other than the tip (auto: from the tip's era). */
  cardanoCliCommandEra: z.enum(CARDANO_CLI_COMMAND_ERAS).optional(),
  /** cardano-cli: deadline of one command. */
  cardanoCliTimeoutMs: z.coerce.number().int().min(100).max(600_000).optional(),
  /** ogmios: its WebSocket address (ws://host:1337, or wss://). */
  ogmiosUrl: z
    .string()
    .regex(/^wss?:\/\/[^\s]+$/, 'a ws:// or wss:// URL')
    .optional(),
  /** ogmios: deadline of one request (including waiting for a reconnection). */
  ogmiosRequestTimeoutMs: z.coerce.number().int().min(100).max(600_000).optional(),
};

export interface ChainObserverSettings {
  readonly chainObserver?: (typeof CHAIN_OBSERVERS)[number] | undefined;
  readonly chainDirectory?: string | undefined;
  readonly cardanoCliPath?: string | undefined;
  readonly cardanoNodeSocketPath?: string | undefined;
  readonly cardanoNetworkMagic?: string | undefined;
  readonly cardanoCliCommandEra?: (typeof CARDANO_CLI_COMMAND_ERAS)[number] | undefined;
  readonly cardanoCliTimeoutMs?: number | undefined;
  readonly ogmiosUrl?: string | undefined;
  readonly ogmiosRequestTimeoutMs?: number | undefined;
}

const REQUIRED: Readonly<Record<(typeof CHAIN_OBSERVERS)[number], readonly (keyof ChainObserverSettings)[]>> = {
  files: ['chainDirectory'],
  'cardano-cli': ['cardanoNodeSocketPath', 'cardanoNetworkMagic'],
  ogmios: ['ogmiosUrl'],
};

/** A zod refinement: the connection settings of the chosen observer are set. */
export function requireChainObserverSettings(config: ChainObserverSettings, context: z.RefinementCtx): void {
  const kind = config.chainObserver ?? 'files';
  for (const key of REQUIRED[kind])
    if (config[key] === undefined) context.addIssue({ code: 'custom', path: [key], message: `required when chainObserver is ${kind}` });
}

/** One line per chain observer setting for a service's --help. */
export const CHAIN_OBSERVER_SETTING_DESCRIPTIONS: Readonly<Record<keyof typeof chainObserverSettings, string>> = {
  chainObserver: 'how the chain is read: files (default: JSON written by another process), cardano-cli (run beside the node) or ogmios',
  chainDirectory: 'files: directory of cardano-cli JSON outputs (tip.json, stake-snapshot-<epoch>.json)',
  cardanoCliPath: 'cardano-cli: path of the binary, or its name on PATH (default cardano-cli)',
  cardanoNodeSocketPath: "cardano-cli: the node's socket",
  cardanoNetworkMagic: 'cardano-cli: mainnet, or the testnet magic (preprod 1, preview 2)',
  cardanoCliCommandEra: 'cardano-cli: command group of the queries: auto (default: from the tip era), legacy, latest, babbage or conway',
  cardanoCliTimeoutMs: 'cardano-cli: deadline of one command (ms, default 60000)',
  ogmiosUrl: 'ogmios: WebSocket address, e.g. ws://127.0.0.1:1337',
  ogmiosRequestTimeoutMs: 'ogmios: deadline of one request (ms, default 30000)',
};

export interface CreatedChainObserver {
  readonly chain: ChainObserver;
  /** Where the era reader finds inline datums (the era markers): the chain's files, or the node through cardano-cli or Ogmios. */
  readonly datums: InlineDatumSource;
  /** Closes what the observer holds open (Ogmios' connection); the service calls it when it stops. */
  close(): Promise<void>;
}

/** The observer the settings choose (they were checked by {@link requireChainObserverSettings}). */
export function createChainObserver(config: ChainObserverSettings, requested: { tipTtlMs?: number; minSyncProgress?: number } = {}): CreatedChainObserver {
  // A node's tip moves once a slot (1 s on Cardano's networks): asking it more often costs a process
  // or a round trip each time for nothing, so the live observers reuse a tip for at least that long.
  // A service reads each epoch's stake as soon as its observer sees the epoch: with Ogmios, which
  // answers only the present epoch, that is its one chance to have it for the registrations that
  // straddle the next boundary; with cardano-cli it keeps the slow query off the first caller's path.
  const options = { ...requested, tipTtlMs: Math.max(1000, requested.tipTtlMs ?? 1000), readStakeOnNewEpoch: true };
  const kind = config.chainObserver ?? 'files';
  const missing = (key: string) => new Error(`${key} is required when chainObserver is ${kind}`);
  switch (kind) {
    case 'files': {
      if (config.chainDirectory === undefined) throw missing('chainDirectory');
      return {
        chain: new CardanoCliFilesChainObserver(config.chainDirectory, requested.tipTtlMs),
        datums: new CardanoCliFilesDatumSource(config.chainDirectory),
        close: async () => {},
      };
    }
    case 'cardano-cli': {
      if (config.cardanoNodeSocketPath === undefined) throw missing('cardanoNodeSocketPath');
      if (config.cardanoNetworkMagic === undefined) throw missing('cardanoNetworkMagic');
      const chain = new CardanoCliChainObserver({
        binary: config.cardanoCliPath ?? 'cardano-cli',
        socketPath: config.cardanoNodeSocketPath,
        network: config.cardanoNetworkMagic === 'mainnet' ? 'mainnet' : { testnetMagic: Number(config.cardanoNetworkMagic) },
        commandEra: config.cardanoCliCommandEra ?? 'auto',
        ...(config.cardanoCliTimeoutMs !== undefined ? { timeoutMs: config.cardanoCliTimeoutMs } : {}),
        ...options,
      });
      return { chain, datums: chain, close: async () => {} };
    }
    case 'ogmios': {
      if (config.ogmiosUrl === undefined) throw missing('ogmiosUrl');
      const chain = new OgmiosChainObserver({
        url: config.ogmiosUrl,
        ...(config.ogmiosRequestTimeoutMs !== undefined ? { requestTimeoutMs: config.ogmiosRequestTimeoutMs } : {}),
        ...options,
      });
      return { chain, datums: chain, close: () => chain.close() };
    }
  }
}
