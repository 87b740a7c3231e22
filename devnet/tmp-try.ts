import { buildBlock } from './src/blocks.js';
import { devnetParameters } from './src/parameters.js';
const params = devnetParameters();
let prev: { hash: Uint8Array; number: bigint } | undefined;
for (let slot = 0n; slot < 20n; slot++) { const b = buildBlock(params, slot, prev); prev = { hash: b.parsed.hash, number: b.parsed.number }; }
const t = performance.now();
let bytes = 0, txs = 0;
for (let slot = 20n; slot < 220n; slot++) {
  const b = buildBlock(params, slot, prev);
  prev = { hash: b.parsed.hash, number: b.parsed.number };
  bytes += b.bytes.length; txs += b.parsed.transactionHashes.length;
}
const ms = performance.now() - t;
console.log({ ms, bytes, txs, perTxUs: (ms * 1000) / txs, avgBlock: bytes / 200 });
