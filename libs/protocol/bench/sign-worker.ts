/** Bench helper: signs messages for a slice of signers in a worker thread (one job per message). */
import { parentPort, workerData } from 'node:worker_threads';
import { SigningKey, Signer, singleSignatureToLegacyBytes, type AggregateVerificationKey, type Parameters } from '@mithril-ts/stm';
import { configureBls } from '@mithril-ts/stm/native';

interface Setup {
  params: Parameters;
  avk: AggregateVerificationKey;
  signers: { index: number; stake: bigint; sk: Uint8Array }[];
}

const setup = workerData as Setup;
await configureBls('auto');
const signers = setup.signers.map(({ index, stake, sk }) => new Signer(index, setup.params, stake, SigningKey.fromBytes(sk), setup.avk));
parentPort!.on('message', (msg: Uint8Array) => {
  const out: Uint8Array[] = [];
  for (const signer of signers) {
    const signature = signer.sign(msg);
    if (signature !== null) out.push(singleSignatureToLegacyBytes(signature));
  }
  parentPort!.postMessage(out);
});
