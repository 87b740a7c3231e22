/**
 * A chain observer over Ogmios v6 (JSON-RPC 2.0 on one WebSocket), which many operators already
 * run beside their node:
 *   tip     queryLedgerState/tip + queryLedgerState/epoch + queryNetwork/blockHeight, and from
 *           GET /health the sync progress and era (Ogmios' own summary of its node)
 *   stake   queryLedgerState/stakePools {includeStake: true} (Ogmios ≥ 6.11): each pool's stake in
 *           lovelace. Ogmios has no query of the ledger's mark/set/go snapshots (cardano-cli's
 *           stake-snapshot); this stake is the SPO stake distribution the Conway ledger fixes at the
 *           epoch boundary from the new mark snapshot, so every service reading it during an
 *           epoch reads the same numbers — read once per epoch, like the cardano-cli observer.
 *           Only the present epoch's: a service keeps what it read (readStakeOnNewEpoch reads it as
 *           soon as a tip shows the epoch), and an epoch it never saw is "not known".
 *   datums  queryLedgerState/utxo {addresses: [a]}: each output's inline datum, CBOR hex, decoded
 *           as Plutus data (the era markers)
 *
 * One connection, kept open; when it drops, requests in flight fail at once (NODE_UNREACHABLE)
 * and it is re-opened with exponential backoff (doubling from reconnectMinMs to reconnectMaxMs,
 * reset by a successful open); a request made while it is down waits for it within its own
 * timeout. Frames above maxPayloadBytes close the connection (ws' maxPayload) rather than being
 * buffered: an Ogmios answer of the queries above is at most a few MiB on mainnet.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { WebSocket } from 'ws';
import {
  parseOgmiosAnswer,
  parseOgmiosBlockHeight,
  parseOgmiosEpoch,
  parseOgmiosHealth,
  parseOgmiosStakePools,
  parseOgmiosTip,
  parseOgmiosUtxoInlineDatums,
  isAddressText,
  type ChainTip,
  type InlineDatum,
} from '@mithril-ts/cardano';
import { ChainObserverError } from './chain-observer-error.js';
import { NodeChainObserver, type NodeChainObserverOptions, type NodeStakeSnapshots } from './node-chain-observer.js';

export interface OgmiosObserverOptions extends NodeChainObserverOptions {
  /** ws://host:1337 (or wss://): Ogmios' address; its HTTP /health is read at the same host and port. */
  readonly url: string;
  readonly requestTimeoutMs?: number;
  readonly maxPayloadBytes?: number;
  readonly reconnectMinMs?: number;
  readonly reconnectMaxMs?: number;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_PAYLOAD_BYTES = 32 * 1024 * 1024;
const MAX_HEALTH_BYTES = 1024 * 1024;

