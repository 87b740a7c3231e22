/** Bench helper: signs one message for a slice of signers in a worker thread. */
import { parentPort, workerData } from 'node:worker_threads';
import { SigningKey, Signer, type AggregateVerificationKey, type Parameters } from '../src/index.js';
import { singleSignatureToLegacyBytes } from '../src/encoding.js';

interface Job {
  params: Parameters;
  avk: AggregateVerificationKey;
  msg: Uint8Array;
  signers: { index: number; stake: bigint; sk: Uint8Array }[];
}

const job = workerData as Job;
const out: (Uint8Array | null)[] = [];
for (const { index, stake, sk } of job.signers) {
  const signer = new Signer(index, job.params, stake, SigningKey.fromBytes(sk), job.avk);
  const sig = signer.sign(job.msg);
  out.push(sig === null ? null : singleSignatureToLegacyBytes(sig));
}
parentPort!.postMessage(out);
