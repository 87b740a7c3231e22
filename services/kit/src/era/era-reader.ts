/**
 * The era reader port and its adapters: where a service learns which Mithril era is active.
 * - bootstrap: the single era this binary was built for, active since epoch 0 (a network that has
 *   never published markers; the reference's `bootstrap` adapter);
 * - file: a JSON list of markers (`[{"name":"pythagoras","epoch":0}, …]`), the reference's file
 *   adapter format, for devnets, tests and air-gapped setups;
 * - cardano-chain: the markers the network's era operator publishes on chain, as the reference
 *   reads them: the inline datums at one address, each a signed payload; the first whose
 *   signature verifies under the era-markers key wins. Datums come from an InlineDatumSource (the
 *   files chain observer here; the cardano-cli and Ogmios observers implement the same port, Ogmios'
 *   CBOR datums decoded into the same detailed JSON schema).
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { inlineDatumBytesFields, isAddressText, parseCardanoCliUtxoInlineDatums, type InlineDatum } from '@mithril-ts/cardano';
import {
  MAX_ERA_MARKERS_TEXT,
  SUPPORTED_ERAS,
  decodeEraMarkersPayload,
  parseEraMarkersJson,
  verifyEraMarkersPayload,
  type EraMarker,
} from '@mithril-ts/protocol';

export interface EraReader {
  /** The era markers as published now (not resolved against an epoch). */
  read(): Promise<readonly EraMarker[]>;
  /** Where the markers come from, for logs and errors. */
  readonly source: string;
}

/** The markers cannot be read (missing file, unreadable datums, no signed payload). */
export class EraReaderError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EraReaderError';
  }
}

/** The inline datums at an address (cardano-cli's detailed JSON schema). */
export interface InlineDatumSource {
  inlineDatumsAt(address: string): Promise<readonly InlineDatum[]>;
}

export class BootstrapEraReader implements EraReader {
  readonly source = 'bootstrap';
  read(): Promise<readonly EraMarker[]> {
    return Promise.resolve([{ name: SUPPORTED_ERAS[0], epoch: 0n }]);
  }
}

/** Reads at most `limit` bytes of a file; undefined when it does not exist. */
async function readBounded(path: string, limit: number): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new EraReaderError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const buffer = Buffer.alloc(limit + 1);
    const { bytesRead } = await handle.read(buffer, 0, limit + 1, 0);
    if (bytesRead > limit) throw new EraReaderError(`${path} is larger than ${limit} bytes`);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

export class FileEraReader implements EraReader {
  readonly source: string;
  constructor(readonly path: string) {
    this.source = `file ${path}`;
  }

  async read(): Promise<readonly EraMarker[]> {
    const text = await readBounded(this.path, MAX_ERA_MARKERS_TEXT);
    if (text === undefined) throw new EraReaderError(`the era markers file ${this.path} does not exist`);
    try {
      return parseEraMarkersJson(text);
    } catch (cause) {
      throw new EraReaderError(`${this.path}: ${(cause as Error).message}`, { cause });
    }
  }
}

export class CardanoChainEraReader implements EraReader {
  readonly source: string;
  constructor(
    private readonly datums: InlineDatumSource,
    private readonly address: string,
    private readonly verificationKey: Uint8Array,
  ) {
    this.source = `on-chain markers at ${address}`;
  }

  async read(): Promise<readonly EraMarker[]> {
    const datums = await this.datums.inlineDatumsAt(this.address);
    for (const datum of datums) {
      const hex = inlineDatumBytesFields(datum);
      if (hex === undefined) continue;
      // Anyone can send a datum to the address: what does not decode or verify is skipped.
      let payload;
      try {
        payload = decodeEraMarkersPayload(hex);
      } catch {
        continue;
      }
      if (verifyEraMarkersPayload(payload, this.verificationKey)) return payload.markers;
    }
    throw new EraReaderError(`no era markers payload signed by the era-markers key among the ${datums.length} datum(s) at ${this.address}`);
  }
}

/**
 * The inline datums of `utxo-<address>.json` in a chain directory, what `cardano-cli query utxo
 * --address <address> --out-file utxo-<address>.json` writes (the files chain observer's way: a
 * sidecar or cron job refreshes them; the devnet writes them).
 */
export class CardanoCliFilesDatumSource implements InlineDatumSource {
  constructor(private readonly directory: string) {}

  async inlineDatumsAt(address: string): Promise<readonly InlineDatum[]> {
    if (!isAddressText(address)) throw new EraReaderError(`not an address: ${JSON.stringify(address.slice(0, 80))}`);
    const path = join(this.directory, `utxo-${address}.json`);
    const text = await readBounded(path, 16 * 1024 * 1024);
    if (text === undefined) throw new EraReaderError(`no ${path}: the UTxOs of the era markers address are not known`);
    try {
      return parseCardanoCliUtxoInlineDatums(text);
    } catch (cause) {
      throw new EraReaderError(`${path}: ${(cause as Error).message}`, { cause });
    }
  }
}
