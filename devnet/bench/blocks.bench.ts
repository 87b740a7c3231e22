/**
 * `npm run bench:blocks`: the immutable DB block reader (service-kit `readImmutableBlocks`) over a
 * devnet-format immutable DB of at least 1 GiB, against `cat` of the same files to /dev/null in
 * the same run (the I/O baseline; target: the reader at ≥ 0.5× cat's MB/s).
 *
 * The DB is generated in a temporary directory (deleted after) unless
 * MITHRIL_BENCH_BLOCKS_DIR names one to create once and reuse. Size: MITHRIL_BENCH_BLOCKS_BYTES
 * (default 1 GiB). Blocks are the devnet's Conway blocks (headers chained, body sizes and hashes
 * real, every index entry as the node writes it), 100–200 transactions each (~40–80 KB, the size
 * of busy mainnet blocks); to generate a GiB in minutes rather than hours, the transactions
 * (CSL-built, Ed25519-witnessed) come from a pool of 500 reused across blocks, so transaction ids
 * repeat between blocks. That changes nothing the reader does.
 *
 * Both measurements read from the page cache (cat runs once untimed first): the comparison is of
 * CPU cost per byte, the reader's parsing and hashing against cat's copying. Run under `nice`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { immutableFileName, type ImmutableFileExtension } from '@mithril-ts/cardano';
import { readImmutableBlocks } from '@mithril-ts/service-kit';
import { Report, gibibytes, machineLine, seconds, timeCommand } from '@mithril-ts/testkit/bench';
import { blake2b } from '@noble/hashes/blake2.js';
import { assembleBlock, devnetParameters, devnetTransaction, trioFiles, type BuiltBlock, type LedgerTransaction, type PreviousBlock } from '../src/index.js';

const TARGET_RATIO = 0.5;
const CHUNK_SLOTS = 1000;
const POOL_TRANSACTIONS = 500;
const bytesWanted = Number(process.env.MITHRIL_BENCH_BLOCKS_BYTES ?? 1024 ** 3);
const params = devnetParameters({ immutableFileEverySlots: CHUNK_SLOTS, seed: 'bench:blocks', pools: 3 });

function mib(bytes: number, secondsTaken: number): number {
  return bytes / (1024 * 1024) / secondsTaken;
}

async function generate(directory: string): Promise<void> {
  mkdirSync(directory, { recursive: true });
  const started = performance.now();
  const pool: LedgerTransaction[] = Array.from({ length: POOL_TRANSACTIONS }, (_, i) => devnetTransaction(params, BigInt(i), 0));
  console.log(`  ${POOL_TRANSACTIONS} transactions built with CSL in ${seconds((performance.now() - started) / 1000)}`);
  let written = 0;
  let previous: PreviousBlock | undefined;
  let cursor = 0;
  for (let chunk = 0n; written < bytesWanted; chunk += 1n) {
    const blocks: BuiltBlock[] = [];
    for (let i = 0; i < CHUNK_SLOTS; i += 1) {
      const slot = chunk * BigInt(CHUNK_SLOTS) + BigInt(i);
      const count = 100 + ((i * 37) % 101);
      const transactions = Array.from({ length: count }, (_, k) => pool[(cursor + k) % POOL_TRANSACTIONS] as LedgerTransaction);
      cursor = (cursor + count) % POOL_TRANSACTIONS;
      const block = assembleBlock(params, slot, previous, transactions);
      previous = { hash: block.hash, number: block.number };
      blocks.push(block);
    }
    const files = trioFiles(params, chunk, blocks, true);
    for (const extension of ['chunk', 'primary', 'secondary'] as ImmutableFileExtension[]) {
      writeFileSync(join(directory, immutableFileName(chunk, extension)), files[extension]);
      written += files[extension].length;
    }
    process.stdout.write(`\r  generated ${gibibytes(written)} in ${seconds((performance.now() - started) / 1000)}`);
  }
  process.stdout.write('\n');
  writeFileSync(join(directory, '.complete'), String(written));
}

async function main(): Promise<void> {
  const reuse = process.env.MITHRIL_BENCH_BLOCKS_DIR;
  const directory = reuse ?? join(mkdtempSync(join(tmpdir(), 'bench-blocks-')), 'immutable');
  // A GiB left in /tmp by an interrupted run would outlive it: remove it on a signal too.
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      if (reuse === undefined) rmSync(join(directory, '..'), { recursive: true, force: true });
      process.exit(130);
    });
  try {
    if (!existsSync(join(directory, '.complete'))) await generate(directory);
    const files = readdirSync(directory)
      .filter((name) => !name.startsWith('.'))
      .sort()
      .map((name) => join(directory, name));
    const totalBytes = files.reduce((size, file) => size + statSync(file).size, 0);
    const report = new Report();
    const machine = await machineLine();

    // Warm the page cache, then time cat.
    spawnSync('sh', ['-c', 'cat -- "$@" > /dev/null', 'cat', ...files]);
    const cat = await timeCommand('sh', ['-c', 'cat -- "$@" > /dev/null', 'cat', ...files]);
    const catRate = mib(totalBytes, cat.seconds);

    let blocks = 0;
    let transactions = 0;
    const started = performance.now();
    for await (const block of readImmutableBlocks(directory, { chunkSlots: BigInt(CHUNK_SLOTS) })) {
      blocks += 1;
      transactions += block.transactionHashes.length;
    }
    const readerSeconds = (performance.now() - started) / 1000;
    const readerRate = mib(totalBytes, readerSeconds);

    // What one core hashes: the reader hashes every header and transaction body with it.
    const sample = new Uint8Array(64 * 1024).fill(7);
    const hashStarted = performance.now();
    for (let i = 0; i < 256; i += 1) blake2b(sample, { dkLen: 32 });
    const blakeRate = mib(256 * sample.length, (performance.now() - hashStarted) / 1000);

    report.section(`immutable DB: ${files.length / 3} chunks, ${gibibytes(totalBytes)}, ${blocks} blocks, ${transactions} transactions`);
    report.row('cat of the files to /dev/null', `${catRate.toFixed(0)} MiB/s (${seconds(cat.seconds)})`);
    report.row('block reader', `${readerRate.toFixed(0)} MiB/s (${seconds(readerSeconds)})`, {
      baseline: `cat ${catRate.toFixed(0)} MiB/s`,
      ratio: `${(readerRate / catRate).toFixed(3)}×`,
      target: `≥ ${TARGET_RATIO}×`,
      met: readerRate / catRate >= TARGET_RATIO,
    });
    report.row('blocks/s', `${(blocks / readerSeconds).toFixed(0)}`);
    report.row('transactions/s', `${(transactions / readerSeconds).toFixed(0)}`);
    report.row('Blake2b-256 (@noble/hashes), one core', `${blakeRate.toFixed(0)} MiB/s`, { ratio: `reader at ${(readerRate / blakeRate).toFixed(2)}× of it` });
    console.log(report.render(`bench:blocks — ${machine}`));
  } finally {
    if (reuse === undefined) rmSync(join(directory, '..'), { recursive: true, force: true });
  }
}

await main();
