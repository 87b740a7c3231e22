/**
 * What every command needs: the output, the aggregator client chosen from `--aggregator` (over
 * TLS checked against `--ca-file` when given), and the genesis verification key (from the
 * option, a file, or MITHRIL_GENESIS_VERIFICATION_KEY).
 */
import { readFile, stat } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import { Agent } from 'undici';
import { ProtocolError, decodeAncillaryKey, decodeGenesisVerificationKey } from '@mithril-ts/protocol';
import type { AggregatorClient } from '../aggregator/port.js';
import { parseAggregatorEndpoint } from '../aggregator/endpoint.js';
import { GrpcAggregatorClient } from '../aggregator/grpc.js';
import { RestAggregatorClient } from '../aggregator/rest.js';
import { CliError } from '../errors.js';
import type { Fetch } from '../http.js';
import type { CliIo, Output } from '../output.js';
import { readCaFile } from '../tls.js';
import { AGGREGATOR_ENV, ANCILLARY_KEY_ENV, CA_FILE_ENV, GENESIS_KEY_ENV, type GlobalOptions } from './options.js';

const MAX_GENESIS_KEY_FILE_BYTES = 64 * 1024;

export class CommandContext {
  private client: AggregatorClient | undefined;
  /** HTTPS connection pools for `--ca-file`: the aggregator's REST API, and downloads; closed with the context. */
  private readonly agents: Agent[] = [];
  private ca: string | undefined;

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

  async aggregator(): Promise<AggregatorClient> {
    if (this.client !== undefined) return this.client;
    const text = this.options.aggregator ?? this.io.env[AGGREGATOR_ENV];
    if (text === undefined || text.trim() === '') {
      throw new CliError('usage', `no aggregator: give --aggregator <url> (or set ${AGGREGATOR_ENV})`, { reason: 'MISSING_AGGREGATOR' });
    }
    const endpoint = parseAggregatorEndpoint(text);
    const caFile = this.options.caFile ?? this.io.env[CA_FILE_ENV];
    const ca = caFile === undefined || caFile === '' ? undefined : await readCaFile(caFile);
    this.ca = ca;
    const tls = endpoint.transport === 'rest' ? endpoint.baseUrl.startsWith('https:') : endpoint.tls;
    // A CA given for a plaintext endpoint is a mistake to point out: the user expects TLS.
    if (ca !== undefined && !tls)
      throw new CliError('usage', `--ca-file (or ${CA_FILE_ENV}) is for TLS endpoints (https://, grpcs://), not ${text.trim()}`, {
        reason: 'CONFLICTING_OPTIONS',
      });
    if (endpoint.transport === 'rest') {
      // The CA replaces the system's store for the aggregator (as curl's --cacert): a private
      // deployment's certificate is checked against its own CA only.
      const fetch = ca === undefined ? this.io.fetch : this.fetchTrusting(ca);
      this.client = new RestAggregatorClient(endpoint.baseUrl, { fetch, timeoutMs: this.timeoutMs, signal: this.io.signal });
    } else {
      this.client = new GrpcAggregatorClient(text.trim(), endpoint.address, {
        tls: endpoint.tls,
        ...(ca !== undefined ? { ca: Buffer.from(ca) } : {}),
        deadlineMs: this.timeoutMs,
      });
    }
    return this.client;
  }

  /**
   * The fetch of downloads (digests lists, archives): they may come from the private deployment
   * (the aggregator's own files, under `--ca-file`'s CA) or from any public storage it points to,
   * so `--ca-file` is trusted in addition to the system's CAs there. Call after `aggregator()`.
   */
  downloadFetch(): Fetch | undefined {
    return this.ca === undefined ? this.io.fetch : this.fetchTrusting([...rootCertificates, this.ca]);
  }

  private fetchTrusting(ca: string | string[]): Fetch {
    const agent = new Agent({ connect: { ca } });
    this.agents.push(agent);
    const base = this.io.fetch ?? globalThis.fetch;
    return ((input, init) => base(input, { ...init, dispatcher: agent } as RequestInit)) as Fetch;
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

  /**
   * The ancillary verification key: `--ancillary-verification-key`, `--ancillary-verification-key-file`
   * or MITHRIL_ANCILLARY_VERIFICATION_KEY (json-hex or hex), required with --include-ancillary.
   */
  async ancillaryKey(options: { readonly ancillaryVerificationKey?: string; readonly ancillaryVerificationKeyFile?: string }): Promise<Uint8Array> {
    const { ancillaryVerificationKey: given, ancillaryVerificationKeyFile: file } = options;
    if (given !== undefined && file !== undefined) {
      throw new CliError('usage', 'give either --ancillary-verification-key or --ancillary-verification-key-file, not both', { reason: 'CONFLICTING_OPTIONS' });
    }
    let text = given ?? this.io.env[ANCILLARY_KEY_ENV];
    let source = given !== undefined ? '--ancillary-verification-key' : ANCILLARY_KEY_ENV;
    if (file !== undefined) {
      source = file;
      try {
        if ((await stat(file)).size > MAX_GENESIS_KEY_FILE_BYTES) throw new Error('the file is too large to be a key');
        text = await readFile(file, 'utf8');
      } catch (cause) {
        throw new CliError('usage', `cannot read the ancillary verification key file ${file}: ${(cause as Error).message}`, {
          reason: 'INVALID_ANCILLARY_KEY',
          cause,
        });
      }
    }
    if (text === undefined || text.trim() === '') {
      throw new CliError(
        'usage',
        `--include-ancillary needs the aggregator's ancillary verification key: give --ancillary-verification-key, --ancillary-verification-key-file or set ${ANCILLARY_KEY_ENV} (a devnet's is .devnet/ancillary/ancillary.vkey)`,
        { reason: 'MISSING_ANCILLARY_KEY' },
      );
    }
    try {
      return decodeAncillaryKey(text.trim(), 'verification');
    } catch (cause) {
      if (!(cause instanceof ProtocolError)) throw cause;
      throw new CliError('usage', `${source}: ${cause.message}`, { reason: 'INVALID_ANCILLARY_KEY', cause });
    }
  }

  /** The exit code of a command that ran to its end but reports a finding (snapshot verify); 0 when unset. */
  exitCode = 0;

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

  async close(): Promise<void> {
    this.client?.close();
    await Promise.all(this.agents.map((agent) => agent.close()));
  }
}
