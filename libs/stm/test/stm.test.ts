import {
  AggregateSignature,
  Clerk,
  KeyRegistration,
  SingleSignature,
  SigningKey,
  StmError,
  VerificationKeyPoP,
  ProofOfPossession,
  findInvalidSingleSignatures,
  signedMessage,
  type Parameters,
  aggregateSignatureToJson,
  toJsonText,
} from '../src/index.js';
import { seededRandomness, setupRound, testIkm } from './helpers.js';

const params: Parameters = { k: 45n, m: 120n, phiF: 0.5 };
const stakes = [1n, 10n, 20n, 30n, 40n, 50n, 60n, 70n, 80n];
const round = setupRound(params, stakes);
const msg = new TextEncoder().encode('certified protocol message');
const signatures = round.signers.map((signer) => signer.sign(msg)).filter((s): s is SingleSignature => s !== null);
const clerk = new Clerk(round.closed, params);
const aggregate = clerk.aggregate(signatures, msg);

function expectStmError(f: () => unknown, code: string): void {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(StmError);
    expect((error as StmError).code).toBe(code);
    return;
  }
  throw new Error(`expected StmError ${code}`);
}

describe('a signing round', () => {
  it('produces signatures that verify one by one and a multi-signature that verifies', () => {
    expect(signatures.length).toBeGreaterThan(3);
    expect(aggregate.signatures.length).toBeGreaterThan(3);
    for (const sig of signatures) expect(() => clerk.verifySingleSignature(sig, msg)).not.toThrow();
    expect(() => aggregate.verify(msg, round.avk, params)).not.toThrow();
    const indices = aggregate.signatures.flatMap(({ signature }) => signature.indexes);
    expect(new Set(indices).size).toBe(indices.length);
    expect(indices.length).toBeGreaterThanOrEqual(Number(params.k));
    const signerIndexes = aggregate.signatures.map(({ signature }) => signature.signerIndex);
    expect([...signerIndexes].sort((a, b) => a - b)).toEqual(signerIndexes);
  });

  it('orders the closed registration by stake then key bytes', () => {
    const parties = round.closed.parties;
    for (let i = 1; i < parties.length; i += 1) expect(parties[i]!.stake >= parties[i - 1]!.stake).toBe(true);
    expect(round.closed.totalStake).toBe(stakes.reduce((a, b) => a + b, 0n));
  });

  it('fails clearly when fewer than k indices are available', () => {
    const strict: Parameters = { ...params, k: 119n };
    expectStmError(() => new Clerk(round.closed, strict).aggregate(signatures, msg), 'NOT_ENOUGH_SIGNATURES');
    expectStmError(() => clerk.aggregate([], msg), 'NOT_ENOUGH_SIGNATURES');
  });

  it('skips invalid single signatures when aggregating and still reaches the quorum', () => {
    const forged = new SingleSignature(signatures[0]!.sigma, signatures[0]!.indexes, signatures[1]!.signerIndex);
    const again = clerk.aggregate([forged, ...signatures.slice(1), signatures[0]!], msg);
    expect(() => again.verify(msg, round.avk, params)).not.toThrow();
    // The forgery under signer 1's index, submitted first, does not crowd out signer 1's real signature.
    expect(toJsonText(aggregateSignatureToJson(again))).toBe(toJsonText(aggregateSignatureToJson(aggregate)));
  });

  it('aggregates signatures the caller verified without checking them again, and still checks every other one', () => {
    const forged = new SingleSignature(signatures[0]!.sigma, signatures[0]!.indexes, signatures[1]!.signerIndex);
    const verified = new Set(signatures);
    const same = clerk.aggregate([forged, ...signatures.slice(1), signatures[0]!], msg, verified);
    expect(toJsonText(aggregateSignatureToJson(same))).toBe(toJsonText(aggregateSignatureToJson(aggregate)));
    // What is vouched for is taken as is (vouching for a forgery is the caller's error); without the vouch it is refused.
    const one = new Clerk(round.closed, { ...params, k: 1n });
    expectStmError(() => one.aggregate([forged], msg), 'NOT_ENOUGH_SIGNATURES');
    expect(one.aggregate([forged], msg, new Set([forged])).signatures.map(({ signature }) => signature.signerIndex)).toEqual([forged.signerIndex]);
  });

  it('a signer with a lost lottery produces no signature', () => {
    const tiny = setupRound({ k: 1n, m: 1n, phiF: 0.01 }, [1n, 1_000_000n], 'tiny');
    expect(tiny.signers[0]!.sign(msg)).toBeNull();
  });
});

