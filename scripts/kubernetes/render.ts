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

/** Folders of kubernetes/ that are not applied on their own: the base the overlays build on, and kustomize
 * components (`kind: Component`), which only build inside a kustomization. */
const NOT_APPLIED = new Set(['base', 'components']);

function isKustomization(dir: string): boolean {
  return ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].some((name) => existsSync(join(dir, name)));
}

/**
 * The kustomizations an operator applies: `<kubernetesDir>/overlays/*`, `<kubernetesDir>/examples/*`, and any other
 * top-level folder holding a kustomization (`monitoring/`), but not `base/` or `components/`.
 */
export function findKustomizations(kubernetesDir: string): string[] {
  const found: string[] = [];
  if (!existsSync(kubernetesDir)) return found;
  for (const entry of readdirSync(kubernetesDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || NOT_APPLIED.has(entry.name)) continue;
    const dir = join(kubernetesDir, entry.name);
    if (entry.name === 'overlays' || entry.name === 'examples') {
      for (const child of readdirSync(dir, { withFileTypes: true })) {
        if (child.isDirectory() && isKustomization(join(dir, child.name))) found.push(join(dir, child.name));
      }
    } else if (isKustomization(dir)) {
      found.push(dir);
    }
  }
  return found.sort();
}
