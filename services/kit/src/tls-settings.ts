/**
 * The TLS settings every gRPC service has, under the same names everywhere (a launcher, a helm chart
 * or a test can set them without knowing the service): `insecure`, `tlsCertFile`, `tlsKeyFile`,
 * `tlsCaFile`, and for a service with internal RPCs `allowedClients`. A service spreads
 * {@link tlsSettings} (and {@link allowedClientsSetting}) into its zod object and refines it with
 * {@link requireTlsFiles}, so a missing file is a ConfigError naming the setting.
 */
import { z } from 'zod';
import { strictBoolean } from './config.js';
import { ALLOW_INSECURE_KEY_PERMISSIONS_DESCRIPTION, allowInsecureKeyPermissionsSchema } from './secret-file.js';

/** The TLS settings of a service: `insecure` turns TLS off (tests, a local devnet); otherwise the files are PEM. */
export const tlsSettings = {
  /** Plaintext gRPC, no certificates: only for tests and loopback development. */
  insecure: strictBoolean.default(false),
  /** This service's certificate chain: its server certificate, and its client certificate when it calls another service. */
  tlsCertFile: z.string().min(1).optional(),
  /** The private key of `tlsCertFile`. */
  tlsKeyFile: z.string().min(1).optional(),
  /** The CA bundle peers are verified against: the servers this service calls, and its callers' client certificates. */
  tlsCaFile: z.string().min(1).optional(),
  /** Accept secret key files (tlsKeyFile, and the service's other keys) that group or others may read. */
  allowInsecureKeyPermissions: allowInsecureKeyPermissionsSchema,
};

/** The identities (certificate DNS names, else common name) allowed on internal RPCs, comma-separated. */
export function allowedClientsSetting(defaultIdentities: readonly string[]) {
  return {
    // A string (command line, environment) or a list (JSON file, or a configuration already parsed).
    allowedClients: z
      .preprocess(
        (value) =>
          typeof value === 'string'
            ? value
                .split(',')
                .map((identity) => identity.trim())
                .filter((identity) => identity !== '')
            : value,
        z.array(z.string().min(1)).min(1, 'at least one client identity'),
      )
      .default([...defaultIdentities]),
  };
}

/** The TLS part of a service's configuration (what {@link tlsSettings} parses to). */
export interface TlsSettings {
  readonly insecure: boolean;
  readonly tlsCertFile?: string | undefined;
  readonly tlsKeyFile?: string | undefined;
  readonly tlsCaFile?: string | undefined;
  /** Accept a tlsKeyFile that group or others may read (refused by default). */
  readonly allowInsecureKeyPermissions?: boolean | undefined;
}

type TlsFile = 'tlsCertFile' | 'tlsKeyFile' | 'tlsCaFile';

/**
 * A zod refinement: unless `insecure`, each of `required` must be set (a server needs its certificate
 * and key; a service that verifies client certificates or calls internal services needs the CA), and
 * the certificate and key go together.
 */
export function requireTlsFiles(required: readonly TlsFile[]) {
  return (config: TlsSettings, context: z.RefinementCtx): void => {
    if (config.insecure) return;
    for (const key of required) {
      if (config[key] === undefined) context.addIssue({ code: 'custom', path: [key], message: 'required unless insecure is true' });
    }
    if ((config.tlsCertFile === undefined) !== (config.tlsKeyFile === undefined)) {
      const missing = config.tlsCertFile === undefined ? 'tlsCertFile' : 'tlsKeyFile';
      if (!required.includes(missing)) context.addIssue({ code: 'custom', path: [missing], message: 'tlsCertFile and tlsKeyFile go together' });
    }
  };
}

/** One line per TLS setting for a service's --help. */
export const TLS_SETTING_DESCRIPTIONS: Readonly<Record<keyof typeof tlsSettings | 'allowedClients', string>> = {
  insecure: 'true: plaintext gRPC without certificates (tests, loopback development only)',
  tlsCertFile: 'PEM certificate chain of this service (server certificate, and client certificate towards other services)',
  tlsKeyFile: 'PEM private key of tlsCertFile',
  tlsCaFile: "PEM CA bundle that peers' certificates are verified against",
  allowInsecureKeyPermissions: ALLOW_INSECURE_KEY_PERMISSIONS_DESCRIPTION,
  allowedClients: 'comma-separated client identities (certificate DNS name or common name) allowed on internal RPCs',
};