describe('attacks on single signatures', () => {
  const sig = signatures[signatures.length - 1]!;
  const party = round.closed.party(sig.signerIndex);

  it.each([
    ['another message', () => sig.verify(params, party.vk, party.stake, round.avk, new TextEncoder().encode('other')), 'INVALID_SIGNATURE'],
    ['another signer key', () => sig.verify(params, round.closed.party(0).vk, party.stake, round.avk, msg), 'INVALID_SIGNATURE'],
    [
      'an index not won',
      () => new SingleSignature(sig.sigma, lostIndexes(sig, 1), sig.signerIndex).verify(params, party.vk, party.stake, round.avk, msg),
      'LOTTERY_LOST',
    ],
    [
      'an index beyond m',
      () => new SingleSignature(sig.sigma, [...sig.indexes, 120], sig.signerIndex).verify(params, party.vk, party.stake, round.avk, msg),
      'INDEX_OUT_OF_RANGE',
    ],
    [
      'a repeated index',
      () => new SingleSignature(sig.sigma, [sig.indexes[0]!, sig.indexes[0]!], sig.signerIndex).verify(params, party.vk, party.stake, round.avk, msg),
      'DUPLICATE_INDEX',
    ],
    ['no index', () => new SingleSignature(sig.sigma, [], sig.signerIndex).verify(params, party.vk, party.stake, round.avk, msg), 'LOTTERY_LOST'],
    ['an unknown signer index', () => clerk.verifySingleSignature(new SingleSignature(sig.sigma, sig.indexes, 99), msg), 'UNKNOWN_SIGNER'],
  ])('rejects %s', (_, attempt, code) => expectStmError(attempt, code));

  it('finds the invalid ones in a batch by bisection', () => {
    const msgp = signedMessage(msg, round.avk);
    const entries = signatures.map((s) => ({ sigma: s.sigma.point, vk: round.closed.party(s.signerIndex).vk }));
    expect(findInvalidSingleSignatures(msgp, entries, seededRandomness())).toEqual([]);
    const swapped = [...entries];
    swapped[1] = { sigma: entries[2]!.sigma, vk: entries[1]!.vk };
    expect(findInvalidSingleSignatures(msgp, swapped, seededRandomness())).toEqual([1]);
  });
});

function lostIndexes(sig: SingleSignature, count: number): number[] {
  const lost: number[] = [];
  for (let i = 0; lost.length < count && i < 120; i += 1) if (!sig.indexes.includes(i)) lost.push(i);
  return lost;
}

