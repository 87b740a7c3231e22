// Every kustomization the repository ships (kubernetes/overlays/*, kubernetes/examples/*, kubernetes/monitoring)
// renders with the pinned kubectl and passes every schema check and project rule; rules.test.ts proves each check
// fails on what it catches. `npm run k8s:check` prints the same verdicts.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CheckResult, checkKustomizations } from '../check.js';
import { ensureKubectl } from '../kubectl.js';
import { findKustomizations } from '../render.js';
import { formatViolation } from '../violation.js';

const KUBERNETES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'kubernetes');
const dirs = findKustomizations(KUBERNETES_DIR);
const names = dirs.map((dir) => dir.slice(KUBERNETES_DIR.length + 1));

let results: Map<string, CheckResult>;
beforeAll(async () => {
  const kubectl = (await ensureKubectl()).path;
  results = new Map((await checkKustomizations(kubectl, KUBERNETES_DIR, dirs)).map((result) => [result.name, result]));
}, 180_000);

// A deleted or renamed overlay fails here instead of silently shrinking the checks.
it('kubernetes/ has the overlays, the SPO example and the monitoring of issue 13', () => {
  expect(names).toEqual(expect.arrayContaining(['overlays/devnet', 'overlays/production', 'examples/spo', 'monitoring']));
});

it.each(names)('%s renders and passes every check', (name) => {
  const result = results.get(name)!;
  expect(result.renderError).toBeUndefined();
  expect(result.objects.length).toBeGreaterThan(0);
  expect(result.violations.map(formatViolation)).toEqual([]);
});
