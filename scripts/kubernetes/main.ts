// `npm run k8s:check [-- <kubernetes dir>]`: renders every kustomization under <dir>/overlays/* and <dir>/examples/*
// (default: the repository's kubernetes/) and prints, for each, its object count and OK or its violations. Exits 1
// when any kustomization fails to render or breaks a rule. The same checks run in `npm test`
// (scripts/kubernetes/test/overlays.test.ts).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkKustomization, kustomizationName } from './check.js';
import { loadExternalSecrets } from './external-secrets.js';
import { ensureKubectl } from './kubectl.js';
import { findKustomizations } from './render.js';
import { formatViolation } from './violation.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const kubernetesDir = resolve(process.argv[2] ?? join(repoRoot, 'kubernetes'));

const kubectl = await ensureKubectl();
console.log(kubectl.fetchMs > 0 ? `kubectl: fetched and verified in ${(kubectl.fetchMs / 1000).toFixed(1)} s (${kubectl.path})` : `kubectl: ${kubectl.path}`);

const dirs = findKustomizations(kubernetesDir);
if (dirs.length === 0) {
  console.error(`no kustomization under ${kubernetesDir}/overlays/* or ${kubernetesDir}/examples/*`);
  process.exit(1);
}
const externalSecrets = loadExternalSecrets(kubernetesDir);
let failed = false;
const started = performance.now();
for (const dir of dirs) {
  const began = performance.now();
  try {
    const result = await checkKustomization(kubectl.path, kubernetesDir, dir, externalSecrets);
    const ms = Math.round(performance.now() - began);
    const verdict = result.violations.length === 0 ? 'OK' : `${result.violations.length} violation(s)`;
    console.log(`${result.name}: ${result.objects.length} objects, ${verdict} (${ms} ms)`);
    for (const v of result.violations) console.log(`  ${formatViolation(v)}`);
    failed ||= result.violations.length > 0;
  } catch (error) {
    console.log(`${kustomizationName(kubernetesDir, dir)}: FAILED: ${error instanceof Error ? error.message : String(error)}`);
    failed = true;
  }
}
console.log(`${dirs.length} kustomization(s) checked in ${((performance.now() - started) / 1000).toFixed(1)} s`);
process.exit(failed ? 1 : 0);
