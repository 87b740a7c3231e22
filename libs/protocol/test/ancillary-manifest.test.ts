import { createHash } from 'node:crypto';
import {
  AncillarySigner,
  ProtocolError,
  ancillaryManifestHash,
  compareManifestPaths,
  decodeAncillaryKey,
  decodeAncillaryManifest,
  encodeAncillaryKey,
  encodeAncillaryManifest,
  verifyAncillaryManifest,
} from '../src/index.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const DATA = new Map([
  ['ledger/1200/state', sha('state')],
  ['immutable/00061.chunk', sha('chunk')],
  ['immutable/00061.primary', sha('primary')],
  ['immutable/00061.secondary', sha('secondary')],
  ['ledger/1200/meta', sha('meta')],
]);

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof ProtocolError ? error.code : 'other';
  }
}

describe('ancillary manifest', () => {
  it('hashes path ‖ digest of every entry in path order, as the reference does', () => {
    const expected = createHash('sha256');
    for (const path of [...DATA.keys()].sort()) expected.update(path).update(DATA.get(path)!);
    expect(Buffer.from(ancillaryManifestHash(DATA)).toString('hex')).toBe(expected.digest('hex'));
    // Component order, not byte order: "a/b" before "a-b" although '-' < '/'.
    expect(compareManifestPaths('a/b', 'a-b')).toBeLessThan(0);
    expect(['a-b', 'a/b', 'a'].sort(compareManifestPaths)).toEqual(['a', 'a/b', 'a-b']);
  });

  it('signs, round-trips through its JSON, and verifies only under its key', () => {
    const signer = AncillarySigner.generate();
    const manifest = signer.sign(DATA);
    const text = encodeAncillaryManifest(manifest);
    const parsed = JSON.parse(text) as { data: Record<string, string>; signature: string };
    expect(Object.keys(parsed.data)[0]).toBe('immutable/00061.chunk');
    expect(parsed.signature).toMatch(/^[0-9a-f]{128}$/);
    const decoded = decodeAncillaryManifest(text);
    expect(() => verifyAncillaryManifest(signer.verificationKey(), decoded)).not.toThrow();
    expect(codeOf(() => verifyAncillaryManifest(AncillarySigner.generate().verificationKey(), decoded))).toBe('ANCILLARY_MANIFEST_SIGNATURE_INVALID');
    // One digest changed, one entry added, or the signature dropped: refused.
    const changed = new Map(decoded.data).set('ledger/1200/state', sha('other'));
    expect(codeOf(() => verifyAncillaryManifest(signer.verificationKey(), { ...decoded, data: changed }))).toBe('ANCILLARY_MANIFEST_SIGNATURE_INVALID');
    const added = new Map(decoded.data).set('ledger/1200/extra', sha('x'));
    expect(codeOf(() => verifyAncillaryManifest(signer.verificationKey(), { ...decoded, data: added }))).toBe('ANCILLARY_MANIFEST_SIGNATURE_INVALID');
    expect(codeOf(() => verifyAncillaryManifest(signer.verificationKey(), { data: decoded.data }))).toBe('ANCILLARY_MANIFEST_UNSIGNED');
  });

  it('refuses malformed manifests and unsafe paths', () => {
    for (const text of [
      '[]',
      '{"data":[]}',
      '{"data":{"../x":"' + sha('a') + '"}}',
      '{"data":{"/etc/x":"' + sha('a') + '"}}',
      '{"data":{"a":"xyz"}}',
      '{"data":{},"signature":"00"}',
      'nope',
    ]) {
      expect(codeOf(() => decodeAncillaryManifest(text))).toBe('INVALID_ANCILLARY_MANIFEST');
    }
    expect(codeOf(() => AncillarySigner.generate().sign(new Map([['a/./b', sha('a')]])))).toBe('INVALID_ANCILLARY_MANIFEST');
  });

  it('reads keys in json-hex (the reference files) and plain hex', () => {
    const signer = AncillarySigner.generate();
    const vk = signer.verificationKey();
    expect(decodeAncillaryKey(encodeAncillaryKey(vk), 'verification')).toEqual(vk);
    expect(decodeAncillaryKey(Buffer.from(vk).toString('hex'), 'verification')).toEqual(vk);
    expect(AncillarySigner.fromSecretKey(decodeAncillaryKey(encodeAncillaryKey(signer.secretKeyBytes()), 'secret')).verificationKey()).toEqual(vk);
    expect(codeOf(() => decodeAncillaryKey('00', 'verification'))).toBe('INVALID_ANCILLARY_KEY');
  });
});
