// kubernetes/external-secrets.json: the Secrets an operator creates before `kubectl apply -k` (a database URL, object
// storage credentials, TLS material when cert-manager is not used), so that they are never rendered into the
// repository. One place lists them, with the keys each must hold: the config-refs rule accepts references to them
// and no other missing Secret, and flags an entry nothing reads; the deployment README points operators to it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const externalSecretsFile = z.strictObject({
  $comment: z.string().optional(),
  secrets: z.array(
    z.strictObject({
      name: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'a Secret name (lowercase DNS subdomain)'),
      /** Kustomization folders relative to kubernetes/ (`overlays/production`) whose objects read it. */
      kustomizations: z.array(z.string().min(1)).min(1),
      keys: z.array(z.string().min(1)).min(1),
      /** What goes in each key, and who creates it: operators read this. */
      purpose: z.string().min(10),
    }),
  ),
});

export class ExternalSecretsError extends Error {
  override name = 'ExternalSecretsError';
}

export const EXTERNAL_SECRETS_FILE = 'external-secrets.json';

/** The external Secrets of every kustomization, keyed by its folder relative to `kubernetesDir`: name → keys. */
export function loadExternalSecrets(kubernetesDir: string): Map<string, Map<string, string[]>> {
  const path = join(kubernetesDir, EXTERNAL_SECRETS_FILE);
  const byKustomization = new Map<string, Map<string, string[]>>();
  if (!existsSync(path)) return byKustomization;
  let parsed: z.infer<typeof externalSecretsFile>;
  try {
    parsed = externalSecretsFile.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch (error) {
    throw new ExternalSecretsError(`${path}: ${error instanceof z.ZodError ? z.prettifyError(error) : String(error)}`);
  }
  for (const secret of parsed.secrets) {
    for (const kustomization of secret.kustomizations) {
      const secrets = byKustomization.get(kustomization) ?? new Map<string, string[]>();
      if (secrets.has(secret.name)) throw new ExternalSecretsError(`${path}: ${secret.name} is listed twice for ${kustomization}`);
      secrets.set(secret.name, secret.keys);
      byKustomization.set(kustomization, secrets);
    }
  }
  return byKustomization;
}
