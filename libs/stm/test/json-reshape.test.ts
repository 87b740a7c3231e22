import { SigningKey, StmError, VerificationKeyPoP, verificationKeyPoPBytesToJson, verificationKeyPoPToJson } from '../src/index.js';

describe('verificationKeyPoPBytesToJson', () => {
  it('gives what decoding the key and writing its JSON gives', () => {
    const bytes = SigningKey.generate(new Uint8Array(32).fill(9)).verificationKeyPoP().toBytes();
    expect(verificationKeyPoPBytesToJson(bytes)).toEqual(verificationKeyPoPToJson(VerificationKeyPoP.fromBytes(bytes)));
  });

  it('refuses anything but 192 bytes', () => {
    expect(() => verificationKeyPoPBytesToJson(new Uint8Array(191))).toThrow(StmError);
    expect(() => verificationKeyPoPBytesToJson(new Uint8Array(193))).toThrow(/expected 192 bytes, got 193/);
  });
});