interface Pending {
  readonly method: string;
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export class OgmiosChainObserver extends NodeChainObserver {
  readonly #url: URL;
  readonly #requestTimeoutMs: number;
  readonly #maxPayloadBytes: number;
  readonly #reconnectMinMs: number;
  readonly #reconnectMaxMs: number;
  #socket: WebSocket | undefined;
  #open = false;
  #closed = false;
  #failures = 0;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #lastProblem = 'not connected yet';
  #nextId = 0;
  readonly #pending = new Map<number, Pending>();
  #openWaiters: (() => void)[] = [];

  constructor(options: OgmiosObserverOptions) {
    super(options);
    this.#url = new URL(options.url);
    if (this.#url.protocol !== 'ws:' && this.#url.protocol !== 'wss:') throw new RangeError(`Ogmios url ${options.url} is not ws:// or wss://`);
    this.#requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.#maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
    this.#reconnectMinMs = options.reconnectMinMs ?? 250;
    this.#reconnectMaxMs = options.reconnectMaxMs ?? 30_000;
  }

  /** Reconnections after a drop or a failed open since the last successful open. */
  get consecutiveFailures(): number {
    return this.#failures;
  }

  protected override async readTip(): Promise<ChainTip> {
    const [tip, epoch, height] = await Promise.all([
      this.#call('queryLedgerState/tip', parseOgmiosTip),
      this.#call('queryLedgerState/epoch', parseOgmiosEpoch),
      this.#call('queryNetwork/blockHeight', parseOgmiosBlockHeight),
    ]);
    // After the queries, so that an Ogmios that is down is reported by its WebSocket's story.
    const health = await this.#health();
    return { epoch, slot: tip?.slot ?? 0n, block: height, hash: tip?.hash, era: health.era, syncProgress: health.syncProgress };
  }

  /** Ogmios answers the present epoch's stake only. */
  protected override readonly pastEpochsAnswered = 0;

  protected override async readStakeSnapshots(): Promise<NodeStakeSnapshots> {
    return { mark: await this.#call('queryLedgerState/stakePools', parseOgmiosStakePools, { includeStake: true }) };
  }

  /**
   * The inline datums of the outputs at `address` (queryLedgerState/utxo {addresses: [address]}):
   * where the era markers live. Ogmios returns each inline datum as CBOR; it is decoded into the
   * detailed JSON schema the cardano-cli observer reads, so one era reader serves both. Anyone can
   * pay to an address, so the caller keeps only what verifies.
   */
  async inlineDatumsAt(address: string): Promise<readonly InlineDatum[]> {
    if (!isAddressText(address)) throw new ChainObserverError(`not an address: ${JSON.stringify(address.slice(0, 80))}`, 'INVALID_OUTPUT');
    return this.#call('queryLedgerState/utxo', parseOgmiosUtxoInlineDatums, { addresses: [address] });
  }

  /** Stops reconnecting and closes the connection; requests in flight fail. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#reconnectTimer);
    const socket = this.#socket;
    this.#dropped('the observer is closed');
    if (socket !== undefined && socket.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.close();
        setTimeout(() => {
          socket.terminate();
          resolve();
        }, 1000).unref();
      });
    }
  }

  async #call<T>(method: string, parse: (result: unknown) => T, params?: Record<string, unknown>): Promise<T> {
    const result = await this.#request(method, params);
    try {
      return parse(result);
    } catch (error) {
      throw new ChainObserverError(`Ogmios ${method}: ${(error as Error).message}`, 'INVALID_OUTPUT', { cause: error });
    }
  }

  async #request(method: string, params: Record<string, unknown> | undefined): Promise<unknown> {
    if (this.#closed) throw new ChainObserverError('the Ogmios observer is closed', 'NODE_UNREACHABLE');
    const deadline = Date.now() + this.#requestTimeoutMs;
    if (!this.#open) await this.#whenOpen(method, deadline);
    const id = this.#nextId++;
    const socket = this.#socket as WebSocket;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => {
          this.#pending.delete(id);
          reject(new ChainObserverError(`Ogmios ${method}: no answer within ${this.#requestTimeoutMs} ms`, 'TIMEOUT'));
        },
        Math.max(0, deadline - Date.now()),
      );
      this.#pending.set(id, { method, resolve, reject, timer });
      socket.send(JSON.stringify({ jsonrpc: '2.0', method, ...(params !== undefined ? { params } : {}), id }), (error) => {
        if (error === undefined || error === null) return;
        clearTimeout(timer);
        this.#pending.delete(id);
        reject(new ChainObserverError(`Ogmios ${method}: cannot send (${error.message})`, 'NODE_UNREACHABLE'));
      });
    });
  }

  #whenOpen(method: string, deadline: number): Promise<void> {
    // A reconnection already scheduled keeps its backoff: a burst of requests must not defeat it.
    if (this.#socket === undefined && this.#reconnectTimer === undefined) this.#connect();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => {
          this.#openWaiters = this.#openWaiters.filter((waiter) => waiter !== opened);
          reject(new ChainObserverError(`Ogmios ${method}: cannot reach ${this.#url.href} (${this.#lastProblem})`, 'NODE_UNREACHABLE'));
        },
        Math.max(0, deadline - Date.now()),
      );
      const opened = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#openWaiters.push(opened);
    });
  }

  #connect(): void {
    const socket = new WebSocket(this.#url, { maxPayload: this.#maxPayloadBytes, handshakeTimeout: this.#requestTimeoutMs, perMessageDeflate: false });
    this.#socket = socket;
    socket.on('open', () => {
      this.#open = true;
      this.#failures = 0;
      const waiters = this.#openWaiters;
      this.#openWaiters = [];
      for (const waiter of waiters) waiter();
    });
    socket.on('message', (data, isBinary) => this.#answer(data, isBinary));
    socket.on('error', (error) => {
      this.#lastProblem = error.message;
    });
    socket.on('close', (code, reason) => {
      if (this.#socket !== socket) return;
      this.#dropped(`connection closed (${code}${reason.length > 0 ? ` ${reason.toString('utf8').slice(0, 120)}` : ''}; ${this.#lastProblem})`);
      if (!this.#closed) this.#scheduleReconnect();
    });
  }

  #answer(data: WebSocket.RawData, isBinary: boolean): void {
    if (isBinary) return this.#protocolError('a binary frame');
    let answer;
    try {
      answer = parseOgmiosAnswer(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8'));
    } catch (error) {
      return this.#protocolError((error as Error).message);
    }
    if (typeof answer.id !== 'number') return this.#protocolError('an answer without a request id');
    const pending = this.#pending.get(answer.id);
    if (pending === undefined) return; // answered after its timeout: dropped
    this.#pending.delete(answer.id);
    clearTimeout(pending.timer);
    if ('error' in answer) {
      pending.reject(new ChainObserverError(`Ogmios ${pending.method} failed (${answer.error.code}): ${answer.error.message}`, 'QUERY_FAILED'));
    } else {
      pending.resolve(answer.result);
    }
  }

  /** A peer that sends what Ogmios never sends is not trusted with the requests in flight: the connection is dropped. */
  #protocolError(what: string): void {
    this.#lastProblem = `Ogmios sent ${what}`;
    this.#socket?.terminate();
  }

  #dropped(why: string): void {
    this.#open = false;
    this.#socket = undefined;
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      this.#pending.delete(id);
      pending.reject(new ChainObserverError(`Ogmios ${pending.method}: ${why}`, 'NODE_UNREACHABLE'));
    }
  }

