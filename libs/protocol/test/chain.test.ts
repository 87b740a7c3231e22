import { AggregateSignature } from '@mithril-ts/stm';
import {
  CertificateChainVerifier,
  MemoryVerifiedCertificateCache,
  ProtocolError,
  ProtocolMessage,
  avkJsonHex,
  cardanoDatabase,
  computeCertificateHash,
  createStandardCertificate,
  protocolParametersHash,
  sealCertificate,
  type Certificate,
  type CertificateSource,
  type ProtocolErrorCode,
} from '../src/index.js';
import { buildChain, schedule } from '@mithril-ts/testkit';

const chain = buildChain();
const verifier = new CertificateChainVerifier(chain.genesisSigner.verificationKey());

async function expectCode(promise: Promise<unknown> | (() => unknown), code: ProtocolErrorCode): Promise<void> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).code).toBe(code);
    return;
  }
  throw new Error(`expected ProtocolError ${code}`);
}

/** The chain's source with some certificates replaced or added (by the hash they are served under). */
function sourceWith(overrides: Record<string, Certificate>): CertificateSource {
  return { getCertificate: async (hash) => overrides[hash] ?? chain.byHash.get(hash) };
}

/** A certificate changed and resealed (so its own hash is right). */
function reseal(certificate: Certificate, change: Partial<Certificate>): Certificate {
  const { hash: _, ...draft } = { ...certificate, ...change };
  return { ...draft, hash: computeCertificateHash(draft) };
}

describe('a certificate chain across epochs, stake changes and a parameter transition', () => {
  it('has at least 20 certificates over at least 10 epochs, with the transition inside', () => {
    expect(chain.certificates.length).toBeGreaterThanOrEqual(20);
    const epochs = new Set(chain.certificates.map((c) => c.epoch));
    expect(epochs.size).toBeGreaterThanOrEqual(10);
    const params = new Set(chain.certificates.slice(1).map((c) => protocolParametersHash(c.metadata.parameters)));
    expect(params.size).toBe(2);
    const avks = new Set(chain.certificates.map((c) => avkJsonHex(c.aggregateVerificationKey)));
    expect(avks.size).toBeGreaterThanOrEqual(10);
  });

  it('verifies end to end from the latest certificate back to genesis, batched and one by one', async () => {
    const batched = await verifier.verifyChain(chain.latest.hash, chain.source);
    expect(batched.endedAt.kind).toBe('genesis');
    expect(batched.endedAt.hash).toBe(chain.certificates[0]!.hash);
    const single = await verifier.verifyChain(chain.latest.hash, chain.source, { batch: false });
    expect(single.verified.map((c) => c.hash)).toEqual(batched.verified.map((c) => c.hash));
    // The master-certificate links make the walk about one certificate per epoch.
    expect(batched.verified.length).toBeLessThanOrEqual(2 * new Set(chain.certificates.map((c) => c.epoch)).size);
  });

  it('stops at certificates already verified', async () => {
    const cache = new MemoryVerifiedCertificateCache();
    const first = await verifier.verifyChain(chain.certificates[10]!.hash, chain.source, { cache });
    expect(first.endedAt.kind).toBe('genesis');
    const second = await verifier.verifyChain(chain.latest.hash, chain.source, { cache });
    expect(second.endedAt.kind).toBe('cached');
    expect(second.verified.length).toBeLessThan(first.verified.length + 10);
    const again = await verifier.verifyChain(chain.latest.hash, chain.source, { cache });
    expect(again.verified).toEqual([]);
  });
});

