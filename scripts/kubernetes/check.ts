// Kustomizations from folder to verdict: render them all, then check every object's schema and the project's rules.
import { relative, sep } from 'node:path';
import { loadExternalSecrets } from './external-secrets.js';
import { type K8sObject, renderKustomization } from './render.js';
import { indexObjects, ruleViolations } from './rules.js';
import { schemaViolations } from './schema.js';
import type { Violation } from './violation.js';

export interface CheckResult {
  /** The kustomization folder relative to kubernetes/ (`overlays/production`). */
  name: string;
  objects: K8sObject[];
  violations: Violation[];
  /** Set when kustomize could not build it (then objects and violations are empty). */
  renderError?: string;
  renderMs: number;
}

/**
 * Schema and rule violations of one kustomization's rendered objects. Rules run even when a schema check failed (they
 * read the objects as the API server would store them), so one run shows every problem. `context`: the objects of
 * the kustomizations checked alongside, which a monitor may watch.
 */
export function checkObjects(objects: K8sObject[], externalSecrets: Map<string, string[]> = new Map(), context: K8sObject[] = []): Violation[] {
  return [...objects.flatMap(schemaViolations), ...ruleViolations(indexObjects(objects, externalSecrets, context))];
}

function kustomizationName(kubernetesDir: string, dir: string): string {
  return relative(kubernetesDir, dir).split(sep).join('/');
}

/** Renders every kustomization (in parallel: kubectl runs outside this process), then checks each with the others as context. */
export async function checkKustomizations(kubectl: string, kubernetesDir: string, dirs: string[]): Promise<CheckResult[]> {
  const externalSecrets = loadExternalSecrets(kubernetesDir);
  const rendered = await Promise.all(
    dirs.map(async (dir) => {
      const started = performance.now();
      const name = kustomizationName(kubernetesDir, dir);
      try {
        return { name, objects: await renderKustomization(kubectl, dir), renderMs: performance.now() - started };
      } catch (error) {
        return { name, objects: [], renderError: error instanceof Error ? error.message : String(error), renderMs: performance.now() - started };
      }
    }),
  );
  return rendered.map((result) => {
    const context = rendered.filter((other) => other !== result).flatMap((other) => other.objects);
    return { ...result, violations: result.renderError === undefined ? checkObjects(result.objects, externalSecrets.get(result.name), context) : [] };
  });
}
