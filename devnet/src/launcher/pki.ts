/**
 * The devnet's PKI: a local CA and one certificate per service under `<root>/pki`, made once and
 * reused while valid and naming what is asked (a restart keeps the CA a client was told to trust).
 * The certificates name the service (DNS subject alternative name and common name, which is what
 * allowedClients match), `localhost` and 127.0.0.1, where the devnet listens, plus any further DNS
 * names a service is dialled by (a cluster's Service names). Keys are written owner-only. A devnet
 * CA is for a devnet: it is generated on this machine and trusted by nothing else.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { dirname, join } from 'node:path';
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

export interface DevnetPkiOptions {
  /** DNS names a service is dialled by, besides its identity and `localhost` (e.g. `aggregator.mithril.svc.cluster.local`). */
  readonly dnsNames?: Readonly<Partial<Record<DevnetService, readonly string[]>>>;
}

/** The TLS settings of `service` in the devnet (its certificate, the devnet CA). */
export function tlsSettingsOf(pki: DevnetPki, service: DevnetService) {
  return { insecure: false, tlsCertFile: pki.services[service].certFile, tlsKeyFile: pki.services[service].keyFile, tlsCaFile: pki.caFile };
}

const STILL_VALID_MS = 24 * 60 * 60 * 1000;

const namesOf = (service: DevnetService, options: DevnetPkiOptions) => [...new Set([service, 'localhost', ...(options.dnsNames?.[service] ?? [])])];

function usable(pki: DevnetPki, options: DevnetPkiOptions): boolean {
  const files = [pki.caFile, ...DEVNET_SERVICES.flatMap((service) => [pki.services[service].certFile, pki.services[service].keyFile])];
  if (!files.every((file) => existsSync(file))) return false;
  const ca = new X509Certificate(readFileSync(pki.caFile));
  const stillValid = (certificate: X509Certificate) => Date.parse(certificate.validTo) - Date.now() > STILL_VALID_MS;
  if (!stillValid(ca)) return false;
  return DEVNET_SERVICES.every((service) => {
    const certificate = new X509Certificate(readFileSync(pki.services[service].certFile));
    return stillValid(certificate) && namesOf(service, options).every((name) => certificate.checkHost(name, { wildcards: false }) === name);
  });
}

/**
 * The PKI under `<root>/pki`, made anew when a file is missing, a certificate expires within a day
 * or does not name what `options` asks. A new PKI is written into a sibling directory and renamed
 * into place, so a reader in another process (a service in another pod sharing the volume) sees no
 * PKI or a complete one, never a CA without the certificates it issued.
 */
export async function ensureDevnetPki(root: string, options: DevnetPkiOptions = {}): Promise<DevnetPki> {
  const directory = join(root, 'pki');
  const at = (base: string): DevnetPki => ({
    directory: base,
    caFile: join(base, 'ca.crt'),
    services: Object.fromEntries(
      DEVNET_SERVICES.map((service) => [service, { certFile: join(base, `${service}.crt`), keyFile: join(base, `${service}.key`) }]),
    ) as Record<DevnetService, PemFiles>,
  });
  const pki = at(directory);
  if (usable(pki, options)) return pki;
  const ca = await createCertificateAuthority('mithril-ts devnet CA');
  const staging = join(dirname(directory), `.pki.${process.pid}.tmp`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  // The CA's key is not written: the devnet makes a new CA rather than issuing more from this one.
  writeFileSync(join(staging, 'ca.crt'), ca.certificatePem);
  for (const service of DEVNET_SERVICES) writePemPair(staging, service, await ca.issue({ commonName: service, dnsNames: namesOf(service, options) }));
  rmSync(directory, { recursive: true, force: true });
  renameSync(staging, directory);
  return pki;
}
