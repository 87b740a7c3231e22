/**
 * What every command needs: the output, the aggregator client chosen from `--aggregator`, and
 * the genesis verification key (from the option, a file, or MITHRIL_GENESIS_VERIFICATION_KEY).
 */
import { readFile, stat } from 'node:fs/promises';
import { ProtocolError, decodeGenesisVerificationKey } from '@mithril-ts/protocol';
import type { AggregatorClient } from '../aggregator/port.js';
import { parseAggregatorEndpoint } from '../aggregator/endpoint.js';
import { GrpcAggregatorClient } from '../aggregator/grpc.js';
import { RestAggregatorClient } from '../aggregator/rest.js';
import { CliError } from '../errors.js';
import type { CliIo, Output } from '../output.js';

export const AGGREGATOR_ENV = 'MITHRIL_AGGREGATOR_ENDPOINT';
export const GENESIS_KEY_ENV = 'MITHRIL_GENESIS_VERIFICATION_KEY';
const MAX_GENESIS_KEY_FILE_BYTES = 64 * 1024;
const HASH = /^[0-9a-f]{64}$/;

export interface GlobalOptions {
  readonly aggregator?: string;
  readonly genesisVerificationKey?: string;
  readonly genesisVerificationKeyFile?: string;
  readonly json?: boolean;
  readonly timeout?: string;
}

export class CommandContext {
  private client: AggregatorClient | undefined;

  constructor(
    readonly io: CliIo,
    readonly output: Output,
    private readonly options: GlobalOptions,
  ) {}

  get timeoutMs(): number {
    const seconds = Number(this.options.timeout ?? '30');
    if (!Number.isFinite(seconds) || seconds <= 0)
      throw new CliError('usage', `--timeout must be a positive number of seconds, got ${JSON.stringify(this.options.timeout)}`, {
        reason: 'INVALID_ARGUMENT',
      });
    return seconds * 1000;
  }

  aggregator(): AggregatorClient {
    if (this.client !== undefined) return this.client;
    const text = this.options.aggregator ?? this.io.env[AGGREGATOR_ENV];
    if (text === undefined || text.trim() === '') {
      throw new CliError('usage', `no aggregator: give --aggregator <url> (or set ${AGGREGATOR_ENV})`, { reason: 'MISSING_AGGREGATOR' });
    }
    const endpoint = parseAggregatorEndpoint(text);
    this.client =
      endpoint.transport === 'rest'
        ? new RestAggregatorClient(endpoint.baseUrl, { fetch: this.io.fetch, timeoutMs: this.timeoutMs, signal: this.io.signal })
        : new GrpcAggregatorClient(text.trim(), endpoint.address, { tls: endpoint.tls, deadlineMs: this.timeoutMs });
    return this.client;
  }

  /** The genesis verification key, or undefined when none was given anywhere. */
  async optionalGenesisKey(): Promise<Uint8Array | undefined> {
    const { genesisVerificationKey, genesisVerificationKeyFile } = this.options;
    if (genesisVerificationKey !== undefined && genesisVerificationKeyFile !== undefined) {
      throw new CliError('usage', 'give either --genesis-verification-key or --genesis-verification-key-file, not both', { reason: 'CONFLICTING_OPTIONS' });
    }
    let text: string | undefined;
    let source: string;
    if (genesisVerificationKey !== undefined) {
      text = genesisVerificationKey;
      source = '--genesis-verification-key';
    } else if (genesisVerificationKeyFile !== undefined) {
      source = genesisVerificationKeyFile;
      try {
        if ((await stat(genesisVerificationKeyFile)).size > MAX_GENESIS_KEY_FILE_BYTES) throw new Error('the file is too large to be a key');
        text = await readFile(genesisVerificationKeyFile, 'utf8');
      } catch (cause) {
        throw new CliError('usage', `cannot read the genesis verification key file ${genesisVerificationKeyFile}: ${(cause as Error).message}`, {
          reason: 'INVALID_GENESIS_KEY',
          cause,
        });
      }
    } else {
      text = this.io.env[GENESIS_KEY_ENV];
      source = GENESIS_KEY_ENV;
    }
    if (text === undefined || text.trim() === '') return undefined;
    try {
      return decodeGenesisVerificationKey(text.trim());
    } catch (cause) {
      if (!(cause instanceof ProtocolError)) throw cause;
      throw new CliError('usage', `${source}: ${cause.message}`, { reason: 'INVALID_GENESIS_KEY', cause });
    }
  }

  async genesisKey(): Promise<Uint8Array> {
    const key = await this.optionalGenesisKey();
    if (key === undefined) {
      throw new CliError(
        'usage',
        `verification needs the genesis verification key: give --genesis-verification-key, --genesis-verification-key-file or set ${GENESIS_KEY_ENV}`,
        { reason: 'MISSING_GENESIS_KEY' },
      );
    }
    return key;
  }

  close(): void {
    this.client?.close();
  }
}

/** `latest` or a 64-hex hash. */
export function hashOrLatest(value: string, what: string): string {
  if (value === 'latest' || HASH.test(value)) return value;
  throw new CliError('usage', `${what} must be "latest" or a 64-character lowercase hex hash, got ${JSON.stringify(value.slice(0, 80))}`, {
    reason: 'INVALID_ARGUMENT',
  });
}

export function positiveInteger(value: string, option: string, max: number): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > max)
    throw new CliError('usage', `${option} must be an integer from 1 to ${max}, got ${JSON.stringify(value)}`, { reason: 'INVALID_ARGUMENT' });
  return number;
}