describe('attacks on multi-signatures', () => {
  const entries = aggregate.signatures;
  const rebuild = (changes: Partial<{ signatures: typeof entries; batchProof: typeof aggregate.batchProof }>) =>
    new AggregateSignature(changes.signatures ?? entries, changes.batchProof ?? aggregate.batchProof);

  it.each([
    // The lottery depends on the message and the root, so it is the first check to fail for them.
    ['another message', () => aggregate.verify(new TextEncoder().encode('other'), round.avk, params), 'LOTTERY_LOST'],
    [
      'another AVK root',
      () => aggregate.verify(msg, { ...round.avk, commitment: { ...round.avk.commitment, root: new Uint8Array(32) } }, params),
      'LOTTERY_LOST',
    ],
    ['another AVK (far larger total stake)', () => aggregate.verify(msg, { ...round.avk, totalStake: round.avk.totalStake * 1000n }, params), 'LOTTERY_LOST'],
    [
      'another AVK (other number of leaves)',
      () => aggregate.verify(msg, { ...round.avk, commitment: { ...round.avk.commitment, nrLeaves: 16 } }, params),
      'INVALID_MERKLE_PROOF',
    ],
    ['a higher quorum', () => aggregate.verify(msg, round.avk, { ...params, k: 119n }), 'NOT_ENOUGH_SIGNATURES'],
    [
      'an inflated stake',
      () => rebuild({ signatures: entries.map((e) => ({ ...e, party: { ...e.party, stake: e.party.stake + 1n } })) }).verify(msg, round.avk, params),
      'INVALID_MERKLE_PROOF',
    ],
    [
      'a sigma swapped between signers',
      () =>
        rebuild({
          signatures: entries.map((e, i) => ({
            ...e,
            signature: new SingleSignature(entries[(i + 1) % entries.length]!.signature.sigma, e.signature.indexes, e.signature.signerIndex),
          })),
        }).verify(msg, round.avk, params),
      'LOTTERY_LOST',
    ],
    [
      'an index claimed twice',
      () => rebuild({ signatures: [entries[0]!, entries[0]!, ...entries.slice(1)] }).verify(msg, round.avk, params),
      'DUPLICATE_INDEX',
    ],
    ['a dropped signer', () => rebuild({ signatures: entries.slice(0, -1) }).verify(msg, { ...round.avk }, { ...params, k: 1n }), 'INVALID_MERKLE_PROOF'],
    [
      'a signature whose sigma does not match its key',
      () =>
        rebuild({ signatures: entries.map((e, i) => (i === 0 ? { ...e, party: { ...e.party, vk: entries[1]!.party.vk } } : e)) }).verify(
          msg,
          round.avk,
          params,
        ),
      'INVALID_MERKLE_PROOF',
    ],
    [
      'a tampered batch proof',
      () =>
        rebuild({ batchProof: { ...aggregate.batchProof, values: aggregate.batchProof.values.map(() => new Uint8Array(32)) } }).verify(msg, round.avk, params),
      'INVALID_MERKLE_PROOF',
    ],
  ])('rejects %s', (_, attempt, code) => expectStmError(attempt, code));

  it('batch-verifies several multi-signatures and names the invalid one', () => {
    const msg2 = new TextEncoder().encode('second message');
    const second = clerk.aggregate(
      round.signers.map((s) => s.sign(msg2)).filter((s): s is SingleSignature => s !== null),
      msg2,
    );
    const items = [
      { signature: aggregate, msg, avk: round.avk, params },
      { signature: second, msg: msg2, avk: round.avk, params },
    ];
    expect(AggregateSignature.batchVerify(items, seededRandomness())).toEqual([null, null]);
    const results = AggregateSignature.batchVerify([items[0]!, { ...items[1]!, msg }], seededRandomness());
    expect(results[0]).toBeNull();
    expect(results[1]).toBeInstanceOf(StmError);
  });
});

describe('key registration', () => {
  const keys = [0, 1, 2, 3, 4].map((i) => SigningKey.generate(testIkm(i, 'registration')).verificationKeyPoP());

  it('rejects a duplicate key and a bad proof of possession', () => {
    const registration = new KeyRegistration();
    registration.register(10n, keys[0]!);
    expectStmError(() => registration.register(20n, keys[0]!), 'DUPLICATE_KEY');
    const stolen = new VerificationKeyPoP(keys[1]!.vk, keys[2]!.pop);
    expectStmError(() => registration.register(10n, stolen), 'INVALID_PROOF_OF_POSSESSION');
    expectStmError(() => registration.register(-1n, keys[3]!), 'INVALID_STAKE');
    expectStmError(() => registration.register(1n << 64n, keys[3]!), 'INVALID_STAKE');
  });

  it('batch registration isolates each bad PoP and registers the rest', () => {
    const registration = new KeyRegistration();
    const swappedK2 = new VerificationKeyPoP(keys[3]!.vk, new ProofOfPossession(keys[3]!.pop.k1, keys[4]!.pop.k2));
    const { rejected } = registration.registerAll([
      { stake: 1n, key: keys[0]! },
      { stake: 1n, key: new VerificationKeyPoP(keys[1]!.vk, keys[2]!.pop) },
      { stake: 1n, key: keys[2]! },
      { stake: 1n, key: swappedK2 },
      { stake: 1n, key: keys[0]! },
    ]);
    expect(rejected.map((r) => [r.position, r.error.code])).toEqual([
      [1, 'INVALID_PROOF_OF_POSSESSION'],
      [3, 'INVALID_PROOF_OF_POSSESSION'],
      [4, 'DUPLICATE_KEY'],
    ]);
    expect(registration.size).toBe(2);
  });

  it('refuses to close an empty or zero-stake registration', () => {
    expectStmError(() => new KeyRegistration().close(), 'EMPTY_REGISTRATION');
    const zero = new KeyRegistration();
    zero.register(0n, keys[0]!);
    expectStmError(() => zero.close(), 'INVALID_STAKE');
  });

  it('an initializer whose key is not registered cannot become a signer', () => {
    expectStmError(() => round.initializers[0]!.newSigner(new KeyRegistration().close()), 'EMPTY_REGISTRATION');
    const other = setupRound(params, [3n], 'other');
    expectStmError(() => round.initializers[0]!.newSigner(other.closed), 'UNKNOWN_SIGNER');
  });
});
