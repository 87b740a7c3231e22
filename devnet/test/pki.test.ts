/** The devnet's PKI: a CA and a certificate per service, owner-only keys, reused across restarts. */
import { X509Certificate } from 'node:crypto';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { DEVNET_SERVICES, ensureDevnetPki } from '../src/launcher/pki.js';
import { tempRoot } from './helpers.js';

describe('devnet PKI', () => {
  it('issues each service a certificate naming it and 127.0.0.1, from one CA kept across restarts', async () => {
    const root = tempRoot('devnet-pki-');
    try {
      const pki = await ensureDevnetPki(root);
      const ca = new X509Certificate(readFileSync(pki.caFile));
      for (const service of DEVNET_SERVICES) {
        const certificate = new X509Certificate(readFileSync(pki.services[service].certFile));
        expect(certificate.verify(ca.publicKey)).toBe(true);
        expect(certificate.checkHost(service)).toBe(service);
        expect(certificate.checkIP('127.0.0.1')).toBe('127.0.0.1');
        expect(statSync(pki.services[service].keyFile).mode & 0o077).toBe(0);
      }
      const again = await ensureDevnetPki(root);
      expect(readFileSync(again.caFile, 'utf8')).toBe(ca.toString());
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
