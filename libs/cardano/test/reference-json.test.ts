import { decodeJsonHex, encodeJsonHex } from '@mithril-ts/codec';
import {
  ColdSigningKey,
  KES_SIGNATURE_BYTES,
  KesSigningKey,
  issueOperationalCertificate,
  kesSignatureFromJson,
  kesSignatureToJson,
  operationalCertificateFromCbor,
  operationalCertificateFromJson,
  operationalCertificateToCbor,
  operationalCertificateToJson,
  verifyKesSignature,
  verifyOperationalCertificate,
  type KesSignatureJson,
} from '../src/index.js';
import { REFERENCE_KES_SIGNATURE_JSON_HEX, REFERENCE_OPCERT_JSON_HEX } from './fixtures/reference-json-shapes.js';
import { expectCardanoError, seedWithFirstByte, utf8 } from './helpers.js';

describe('KES signature: reference JSON shape (Sum6KesSig)', () => {
  it('reads the reference fixture and writes it back byte for byte', () => {
    const bytes = kesSignatureFromJson(decodeJsonHex(REFERENCE_KES_SIGNATURE_JSON_HEX));
    expect(bytes.length).toBe(KES_SIGNATURE_BYTES);
    expect(encodeJsonHex(kesSignatureToJson(bytes))).toBe(REFERENCE_KES_SIGNATURE_JSON_HEX);
  });

  it('maps the innermost sigma to the first 64 bytes and the outermost keys to the last 64', () => {
    const json = decodeJsonHex(REFERENCE_KES_SIGNATURE_JSON_HEX) as KesSignatureJson;
    const bytes = kesSignatureFromJson(json);
    let level: KesSignatureJson | number[] = json;
    for (let depth = 0; depth < 6; depth += 1) level = (level as KesSignatureJson).sigma;
    expect([...bytes.subarray(0, 64)]).toEqual(level);
    expect([...bytes.subarray(384, 416)]).toEqual(json.lhs_pk);
    expect([...bytes.subarray(416, 448)]).toEqual(json.rhs_pk);
  });

  it('keeps a real signature verifiable through JSON', () => {
    const key = KesSigningKey.fromSeed(seedWithFirstByte(7));
    const message = utf8('a Mithril verification key');
    const signature = key.sign(message);
    const back = kesSignatureFromJson(JSON.parse(JSON.stringify(kesSignatureToJson(signature))));
    expect(back).toEqual(signature);
    expect(verifyKesSignature(key.verificationKey(), 0, message, back)).toBe(true);
  });

  it('refuses other shapes with a typed error naming the place', () => {
    const json = decodeJsonHex(REFERENCE_KES_SIGNATURE_JSON_HEX) as KesSignatureJson;
    expectCardanoError(() => kesSignatureToJson(new Uint8Array(447)), 'INVALID_SIGNATURE', /448 bytes/);
    expectCardanoError(() => kesSignatureFromJson([1, 2]), 'INVALID_SIGNATURE', /level 6/);
    expectCardanoError(() => kesSignatureFromJson({ ...json, extra: 1 }), 'INVALID_SIGNATURE', /exactly the fields/);
    expectCardanoError(() => kesSignatureFromJson({ ...json, lhs_pk: json.lhs_pk.slice(1) }), 'INVALID_SIGNATURE', /level 6 lhs_pk/);
    expectCardanoError(() => kesSignatureFromJson({ ...json, rhs_pk: [...json.rhs_pk.slice(1), 256] }), 'INVALID_SIGNATURE', /rhs_pk/);
    // One level too shallow: the Ed25519 signature sits where a level should be.
    expectCardanoError(() => kesSignatureFromJson(json.sigma), 'INVALID_SIGNATURE', /level 1/);
  });
});

describe('operational certificate: reference JSON shape (OpCert)', () => {
  it('reads the reference fixture and writes it back byte for byte', () => {
    const opcert = operationalCertificateFromJson(decodeJsonHex(REFERENCE_OPCERT_JSON_HEX));
    expect(opcert.issueNumber).toBe(2n);
    expect(opcert.startKesPeriod).toBe(128n);
    expect(encodeJsonHex(operationalCertificateToJson(opcert))).toBe(REFERENCE_OPCERT_JSON_HEX);
    expect(operationalCertificateFromCbor(operationalCertificateToCbor(opcert))).toEqual(opcert);
    expect(verifyOperationalCertificate(opcert)).toBe(true);
  });

  it('carries a freshly issued certificate to JSON and back to the same node.cert CBOR', () => {
    const cold = ColdSigningKey.fromSeed(seedWithFirstByte(3));
    const kesVk = KesSigningKey.fromSeed(seedWithFirstByte(4)).verificationKey();
    const opcert = issueOperationalCertificate(cold, kesVk, 9n, 400n);
    const json = operationalCertificateToJson(opcert);
    expect(json[0][1]).toBe(9n);
    const back = operationalCertificateFromJson(decodeJsonHex(encodeJsonHex(json)));
    expect(operationalCertificateToCbor(back)).toEqual(operationalCertificateToCbor(opcert));
  });

  it('refuses other shapes with a typed error', () => {
    const [body, coldVk] = decodeJsonHex(REFERENCE_OPCERT_JSON_HEX) as [unknown[], number[]];
    expectCardanoError(() => operationalCertificateFromJson({}), 'INVALID_OPCERT', /\[body, cold_vk\]/);
    expectCardanoError(() => operationalCertificateFromJson([body.slice(0, 3), coldVk]), 'INVALID_OPCERT', /3 items/);
    expectCardanoError(() => operationalCertificateFromJson([[body[0], -1, body[2], body[3]], coldVk]), 'INVALID_OPCERT', /issue number/);
    expectCardanoError(() => operationalCertificateFromJson([body, coldVk.slice(1)]), 'INVALID_OPCERT', /cold verification key/);
  });
});
