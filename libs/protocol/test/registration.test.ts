/** The signer registration acceptance rules, one at a time, with the refusals (codes and messages) aggregators report. */
import { SigningKey, StmError } from '@mithril-ts/stm';
import { sha256 } from '@noble/hashes/sha2.js';
import { checkSignerRegistration, type RegistrationRound, type SignerRegistrationClaim } from '../src/index.js';

const POOL = 'pool1alice';
const OTHER = 'pool1bob';
const key = SigningKey.generate(sha256(new TextEncoder().encode('alice'))).verificationKeyPoP();
const round: RegistrationRound = {
  epoch: 7n,
  stake: new Map([
    [POOL, 1_000n],
    [OTHER, 2_000n],
  ]),
};
const claim: SignerRegistrationClaim = { epoch: 7n, partyId: POOL, verificationKey: key.toBytes(), certified: { partyId: POOL, stake: 1_000n, epoch: 7n } };

describe('signer registration acceptance rules', () => {
  it('accepts a registration of the open round, certified for its party, epoch and stake, with a key that decodes', () => {
    const decision = checkSignerRegistration(round, claim);
    expect(decision).toMatchObject({ accepted: true, recordingEpoch: 8n, stake: 1_000n });
    if (!decision.accepted) throw new Error('refused');
    expect(decision.verificationKey.toBytes()).toEqual(key.toBytes());
  });

  it('refuses a registration for another epoch than the open round', () => {
    expect(checkSignerRegistration(round, { ...claim, epoch: 8n, certified: { ...claim.certified, epoch: 8n } })).toEqual({
      accepted: false,
      code: 'REGISTRATION_ROUND_NOT_OPEN',
      message: 'registrations are open for epoch 7, not 8',
    });
    expect(checkSignerRegistration(round, { ...claim, epoch: 6n })).toMatchObject({ accepted: false, code: 'REGISTRATION_ROUND_NOT_OPEN' });
  });

  it('refuses a certification of another party', () => {
    expect(checkSignerRegistration(round, { ...claim, certified: { ...claim.certified, partyId: OTHER } })).toEqual({
      accepted: false,
      code: 'CERTIFICATION_MISMATCH',
      message: 'the certification (pool1bob, epoch 7) is not the one of this registration',
    });
  });

  it('refuses a certification of another epoch', () => {
    expect(checkSignerRegistration(round, { ...claim, certified: { ...claim.certified, epoch: 6n } })).toEqual({
      accepted: false,
      code: 'CERTIFICATION_MISMATCH',
      message: 'the certification (pool1alice, epoch 6) is not the one of this registration',
    });
  });

  it('refuses a party without stake in the round', () => {
    const stranger = 'pool1carol';
    expect(checkSignerRegistration(round, { ...claim, partyId: stranger, certified: { ...claim.certified, partyId: stranger } })).toEqual({
      accepted: false,
      code: 'UNKNOWN_SIGNER',
      message: 'pool1carol has no stake in the distribution of epoch 7',
    });
  });

  it('refuses a certified stake that differs from the round', () => {
    expect(checkSignerRegistration(round, { ...claim, certified: { ...claim.certified, stake: 999n } })).toEqual({
      accepted: false,
      code: 'CERTIFICATION_MISMATCH',
      message: "the certified stake 999 of pool1alice differs from this aggregator's 1000",
    });
  });

  it('refuses a Mithril key that does not decode, with the decoding error as cause', () => {
    const decision = checkSignerRegistration(round, { ...claim, verificationKey: key.toBytes().slice(1) });
    expect(decision).toMatchObject({
      accepted: false,
      code: 'VERIFICATION_KEY_INVALID',
      message: 'the Mithril key does not decode: verification key with PoP: expected 192 bytes, got 191',
    });
    expect(!decision.accepted && decision.cause).toBeInstanceOf(StmError);
  });

  it('accepts a key whose proof of possession is wrong: that check is the aggregator’s, batched', () => {
    const other = SigningKey.generate(sha256(new TextEncoder().encode('bob')))
      .verificationKeyPoP()
      .toBytes();
    const mixed = new Uint8Array([...key.toBytes().subarray(0, 96), ...other.subarray(96)]);
    const decision = checkSignerRegistration(round, { ...claim, verificationKey: mixed });
    expect(decision.accepted).toBe(true);
    if (!decision.accepted) throw new Error('refused');
    expect(decision.verificationKey.verify()).toBe(false);
  });

  it('applies the rules in order: the epoch first, then the certification, the stake, the key', () => {
    const everythingWrong = { epoch: 9n, partyId: 'pool1carol', verificationKey: new Uint8Array(3), certified: { partyId: OTHER, stake: 1n, epoch: 1n } };
    expect(checkSignerRegistration(round, everythingWrong)).toMatchObject({ code: 'REGISTRATION_ROUND_NOT_OPEN' });
    expect(checkSignerRegistration(round, { ...everythingWrong, epoch: 7n })).toMatchObject({ code: 'CERTIFICATION_MISMATCH' });
    expect(checkSignerRegistration(round, { ...everythingWrong, epoch: 7n, certified: { partyId: 'pool1carol', stake: 1n, epoch: 7n } })).toMatchObject({
      code: 'UNKNOWN_SIGNER',
    });
    expect(checkSignerRegistration(round, { ...everythingWrong, epoch: 7n, partyId: POOL, certified: { partyId: POOL, stake: 1n, epoch: 7n } })).toMatchObject({
      code: 'CERTIFICATION_MISMATCH',
    });
    expect(
      checkSignerRegistration(round, { ...everythingWrong, epoch: 7n, partyId: POOL, certified: { partyId: POOL, stake: 1_000n, epoch: 7n } }),
    ).toMatchObject({ code: 'VERIFICATION_KEY_INVALID' });
  });
});
