/**
 * Where a running devnet can be reached, for people and scripts: `<root>/endpoints.json` (read by
 * scripts and the README's client commands), `<root>/client.env` (shell exports for the client:
 * `. .devnet/client.env`) and a short block printed at start.
 */
import { writeFileAtomic } from '../files.js';
import { join } from 'node:path';

export interface DevnetEndpoints {
  readonly network: string;
  /** The reference aggregator's REST API base (what `mithril-client --aggregator` takes). */
  readonly rest: string;
  /** The aggregator's gRPC API (`grpcs://` over TLS with the devnet CA, `grpc://` with --insecure). */
  readonly aggregatorGrpc: string;
  readonly signerGatewayGrpc: string;
  /** The snapshotter's archive download server. */
  readonly snapshotDownloads: string | undefined;
  readonly genesisVerificationKeyFile: string;
  /** The CA to trust for the gRPC ports; undefined when the devnet runs insecure. */
  readonly caFile: string | undefined;
  /** The explorer served by the REST gateway, pointed at it, with the devnet's genesis verification key in the link. */
  readonly explorer: string;
  readonly logs: string;
}

export const endpointsFile = (root: string) => join(root, 'endpoints.json');
export const clientEnvFile = (root: string) => join(root, 'client.env');

/** A single-quoted shell word (paths may hold spaces). */
const shellQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

export async function writeEndpoints(root: string, endpoints: DevnetEndpoints, genesisVerificationKey: string): Promise<void> {
  await writeFileAtomic(endpointsFile(root), `${JSON.stringify(endpoints, null, 2)}\n`);
  // The REST endpoint is the default: it needs no CA (plain HTTP on loopback). gRPC commands pass
  // --aggregator "$MITHRIL_DEVNET_GRPC" --ca-file "$MITHRIL_DEVNET_CA_FILE".
  const lines = [
    '# The devnet started by `npm start`, for mithril-client: . .devnet/client.env',
    `export MITHRIL_AGGREGATOR_ENDPOINT=${shellQuote(endpoints.rest)}`,
    `export MITHRIL_GENESIS_VERIFICATION_KEY=${shellQuote(genesisVerificationKey)}`,
    `export MITHRIL_DEVNET_GRPC=${shellQuote(endpoints.aggregatorGrpc)}`,
    ...(endpoints.caFile === undefined ? [] : [`export MITHRIL_DEVNET_CA_FILE=${shellQuote(endpoints.caFile)}`]),
  ];
  await writeFileAtomic(clientEnvFile(root), `${lines.join('\n')}\n`);
}

/** The block printed at start: one endpoint per line, then how to use the client. */
export function endpointsBlock(root: string, endpoints: DevnetEndpoints, pools: number): string[] {
  const rows: [string, string][] = [
    ['REST API (reference)', endpoints.rest],
    [`aggregator gRPC${endpoints.caFile === undefined ? '' : ' (TLS)'}`, endpoints.aggregatorGrpc],
    [`signer gateway gRPC${endpoints.caFile === undefined ? '' : ' (TLS)'}`, endpoints.signerGatewayGrpc],
    ...(endpoints.snapshotDownloads === undefined ? [] : [['snapshot downloads', endpoints.snapshotDownloads] as [string, string]]),
    ['genesis verification key', endpoints.genesisVerificationKeyFile],
    ...(endpoints.caFile === undefined ? [] : [['CA for the gRPC ports', endpoints.caFile] as [string, string]]),
    ['explorer (verifies in your browser)', endpoints.explorer],
    ['service logs', endpoints.logs],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    `Mithril devnet up: ${pools} pools, network "${endpoints.network}"; these endpoints are in ${endpointsFile(root)}`,
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
    `Client, in another terminal (first certificates in ~30 s): . ${clientEnvFile(root)} && npx mithril-client certificate verify latest`,
  ];
}
