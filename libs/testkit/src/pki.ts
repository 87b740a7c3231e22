/**
 * A test PKI: a certificate authority and leaf certificates (ECDSA P-256, SHA-256) built with
 * @peculiar/x509 over node:crypto's WebCrypto, PEM in and out. Tests use it for every TLS row
 * (valid, expired, issued for another name, issued by another CA); the devnet launcher can use it to
 * give each local service a certificate. Nothing here is fit for production keys: the keys live in
 * memory and in whatever files the caller writes.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { webcrypto, type webcrypto as WebCrypto } from 'node:crypto';
import { join } from 'node:path';
// @peculiar/x509 resolves its algorithm providers with tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

const crypto = webcrypto;
const KEY_ALGORITHM: WebCrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING_ALGORITHM: WebCrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
const DAY_MS = 24 * 60 * 60 * 1000;

/** A certificate and its private key, PEM (certificate) and PKCS#8 PEM (key). */
export interface PemPair {
  readonly certificatePem: string;
  readonly keyPem: string;
}

export interface CertificateAuthority extends PemPair {
  readonly name: string;
  /** A leaf certificate signed by this CA, usable as a TLS server and client certificate. */
  issue(options: LeafOptions): Promise<PemPair>;
}

export interface LeafOptions {
  /** Subject common name; also the first DNS name unless `dnsNames` is given. */
  readonly commonName: string;
  /** Subject alternative DNS names (default: the common name and "localhost"). */
  readonly dnsNames?: readonly string[];
  /** Subject alternative IP addresses (default: 127.0.0.1). */
  readonly ipAddresses?: readonly string[];
  /** Validity start (default: one day ago, so clock skew does not matter). */
  readonly notBefore?: Date;
  /** Validity end (default: thirty days from now). */
  readonly notAfter?: Date;
}

function pem(label: string, der: ArrayBuffer): string {
  const base64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${base64.replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
}

async function generateKeys(): Promise<WebCrypto.CryptoKeyPair> {
  return (await crypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as WebCrypto.CryptoKeyPair;
}

async function privateKeyPem(key: WebCrypto.CryptoKey): Promise<string> {
  return pem('PRIVATE KEY', await crypto.subtle.exportKey('pkcs8', key));
}

/** A self-signed certificate authority named `name` (valid from a day ago for ten years). */
export async function createCertificateAuthority(name = 'mithril-ts test CA'): Promise<CertificateAuthority> {
  const keys = await generateKeys();
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      name: `CN=${name}`,
      keys,
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + 3650 * DAY_MS),
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const caKeys = keys;
  return {
    name,
    certificatePem: certificate.toString('pem') + '\n',
    keyPem: await privateKeyPem(keys.privateKey),
    async issue(options) {
      const leafKeys = await generateKeys();
      const dnsNames = options.dnsNames ?? [options.commonName, 'localhost'];
      const ipAddresses = options.ipAddresses ?? ['127.0.0.1'];
      const leaf = await x509.X509CertificateGenerator.create(
        {
          subject: `CN=${options.commonName}`,
          issuer: certificate.subject,
          notBefore: options.notBefore ?? new Date(Date.now() - DAY_MS),
          notAfter: options.notAfter ?? new Date(Date.now() + 30 * DAY_MS),
          publicKey: leafKeys.publicKey,
          signingKey: caKeys.privateKey,
          signingAlgorithm: SIGNING_ALGORITHM,
          extensions: [
            new x509.BasicConstraintsExtension(false, undefined, true),
            new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
            new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth], false),
            new x509.SubjectAlternativeNameExtension([
              ...dnsNames.map((value) => ({ type: 'dns' as const, value })),
              ...ipAddresses.map((value) => ({ type: 'ip' as const, value })),
            ]),
            await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey, false, crypto),
            await x509.SubjectKeyIdentifierExtension.create(leafKeys.publicKey, false, crypto),
          ],
        },
        crypto,
      );
      return { certificatePem: leaf.toString('pem') + '\n', keyPem: await privateKeyPem(leafKeys.privateKey) };
    },
  };
}

/** The files of one identity as written by {@link writePemPair}. */
export interface PemFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

/**
 * Writes `pair` as `<directory>/<name>.crt` and `<directory>/<name>.key`; the key is created
 * owner-only (0600) and kept so even if the file existed with wider permissions.
 */
export function writePemPair(directory: string, name: string, pair: PemPair): PemFiles {
  mkdirSync(directory, { recursive: true });
  const certFile = join(directory, `${name}.crt`);
  const keyFile = join(directory, `${name}.key`);
  writeFileSync(certFile, pair.certificatePem);
  writeFileSync(keyFile, pair.keyPem, { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  return { certFile, keyFile };
}
