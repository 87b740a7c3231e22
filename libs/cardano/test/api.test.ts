import * as cardano from '../src/index.js';

describe('public API', () => {
  it('exports the names other packages are written against', () => {
    const names = [
      'CardanoError',
      'ColdSigningKey',
      'coldVerificationKeyToTextEnvelope',
      'coldVerificationKeyFromTextEnvelope',
      'verifyEd25519',
      'KesSigningKey',
      'verifyKesSignature',
      'kesVerificationKeyToTextEnvelope',
      'kesVerificationKeyFromTextEnvelope',
      'issueOperationalCertificate',
      'operationalCertificateSignedBytes',
      'verifyOperationalCertificate',
      'operationalCertificateToCbor',
      'operationalCertificateFromCbor',
      'operationalCertificateToTextEnvelope',
      'operationalCertificateFromTextEnvelope',
      'poolIdFromColdVerificationKey',
      'parsePoolId',
      'kesPeriodAt',
      'kesEvolutionAt',
      'acceptedKesEvolutions',
      'cardanoDatabaseMerkleRoot',
      'immutableFileNumberText',
      'immutableFileName',
      'immutableTrioFileNames',
      'parseImmutableFileName',
      'isImmutableFileName',
      'listImmutableFiles',
      'isCompleteTrio',
      'latestFinalImmutableFileNumber',
      'immutableFilesUpTo',
    ] as const;
    for (const name of names) expect(typeof cardano[name]).toBe('function');
    expect(cardano.KES_DEPTH).toBe(6);
    expect(cardano.KES_TOTAL_PERIODS).toBe(64);
    expect(cardano.KES_SIGNATURE_BYTES).toBe(448);
    expect(cardano.KES_SECRET_KEY_BYTES).toBe(608);
    expect(cardano.KES_SECRET_KEY_WITH_PERIOD_BYTES).toBe(612);
  });

  it('CardanoError carries a code and is an Error', () => {
    const error = new cardano.CardanoError('INVALID_KEY', 'bad key');
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('INVALID_KEY');
    expect(error.name).toBe('CardanoError');
  });
});
