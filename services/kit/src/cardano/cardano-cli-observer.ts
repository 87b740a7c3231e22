/**
 * A chain observer that runs `cardano-cli` beside a node (the way SPOs already query theirs):
 *   tip            `cardano-cli query tip --socket-path S (--mainnet | --testnet-magic N)`
 *   stake          `cardano-cli <era> query stake-snapshot --all-stake-pools …`: the "mark" stake,
 *                  the snapshot the reference's observers read (cli_observer and pallas_observer),
 *                  and from the same answer the "set" and "go" stake: the two previous epochs' mark
 *   KES period     `cardano-cli <era> query kes-period-info --op-cert-file F …`
 * Era-aware command forms: the tip is asked with the era-less `query tip` (every cardano-cli has
 * it, and its answer names the era); other queries use the era's command group (`conway query …`)
 * for Babbage and later, the era-less group before (older CLIs had no other), or the form the
 * `commandEra` setting forces (`latest`, `legacy`, an era).
 *
 * The binary is run with execFile (no shell: the settings are arguments, never parsed as shell
 * text), with a timeout and a bound on what it may print; its output is parsed strictly by
 * @mithril-ts/cardano's parsers. Failures are ChainObserverErrors whose code says what to fix.
 */
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import {
  isAddressText,
  parseCardanoCliKesPeriodInfo,
  parseCardanoCliStakeSnapshots,
  parseCardanoCliTip,
  parseCardanoCliUtxoInlineDatums,
  type ChainTip,
  type InlineDatum,
  type KesPeriodInfo,
} from '@mithril-ts/cardano';
import { ChainObserverError } from './chain-observer-error.js';
import { NodeChainObserver, type NodeChainObserverOptions, type NodeStakeSnapshots } from './node-chain-observer.js';

/** `auto` (from the tip's era), `legacy` (`query …`), `latest` (`latest query …`) or an era's group (`conway query …`). */
export const CARDANO_CLI_COMMAND_ERAS = ['auto', 'legacy', 'latest', 'babbage', 'conway'] as const;
export type CardanoCliCommandEra = (typeof CARDANO_CLI_COMMAND_ERAS)[number];

/** `mainnet`, or the magic of a testnet (preprod 1, preview 2, a private network's own). */
export type CardanoNetworkSelector = 'mainnet' | { readonly testnetMagic: number };

export interface CardanoCliObserverOptions extends NodeChainObserverOptions {
  /** Path of the cardano-cli binary, or its name on PATH. */
  readonly binary: string;
  /** The node's socket. */
  readonly socketPath: string;
  readonly network: CardanoNetworkSelector;
  readonly commandEra?: CardanoCliCommandEra;
  /** Deadline of one command: a mainnet stake snapshot takes seconds, a stuck node forever. */
  readonly timeoutMs?: number;
  /** Bound on what one command may print (a mainnet stake snapshot of ~3000 pools is ~400 KiB). */
  readonly maxOutputBytes?: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_OUTPUT_BYTES = 16 * 1024 * 1024;
/** Eras before Babbage had no era command group for queries in the cardano-cli of their time. */
const LEGACY_QUERY_ERAS = new Set(['Shelley', 'Allegra', 'Mary', 'Alonzo']);
const ERA_GROUP_ERAS = new Map([
  ['Babbage', 'babbage'],
  ['Conway', 'conway'],
]);
const STDERR_SHOWN = 600;

export class CardanoCliChainObserver extends NodeChainObserver {
  readonly #options: CardanoCliObserverOptions;

  constructor(options: CardanoCliObserverOptions) {
    super(options);
    if (typeof options.network !== 'string' && !(Number.isSafeInteger(options.network.testnetMagic) && options.network.testnetMagic >= 0))
      throw new RangeError('testnetMagic must be a non-negative integer');
    this.#options = options;
  }