describe('attacks on the chain, each rejected with its own error', () => {
  const latest = chain.latest;
  const previous = chain.byHash.get(latest.previousHash)!;

  it('tampered certificate content', async () => {
    const tampered: Certificate = { ...latest, metadata: { ...latest.metadata, network: 'mainnet' } };
    await expectCode(verifier.verifyChain(latest.hash, sourceWith({ [latest.hash]: tampered })), 'CERTIFICATE_HASH_MISMATCH');
  });

  it('tampered hash field', async () => {
    const forged = { ...latest, hash: 'ab'.repeat(32) };
    await expectCode(verifier.verifyChain(forged.hash, sourceWith({ [forged.hash]: forged })), 'CERTIFICATE_HASH_MISMATCH');
  });

  it('previous hash naming another certificate than the one served', async () => {
    const other = chain.certificates[chain.certificates.length - 3]!;
    await expectCode(verifier.verifyChain(latest.hash, sourceWith({ [latest.previousHash]: other })), 'CERTIFICATE_CHAIN_PREVIOUS_HASH_MISMATCH');
  });

  it('previous hash naming an unknown certificate', async () => {
    const orphan = reseal(latest, { previousHash: 'cd'.repeat(32) });
    await expectCode(verifier.verifyChain(orphan.hash, sourceWith({ [orphan.hash]: orphan })), 'CERTIFICATE_NOT_FOUND');
  });

  it('missing epoch', async () => {
    const older = chain.certificates.find((c) => c.epoch === latest.epoch - 3n)!;
    const skipping = reseal(latest, { previousHash: older.hash });
    await expectCode(verifier.verifyChain(skipping.hash, sourceWith({ [skipping.hash]: skipping })), 'CERTIFICATE_CHAIN_MISSING_EPOCH');
  });

  it('AVK not announced by the previous epoch', async () => {
    // Last epoch's signers keep signing into the next epoch with their old keys: a valid
    // multi-signature, but for an AVK the previous epoch did not announce.
    const rogueEpoch = latest.epoch + 1n;
    const message = new ProtocolMessage(latest.protocolMessage.toRecord()).set('current_epoch', rogueEpoch.toString());
    const staleAvk = chain.settings(latest.epoch).currentSigners!.avk;
    const rogue = createStandardCertificate({
      previousHash: chain.certificates.find((c) => c.epoch === latest.epoch)!.hash,
      epoch: rogueEpoch,
      signedEntityType: cardanoDatabase(rogueEpoch, 9999n),
      metadata: latest.metadata,
      protocolMessage: message,
      aggregateVerificationKey: staleAvk,
      multiSignature: chain.multiSign(latest.epoch, message),
    });
    expect(() => verifier.verifyCertificateAlone(rogue)).not.toThrow();
    await expectCode(verifier.verifyChain(rogue.hash, sourceWith({ [rogue.hash]: rogue })), 'CERTIFICATE_CHAIN_AVK_MISMATCH');
  });

  it('multi-signature that does not sign the certificate', async () => {
    const donor = chain.certificates[chain.certificates.length - 2]!;
    if (donor.signature.kind !== 'multi-signature') throw new Error('fixture');
    const swapped = reseal(latest, { signature: donor.signature });
    await expectCode(verifier.verifyChain(swapped.hash, sourceWith({ [swapped.hash]: swapped }), { batch: false }), 'CERTIFICATE_MULTI_SIGNATURE_INVALID');
    await expectCode(verifier.verifyChain(swapped.hash, sourceWith({ [swapped.hash]: swapped })), 'CERTIFICATE_MULTI_SIGNATURE_INVALID');
  });

  it('signed message that is not the hash of the protocol message', async () => {
    const lying = reseal(latest, {
      protocolMessage: new ProtocolMessage(latest.protocolMessage.toRecord()).set('cardano_database_merkle_root', '00'.repeat(32)),
    });
    await expectCode(verifier.verifyChain(lying.hash, sourceWith({ [lying.hash]: lying })), 'CERTIFICATE_PROTOCOL_MESSAGE_MISMATCH');
  });

  it('protocol message naming another epoch', async () => {
    const message = new ProtocolMessage(latest.protocolMessage.toRecord()).set('current_epoch', (latest.epoch + 1n).toString());
    const wrong = reseal(latest, { protocolMessage: message, signedMessage: message.signedMessage() });
    await expectCode(verifier.verifyChain(wrong.hash, sourceWith({ [wrong.hash]: wrong })), 'CERTIFICATE_EPOCH_MISMATCH');
  });

  it('wrong protocol parameters', async () => {
    // Same epoch as its master certificate but other parameters: the multi-signature cannot
    // even be checked against them, the continuity rule rejects it first.
    const sameEpochPrevious = previous.epoch === latest.epoch ? previous : undefined;
    expect(sameEpochPrevious).toBeDefined();
    const wrong = reseal(latest, { metadata: { ...latest.metadata, parameters: { ...latest.metadata.parameters, k: latest.metadata.parameters.k - 1n } } });
    await expectCode(verifier.verifyChain(wrong.hash, sourceWith({ [wrong.hash]: wrong })), 'CERTIFICATE_CHAIN_PROTOCOL_PARAMETERS_MISMATCH');
  });

  it('parameters not announced by the previous epoch', () => {
    const firstOfEpoch = chain.certificates.find((c) => c.epoch === latest.epoch)!;
    const master = chain.byHash.get(firstOfEpoch.previousHash)!;
    expect(master.epoch).toBe(latest.epoch - 1n);
    const wrong = reseal(firstOfEpoch, { metadata: { ...firstOfEpoch.metadata, parameters: schedule.at(0n) } });
    return expectCode(() => verifier.verifyLink(wrong, master), 'CERTIFICATE_CHAIN_PROTOCOL_PARAMETERS_MISMATCH');
  });

  it('forged genesis signature', async () => {
    const genesis = chain.certificates[0]!;
    const forged = reseal(genesis, { signature: { kind: 'genesis', genesisSignature: new Uint8Array(64).fill(7) } });
    await expectCode(() => verifier.verifyCertificateAlone(forged), 'INVALID_GENESIS_SIGNATURE');
    const otherKey = new CertificateChainVerifier(new Uint8Array(32).fill(0).map((_, i) => (i === 0 ? 0x3b : 0)));
    await expectCode(otherKey.verifyChain(chain.latest.hash, chain.source), 'INVALID_GENESIS_SIGNATURE');
  });

  it('a certificate linking to itself or looping', async () => {
    const looping = { ...latest, previousHash: latest.hash };
    await expectCode(verifier.verifyChain(latest.hash, sourceWith({ [latest.hash]: looping })), 'CERTIFICATE_CHAIN_INFINITE_LOOP');
  });

  it('a valid older certificate replayed for a newer artifact', () => {
    const older = chain.certificates.find((c) => c.signedEntityType.kind === 'CardanoDatabase')!;
    return expectCode(() => verifier.assertCertifies(older, { signedEntityType: latest.signedEntityType }), 'CERTIFICATE_REPLAYED');
  });

  it('a certificate that does not certify the expected digest', () => {
    const root = latest.protocolMessage.get('cardano_database_merkle_root')!;
    expect(() => verifier.assertCertifies(latest, { signedEntityType: latest.signedEntityType, parts: { cardano_database_merkle_root: root } })).not.toThrow();
    return expectCode(
      () => verifier.assertCertifies(latest, { signedEntityType: latest.signedEntityType, parts: { cardano_database_merkle_root: 'ff'.repeat(32) } }),
      'CERTIFICATE_REPLAYED',
    );
  });
});

describe('sealing', () => {
  it('refuses a draft whose signed message is not the protocol message hash', () => {
    const { hash: _, ...draft } = chain.latest;
    expect(() => sealCertificate({ ...draft, signedMessage: '00'.repeat(32) })).toThrow(ProtocolError);
  });

  it('batch verification of the chain’s multi-signatures reports each invalid one', () => {
    const standard = chain.certificates.filter((c) => c.signature.kind === 'multi-signature');
    expect(standard.length).toBeGreaterThan(10);
    const results = AggregateSignature.batchVerify(
      standard.slice(0, 3).map((c, i) => ({
        signature: (c.signature as { multiSignature: AggregateSignature }).multiSignature,
        msg: new TextEncoder().encode(i === 1 ? standard[0]!.signedMessage : c.signedMessage),
        avk: c.aggregateVerificationKey,
        params: c.metadata.parameters,
      })),
    );
    expect(results[0]).toBeNull();
    expect(results[1]).not.toBeNull();
    expect(results[2]).toBeNull();
  });
});
