// `npm run k8s:check [-- <kubernetes dir>]`: renders every kustomization an operator applies under <dir> (default: the
// repository's kubernetes/; overlays/*, examples/* and other top-level folders but base/ and components/) and prints,
// for each, its object count and OK or its violations. Exits 1 when any kustomization fails to render or breaks a
// rule. The same checks run in `npm test` (scripts/kubernetes/test/overlays.test.ts).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkKustomizations } from './check.js';
import { ensureKubectl } from './kubectl.js';
import { findKustomizations } from './render.js';
import { formatViolation } from './violation.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const kubernetesDir = resolve(process.argv[2] ?? join(repoRoot, 'kubernetes'));

const kubectl = await ensureKubectl();
console.log(kubectl.fetchMs > 0 ? `kubectl: fetched and verified in ${(kubectl.fetchMs / 1000).toFixed(1)} s (${kubectl.path})` : `kubectl: ${kubectl.path}`);

const dirs = findKustomizations(kubernetesDir);
if (dirs.length === 0) {
  console.error(`no kustomization to check under ${kubernetesDir}`);
  process.exit(1);
}
const started = performance.now();
const results = await checkKustomizations(kubectl.path, kubernetesDir, dirs);
const checkedMs = performance.now() - started;
for (const result of results) {
  if (result.renderError !== undefined) {
    console.log(`${result.name}: FAILED to render: ${result.renderError}`);
    continue;
  }
  const verdict = result.violations.length === 0 ? 'OK' : `${result.violations.length} violation(s)`;
  console.log(`${result.name}: ${result.objects.length} objects, ${verdict} (rendered in ${Math.round(result.renderMs)} ms)`);
  for (const v of result.violations) console.log(`  ${formatViolation(v)}`);
}
console.log(`${results.length} kustomization(s) rendered and checked in ${(checkedMs / 1000).toFixed(1)} s`);
process.exit(results.some((r) => r.renderError !== undefined || r.violations.length > 0) ? 1 : 0);
