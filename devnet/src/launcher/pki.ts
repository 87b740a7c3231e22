/**
 * The devnet's PKI: a local CA and one certificate per service under `<root>/pki`, made once and
 * reused while valid (a restart keeps the CA a client was told to trust). The certificates name the
 * service (DNS subject alternative name and common name, which is what allowedClients match) and
 * 127.0.0.1, where the devnet listens. Keys are written owner-only. A devnet CA is for a devnet:
 * it is generated on this machine and trusted by nothing else.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { createCertificateAuthority, writePemPair, type PemFiles } from '@mithril-ts/testkit/pki';

/** The identities of the devnet's services, as the certificates name them. */
export const DEVNET_SERVICES = ['aggregator', 'certifier', 'signer-gateway', 'snapshotter', 'rest-gateway', 'signer'] as const;
export type DevnetService = (typeof DEVNET_SERVICES)[number];

export interface DevnetPki {
  readonly directory: string;
  /** The CA every service and client of the devnet trusts. */
  readonly caFile: string;
  readonly services: Readonly<Record<DevnetService, PemFiles>>;
}

/** The TLS settings of `service` in the devnet (its certificate, the devnet CA). */
export function tlsSettingsOf(pki: DevnetPki, service: DevnetService) {
  return { insecure: false, tlsCertFile: pki.services[service].certFile, tlsKeyFile: pki.services[service].keyFile, tlsCaFile: pki.caFile };
}

const STILL_VALID_MS = 24 * 60 * 60 * 1000;

function usable(files: readonly string[]): boolean {
  if (!files.every((file) => existsSync(file))) return false;
  const certificates = files.filter((file) => file.endsWith('.crt')).map((file) => new X509Certificate(readFileSync(file)));
  return certificates.every((certificate) => Date.parse(certificate.validTo) - Date.now() > STILL_VALID_MS);
}

export async function ensureDevnetPki(root: string): Promise<DevnetPki> {
  const directory = join(root, 'pki');
  const caFile = join(directory, 'ca.crt');
  const services = Object.fromEntries(
    DEVNET_SERVICES.map((service) => [service, { certFile: join(directory, `${service}.crt`), keyFile: join(directory, `${service}.key`) }]),
  ) as Record<DevnetService, PemFiles>;
  const all = [caFile, ...DEVNET_SERVICES.flatMap((service) => [services[service].certFile, services[service].keyFile])];
  if (usable(all)) return { directory, caFile, services };
  const ca = await createCertificateAuthority('mithril-ts devnet CA');
  // The CA's key is not written: the devnet makes a new CA rather than issuing more from this one.
  mkdirSync(directory, { recursive: true });
  writeFileSync(caFile, ca.certificatePem);
  for (const service of DEVNET_SERVICES) writePemPair(directory, service, await ca.issue({ commonName: service }));
  return { directory, caFile, services };
}