  protected override async readTip(): Promise<ChainTip> {
    const forced = this.#options.commandEra ?? 'auto';
    const group = forced === 'auto' || forced === 'legacy' ? [] : [forced];
    return parseOutput(async () => parseCardanoCliTip(await this.#run([...group, 'query', 'tip'])), 'query tip');
  }

  /** stake-snapshot's set and go are the two previous epochs' mark (the ledger rotates them at each boundary). */
  protected override readonly pastEpochsAnswered = 2;

  protected override async readStakeSnapshots(tip: ChainTip): Promise<NodeStakeSnapshots> {
    const args = [...this.#group(tip), 'query', 'stake-snapshot', '--all-stake-pools'];
    return parseOutput(async () => parseCardanoCliStakeSnapshots(await this.#run(args)), 'query stake-snapshot');
  }

  /** `query kes-period-info` of an operational certificate file, as the node sees it (current KES period, counters, expiry). */
  async kesPeriodInfo(opcertFile: string): Promise<KesPeriodInfo> {
    const tip = await this.currentTip();
    const args = [...this.#group(tip), 'query', 'kes-period-info', '--op-cert-file', opcertFile];
    return parseOutput(async () => parseCardanoCliKesPeriodInfo(await this.#run(args)), 'query kes-period-info');
  }

  /**
   * The inline datums of the outputs at `address` (`query utxo --address A --output-json`): where
   * the era markers live. Anyone can pay to an address, so the caller keeps only what verifies.
   */
  async inlineDatumsAt(address: string): Promise<readonly InlineDatum[]> {
    if (!isAddressText(address)) throw new ChainObserverError(`not an address: ${JSON.stringify(address.slice(0, 80))}`, 'INVALID_OUTPUT');
    const tip = await this.currentTip();
    const args = [...this.#group(tip), 'query', 'utxo', '--address', address, '--output-json'];
    return parseOutput(async () => parseCardanoCliUtxoInlineDatums(await this.#run(args)), 'query utxo');
  }

  #group(tip: ChainTip): string[] {
    const forced = this.#options.commandEra ?? 'auto';
    if (forced === 'legacy') return [];
    if (forced !== 'auto') return [forced];
    if (tip.era === undefined || LEGACY_QUERY_ERAS.has(tip.era)) return [];
    const group = ERA_GROUP_ERAS.get(tip.era);
    if (group !== undefined) return [group];
    if (tip.era === 'Byron') throw new ChainObserverError('the Cardano node is in the Byron era, which has no stake: it is still syncing', 'ERA_WITHOUT_STAKE');
    throw new ChainObserverError(
      `the Cardano node is in the ${tip.era} era, whose cardano-cli command group this observer does not know: set cardanoCliCommandEra=latest (or the era's group) once cardano-cli supports it`,
      'UNKNOWN_ERA',
    );
  }

  /** Runs cardano-cli with `args` and the connection arguments; resolves with its standard output. */
  async #run(args: readonly string[]): Promise<string> {
    const { binary, socketPath, network } = this.#options;
    // Checked first because cardano-cli's own message for it changed across versions; the stderr
    // match below still covers a socket that disappears between the check and the connection.
    try {
      await stat(socketPath);
    } catch {
      throw new ChainObserverError(`the node socket ${socketPath} does not exist: is cardano-node running, and is socketPath right?`, 'SOCKET_MISSING');
    }
    const networkArgs = network === 'mainnet' ? ['--mainnet'] : ['--testnet-magic', String(network.testnetMagic)];
    const fullArgs = [...args, '--socket-path', socketPath, ...networkArgs];
    const command = `cardano-cli ${args.join(' ')}`;
    return new Promise((resolve, reject) => {
      execFile(
        binary,
        fullArgs,
        {
          encoding: 'utf8',
          timeout: this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          killSignal: 'SIGKILL',
          maxBuffer: this.#options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
          windowsHide: true,
        },
        (error, stdout, stderr) => {
          if (error === null) return resolve(stdout);
          reject(classify(error, stderr, command, binary, this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS));
        },
      );
    });
  }
}

async function parseOutput<T>(parse: () => Promise<T>, what: string): Promise<T> {
  try {
    return await parse();
  } catch (error) {
    if (error instanceof ChainObserverError) throw error;
    throw new ChainObserverError(`cardano-cli ${what}: ${(error as Error).message}`, 'INVALID_OUTPUT', { cause: error });
  }
}

type ExecError = Error & { code?: string | number | null; killed?: boolean; signal?: NodeJS.Signals | null };

function classify(error: ExecError, stderr: string, command: string, binary: string, timeoutMs: number): ChainObserverError {
  if (error.code === 'ENOENT') return new ChainObserverError(`cardano-cli binary ${binary} not found: set cardanoCliPath`, 'BINARY_NOT_FOUND');
  if (error.code === 'EACCES') return new ChainObserverError(`cardano-cli binary ${binary} cannot be executed (permissions)`, 'BINARY_NOT_FOUND');
  if (error.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') return new ChainObserverError(`${command}: output above the size limit`, 'OUTPUT_TOO_LARGE');
  if (error.killed === true) return new ChainObserverError(`${command}: no answer within ${timeoutMs} ms`, 'TIMEOUT');
  const said = stderr.trim().slice(0, STDERR_SHOWN);
  if (/does not exist \(No such file or directory\)/.test(said))
    return new ChainObserverError(`${command}: the node socket does not exist (${said})`, 'SOCKET_MISSING');
  if (/Connection refused|resource vanished/i.test(said)) return new ChainObserverError(`${command}: the node does not answer (${said})`, 'NODE_UNREACHABLE');
  if (/not supported in the era: Byron/i.test(said))
    return new ChainObserverError(`${command}: the node is in the Byron era, still syncing (${said})`, 'ERA_WITHOUT_STAKE');
  const unknownGroup = /Invalid argument [`'](\w+)'/.exec(said);
  if (unknownGroup !== null)
    return new ChainObserverError(`${command}: this cardano-cli has no "${unknownGroup[1]}" command: set cardanoCliCommandEra (${said})`, 'UNKNOWN_ERA');
  return new ChainObserverError(`${command} failed (exit ${String(error.code ?? error.signal)}): ${said || error.message}`, 'QUERY_FAILED');
}
