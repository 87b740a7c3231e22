// One kustomization from folder to verdict: render it, check every object's schema, then the project's rules.
import { relative, sep } from 'node:path';
import { type K8sObject, renderKustomization } from './render.js';
import { indexObjects, ruleViolations } from './rules.js';
import { schemaViolations } from './schema.js';
import type { Violation } from './violation.js';

export interface CheckResult {
  /** The kustomization folder relative to kubernetes/ (`overlays/production`). */
  name: string;
  objects: K8sObject[];
  violations: Violation[];
}

/** Schema and rule violations of rendered objects (rules read the objects as the API server would store them, so
 * they run even when a schema check failed: one run shows every problem). */
export function checkObjects(objects: K8sObject[], externalSecrets: Map<string, string[]> = new Map()): Violation[] {
  return [...objects.flatMap(schemaViolations), ...ruleViolations(indexObjects(objects, externalSecrets))];
}

export function kustomizationName(kubernetesDir: string, dir: string): string {
  return relative(kubernetesDir, dir).split(sep).join('/');
}

export async function checkKustomization(kubectl: string, kubernetesDir: string, dir: string, externalSecrets: Map<string, Map<string, string[]>>): Promise<CheckResult> {
  const name = kustomizationName(kubernetesDir, dir);
  const objects = await renderKustomization(kubectl, dir);
  return { name, objects, violations: checkObjects(objects, externalSecrets.get(name)) };
}
