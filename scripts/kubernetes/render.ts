// Rendering a kustomization into the objects `kubectl apply -k` would send, and finding the kustomizations to check.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

const execFileAsync = promisify(execFile);

/** One rendered Kubernetes object: what every check reads (and never writes). */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export class RenderError extends Error {
  override name = 'RenderError';
}

/** Parses a multi-document YAML stream into objects, failing on any YAML error or a document that is not an object. */
export function parseObjects(yamlText: string, source: string): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const [index, document] of parseAllDocuments(yamlText).entries()) {
    if (document.errors.length > 0) throw new RenderError(`${source}: document ${index}: ${document.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) throw new RenderError(`${source}: document ${index} is not a mapping`);
    const object = value as Partial<K8sObject>;
    if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string' || typeof object.metadata?.name !== 'string') {
      throw new RenderError(`${source}: document ${index} has no apiVersion, kind or metadata.name`);
    }
    objects.push(object as K8sObject);
  }
  return objects;
}

/** `kubectl kustomize <dir>`: the objects of a kustomization, as `kubectl apply -k <dir>` would create them. */
export async function renderKustomization(kubectl: string, dir: string): Promise<K8sObject[]> {
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync(kubectl, ['kustomize', dir], { maxBuffer: 64 * 1024 * 1024 }));
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new RenderError(`kubectl kustomize ${dir} failed: ${stderr !== undefined && stderr !== '' ? stderr : String(error)}`);
  }
  return parseObjects(stdout, dir);
}

/** The folders under `<kubernetesDir>/overlays/*` and `<kubernetesDir>/examples/*` that hold a kustomization. */
export function findKustomizations(kubernetesDir: string): string[] {
  const found: string[] = [];
  for (const group of ['overlays', 'examples']) {
    const groupDir = join(kubernetesDir, group);
    if (!existsSync(groupDir)) continue;
    for (const entry of readdirSync(groupDir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const dir = join(groupDir, entry.name);
      if (['kustomization.yaml', 'kustomization.yml', 'Kustomization'].some((name) => existsSync(join(dir, name)))) found.push(dir);
    }
  }
  return found.sort();
}
