/**
 * The devnet behind the two live chain observers, so the launcher and the e2e tests run the
 * services exactly as beside a real node:
 *   cardano-cli  bin/cardano-cli, the devnet's stand-in binary (POSIX sh), answering from the files the
 *                chain writes; its "node socket" is a marker file beside them (present while the
 *                network runs, like a node's socket)
 *   ogmios       an Ogmios v6 double (testkit's WebSocket JSON-RPC server) answering from the
 *                chain's position and stake: the stake of pools is the epoch's mark stake, the
 *                number cardano-cli's stake-snapshot prints, so every observer reads one chain;
 *                and queryLedgerState/utxo from the UTxOs the devnet publishes for cardano-cli
 *                (`utxo-<address>.json`: the era markers), each inline datum as the CBOR a
 *                transaction carries (written by CSL from the detailed JSON schema)
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import * as CSL from '@emurgo/cardano-serialization-lib-nodejs';
import { isAddressText } from '@mithril-ts/cardano';
import { parseJson, stringifyJson, toHex } from '@mithril-ts/codec';
import { startOgmiosDouble } from '@mithril-ts/testkit/ogmios';
import type { Devnet } from './devnet.js';
import { ERA } from './cardano-cli.js';
import { stakeDistribution } from './stake.js';

export const CHAIN_OBSERVER_KINDS = ['files', 'cardano-cli', 'ogmios'] as const;
export type ChainObserverKind = (typeof CHAIN_OBSERVER_KINDS)[number];

/** The devnet's testnet magic, which its cardano-cli checks like a node's handshake does. */
export const DEVNET_NETWORK_MAGIC = 42;

/** The devnet's stand-in cardano-cli executable. */
export const DEVNET_CARDANO_CLI = fileURLToPath(new URL('../bin/cardano-cli', import.meta.url));

export interface DevnetChainAccess {
  /** The chain observer settings every service gets. */
  readonly settings: Record<string, string>;
  stop(): Promise<void>;
}

/** Starts what `kind` needs beside the devnet and returns the services' settings for it. */
export async function devnetChainAccess(devnet: Devnet, kind: ChainObserverKind): Promise<DevnetChainAccess> {
  const { layout } = devnet;
  switch (kind) {
    case 'files':
      return { settings: { chainObserver: 'files', chainDirectory: layout.cardanoCliDirectory }, stop: async () => {} };
    case 'cardano-cli': {
      const socket = join(layout.cardanoCliDirectory, 'node.socket');
      await writeFile(socket, '');
      return {
        settings: {
          chainObserver: 'cardano-cli',
          cardanoCliPath: DEVNET_CARDANO_CLI,
          cardanoNodeSocketPath: socket,
          cardanoNetworkMagic: String(DEVNET_NETWORK_MAGIC),
        },
        stop: () => rm(socket, { force: true }),
      };
    }
    case 'ogmios': {
      const ogmios = await startDevnetOgmios(devnet);
      return { settings: { chainObserver: 'ogmios', ogmiosUrl: ogmios.url }, stop: () => ogmios.close() };
    }
  }
}

/** An Ogmios v6 double fed by the devnet's chain. */
export function startDevnetOgmios(devnet: Devnet) {
  const { parameters, pools } = devnet;
  const tip = () => {
    const position = devnet.position;
    const hash = devnet.tipHash;
    return position === undefined || hash === undefined ? 'origin' : { slot: position.slot, id: toHex(hash) };
  };
  return startOgmiosDouble({
    answer: (method, params) => {
      const position = devnet.position;
      switch (method) {
        case 'queryLedgerState/tip':
        case 'queryNetwork/tip':
          return { result: tip() };
        case 'queryLedgerState/epoch':
          return position === undefined ? { error: { code: 2001, message: 'no ledger state yet' } } : { result: position.epoch };
        case 'queryNetwork/blockHeight':
          return { result: position === undefined ? 'origin' : position.blockNumber };
        case 'queryLedgerState/utxo':
          return utxoAnswer(devnet.layout.cardanoCliDirectory, params);
        case 'queryLedgerState/stakePools': {
          if (position === undefined) return { result: {} };
          const stakes = stakeDistribution(parameters, position.epoch);
          return {
            result: Object.fromEntries(pools.map((pool, i) => [pool.poolId.bech32, { id: pool.poolId.bech32, stake: { ada: { lovelace: stakes[i] } } }])),
          };
        }
        default:
          return undefined;
      }
    },
    health: () => ({
      lastKnownTip: tip(),
      networkSynchronization: 1,
      currentEra: ERA.toLowerCase(),
      connectionStatus: 'connected',
      currentEpoch: devnet.position?.epoch ?? 0n,
      slotInEpoch: devnet.position?.slotInEpoch ?? 0n,
      network: parameters.network,
    }),
  });
}

/**
 * queryLedgerState/utxo {addresses: [...]} as Ogmios v6 answers it, from the `query utxo` JSON the
 * devnet publishes per address (an address with none has no outputs).
 */
async function utxoAnswer(directory: string, params: unknown) {
  const addresses = (params as { addresses?: unknown } | undefined)?.addresses;
  if (!Array.isArray(addresses) || !addresses.every((address): address is string => typeof address === 'string' && isAddressText(address)))
    return { error: { code: -32602, message: 'Invalid params: addresses must be a list of bech32 addresses' } };
  const outputs: unknown[] = [];
  for (const address of addresses) {
    let text: string;
    try {
      text = await readFile(join(directory, `utxo-${address}.json`), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    const utxos = parseJson(text) as Record<string, { address: string; value: { lovelace: bigint | number }; inlineDatum?: unknown }>;
    for (const [reference, utxo] of Object.entries(utxos)) {
      const [id, index] = reference.split('#');
      const datum =
        utxo.inlineDatum === undefined || utxo.inlineDatum === null
          ? {}
          : { datum: CSL.PlutusData.from_json(stringifyJson(utxo.inlineDatum), CSL.PlutusDatumSchema.DetailedSchema).to_hex() };
      outputs.push({ transaction: { id }, index: Number(index), address: utxo.address, value: { ada: { lovelace: utxo.value.lovelace } }, ...datum });
    }
  }
  return { result: outputs };
}
