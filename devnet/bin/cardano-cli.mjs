#!/usr/bin/env node
// The devnet's `cardano-cli`: answers the queries a Mithril chain observer makes the way
// cardano-cli does (same command lines, same JSON on standard output, same failures on standard
// error with exit code 1), from the devnet's chain state instead of a node. The devnet's "node
// socket" is `<devnet>/cardano-cli/node.socket` (a marker file the launcher creates and removes);
// the answers are the devnet's files beside it, which the chain rewrites atomically every slot.
//
//   [query | latest query | conway query] tip
//   [query | latest query | conway query] stake-snapshot --all-stake-pools
//   [query | latest query | conway query] utxo --address <addr> --output-json
//   [query | latest query | conway query] kes-period-info --op-cert-file <devnet>/pools/pool-<i>/opcert.cert
//   … --socket-path <devnet>/cardano-cli/node.socket --testnet-magic 42
//
// Plain JavaScript with no imports beyond node: it runs as an executable from any directory.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

const DEVNET_NETWORK_MAGIC = '42';

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

const args = process.argv.slice(2);
const take = (flag) => {
  const index = args.indexOf(flag);
  if (index < 0) return undefined;
  if (index + 1 >= args.length) fail(`Missing: ${flag} ARGUMENT`);
  const [value] = args.splice(index, 2).slice(1);
  return value;
};
const socketPath = take('--socket-path') ?? process.env.CARDANO_NODE_SOCKET_PATH;
const magic = take('--testnet-magic');
const mainnet = args.includes('--mainnet');
if (mainnet) args.splice(args.indexOf('--mainnet'), 1);
const opcertFile = take('--op-cert-file');
const address = take('--address');
if (args.includes('--output-json')) args.splice(args.indexOf('--output-json'), 1);

let rest = args;
if (rest[0] === 'latest' || rest[0] === 'conway') rest = rest.slice(1);
else if (rest[0] !== 'query') fail(`Invalid argument \`${rest[0] ?? ''}'`);
if (rest[0] !== 'query') fail(`Invalid argument \`${rest[0] ?? ''}'`);
const query = rest.slice(1).join(' ');

if (socketPath === undefined) fail('Missing: --socket-path SOCKET_PATH');
if (!existsSync(socketPath))
  fail(`Command failed: query ${rest[1] ?? ''}  Error: Network.Socket.connect: <socket: 11>: does not exist (No such file or directory)`);
if (mainnet || magic !== DEVNET_NETWORK_MAGIC)
  fail(
    `Command failed: query ${rest[1] ?? ''}  Error: HandshakeError (Refused NodeToClientV_16 "version data mismatch: NodeToClientVersionData {networkMagic = NetworkMagic {unNetworkMagic = ${DEVNET_NETWORK_MAGIC}}, query = False} /= NodeToClientVersionData {networkMagic = NetworkMagic {unNetworkMagic = ${mainnet ? 764824073 : magic}}, query = False}")`,
  );

const directory = dirname(resolve(socketPath));
const read = (name) => readFileSync(join(directory, name), 'utf8');

switch (query) {
  case 'tip':
    process.stdout.write(read('tip.json'));
    break;
  case 'stake-snapshot --all-stake-pools': {
    // The snapshot of the tip's epoch: the chain writes it before the tip that enters the epoch.
    const { epoch } = JSON.parse(read('tip.json'));
    process.stdout.write(read(`stake-snapshot-${epoch}.json`));
    break;
  }
  case 'utxo': {
    // The UTxOs the devnet published at an address (its era markers datum), as `query utxo --output-json` prints them.
    if (address === undefined) fail('Missing: --address ADDRESS');
    if (!/^[a-z0-9_]{1,200}$/.test(address)) fail(`invalid address: ${address}`);
    const file = `utxo-${address}.json`;
    process.stdout.write(existsSync(join(directory, file)) ? read(file) : '{}\n');
    break;
  }
  case 'kes-period-info': {
    if (opcertFile === undefined) fail('Missing: --op-cert-file FILEPATH');
    const pool = /^pool-(\d+)$/.exec(basename(dirname(resolve(opcertFile))));
    if (pool === null || !existsSync(opcertFile)) fail(`${opcertFile}: openBinaryFile: does not exist (No such file or directory)`);
    process.stdout.write("✓ Operational certificate's KES period is within the correct KES period interval\n");
    process.stdout.write('✓ The operational certificate counter agrees with the node protocol state counter\n');
    process.stdout.write(read(`kes-period-info-pool-${pool[1]}.json`));
    break;
  }
  default:
    fail(`Invalid argument \`${rest[1] ?? ''}'`);
}