  #scheduleReconnect(): void {
    const delay = Math.min(this.#reconnectMaxMs, this.#reconnectMinMs * 2 ** Math.min(this.#failures, 30));
    this.#failures += 1;
    // Jitter so that the replicas of a service do not all knock at the same instant.
    this.#reconnectTimer = setTimeout(
      () => {
        this.#reconnectTimer = undefined;
        if (this.#socket === undefined && !this.#closed) this.#connect();
      },
      delay * (0.75 + Math.random() * 0.25),
    );
    this.#reconnectTimer.unref();
  }

  /** GET /health at Ogmios' host and port, body bounded. */
  #health(): Promise<{ syncProgress: number; era: string | undefined }> {
    const url = new URL('/health', this.#url);
    url.protocol = this.#url.protocol === 'wss:' ? 'https:' : 'http:';
    const get = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const fail = (message: string, code: 'NODE_UNREACHABLE' | 'TIMEOUT' | 'OUTPUT_TOO_LARGE' | 'INVALID_OUTPUT') =>
        reject(new ChainObserverError(`Ogmios GET /health: ${message}`, code));
      const request = get(url, { timeout: this.#requestTimeoutMs }, (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_HEALTH_BYTES) {
            request.destroy();
            return fail('answer above the size limit', 'OUTPUT_TOO_LARGE');
          }
          chunks.push(chunk);
        });
        response.on('end', () => {
          try {
            resolve(parseOgmiosHealth(Buffer.concat(chunks).toString('utf8')));
          } catch (error) {
            fail((error as Error).message, 'INVALID_OUTPUT');
          }
        });
        response.on('error', (error) => fail(error.message, 'NODE_UNREACHABLE'));
      });
      request.on('timeout', () => {
        request.destroy();
        fail(`no answer within ${this.#requestTimeoutMs} ms`, 'TIMEOUT');
      });
      request.on('error', (error) => fail(error.message, 'NODE_UNREACHABLE'));
      request.end();
    });
  }
}
