import { Clerk, SingleSignature, SigningKey, StmError, type Parameters } from '../src/index.js';
import { seededRandomness, setupRound, testIkm } from './helpers.js';

const msg = new TextEncoder().encode('signed message of the batch');

/** A round of `count` signers; with phi_f = 1 every index is won, so only the BLS check can fail. */
function round(params: Parameters, count: number, label: string) {
  const setup = setupRound(
    params,
    Array.from({ length: count }, (_, i) => BigInt(10 * (i + 1))),
    label,
  );
  const signatures = setup.signers.map((signer) => signer.sign(msg)).filter((s): s is SingleSignature => s !== null);
  return { ...setup, signatures, clerk: new Clerk(setup.closed, params) };
}

const codes = (results: readonly (StmError | undefined)[]) => results.map((result) => result?.code);

describe('Clerk.verifySingleSignatures', () => {
  const lottery = round({ k: 5n, m: 50n, phiF: 0.9 }, 4, 'lottery');
  const everyIndex = round({ k: 5n, m: 20n, phiF: 1 }, 6, 'every index');

  it('accepts every valid signature of a batch, as the one-by-one check does', () => {
    for (const { clerk, signatures } of [lottery, everyIndex]) {
      expect(signatures.length).toBeGreaterThanOrEqual(4);
      for (const signature of signatures) expect(() => clerk.verifySingleSignature(signature, msg)).not.toThrow();
      expect(codes(clerk.verifySingleSignatures(signatures, msg, seededRandomness()))).toEqual(signatures.map(() => undefined));
    }
  });

  it('returns an empty list for an empty batch', () => {
    expect(lottery.clerk.verifySingleSignatures([], msg)).toEqual([]);
  });

  it('isolates every signature whose BLS equation fails among valid ones', () => {
    const { clerk, signatures } = everyIndex;
    const outsider = SigningKey.generate(testIkm(99, 'outsider'));
    const batch = signatures.map((signature, i) =>
      // Signatures 1 and 4: a sigma over the same message by a key that is not the signer's.
      i === 1 || i === 4 ? new SingleSignature(outsider.sign(msg), signature.indexes, signature.signerIndex) : signature,
    );
    const results = clerk.verifySingleSignatures(batch, msg, seededRandomness(2));
    expect(codes(results)).toEqual(batch.map((_, i) => (i === 1 || i === 4 ? 'INVALID_SIGNATURE' : undefined)));
    // Another party's valid sigma under this signer's index fails the same way.
    const stolen = new SingleSignature(signatures[0]!.sigma, signatures[0]!.indexes, signatures[1]!.signerIndex);
    expect(codes(clerk.verifySingleSignatures([signatures[2]!, stolen], msg, seededRandomness(3)))).toEqual([undefined, 'INVALID_SIGNATURE']);
  });

  it('reports the lottery and index errors of each signature, one result per input in order', () => {
    const { clerk, signatures } = lottery;
    const [a, b] = signatures as [SingleSignature, SingleSignature];
    const batch = [
      a,
      new SingleSignature(a.sigma, a.indexes, 17),
      new SingleSignature(a.sigma, [...a.indexes, 50], a.signerIndex),
      new SingleSignature(a.sigma, [a.indexes[0]!, a.indexes[0]!], a.signerIndex),
      new SingleSignature(a.sigma, [], a.signerIndex),
      b,
    ];
    expect(codes(clerk.verifySingleSignatures(batch, msg, seededRandomness(4)))).toEqual([
      undefined,
      'UNKNOWN_SIGNER',
      'INDEX_OUT_OF_RANGE',
      'DUPLICATE_INDEX',
      'LOTTERY_LOST',
      undefined,
    ]);
  });

  it('rejects valid signatures checked against another message, like the one-by-one check', () => {
    const { clerk, signatures } = everyIndex;
    const other = new TextEncoder().encode('another message');
    expect(codes(clerk.verifySingleSignatures(signatures.slice(0, 2), other, seededRandomness(5)))).toEqual(['INVALID_SIGNATURE', 'INVALID_SIGNATURE']);
    expect(() => clerk.verifySingleSignature(signatures[0]!, other)).toThrow(StmError);
  });
});
