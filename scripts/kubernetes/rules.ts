// The project's own rules for rendered manifests: what the API server accepts but a deployment of this project must
// not do (an unpinned image, a container without limits or probes, a Service that selects nothing, a reference to a
// Secret nobody creates). Each rule is one function over all the objects of one rendered kustomization, returning
// violations whose message says what to change. Run order and output: check.ts; the rules' list: README.md.
import type { K8sObject } from './render.js';
import { distance } from './schema.js';
import { SERVICE_SETTINGS, type ServiceSettings } from './service-settings.js';
import { type Violation, objectRef } from './violation.js';

// ---- reading the objects (rendered by kubectl, type-checked by schema.ts, but read defensively all the same) ----

type Json = Record<string, unknown>;

function record(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}
function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.map(record) : [];
}
function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
function labels(value: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(record(value)).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
function namespaceOf(object: K8sObject): string {
  return object.metadata.namespace ?? 'default';
}

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** Kubernetes label selector semantics; an empty selector selects everything. */
export function selects(selector: LabelSelector, podLabels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (podLabels[key] !== value) return false;
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(podLabels, key);
    const value = podLabels[key];
    if (operator === 'In' && !(has && values.includes(value!))) return false;
    if (operator === 'NotIn' && has && values.includes(value!)) return false;
    if (operator === 'Exists' && !has) return false;
    if (operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

function selectorOf(value: unknown): LabelSelector {
  const selector = record(value);
  return {
    matchLabels: labels(selector.matchLabels),
    matchExpressions: list(selector.matchExpressions).map((e) => ({
      key: text(e.key) ?? '',
      operator: text(e.operator) ?? '',
      values: Array.isArray(e.values) ? e.values.filter((v): v is string => typeof v === 'string') : [],
    })),
  };
}

function describeSelector(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) parts.push(`${e.key} ${e.operator} ${JSON.stringify(e.values ?? [])}`);
  return `{${parts.join(', ')}}`;
}

interface Container {
  spec: Json;
  name: string;
  /** `container <name>` or `init container <name>`, for messages. */
  label: string;
  /** Regular containers and restartable init containers (native sidecars) run for the pod's life; init containers run to completion. */
  longRunning: boolean;
}

/** A pod template of a workload object. */
interface Pod {
  owner: K8sObject;
  namespace: string;
  labels: Record<string, string>;
  spec: Json;
  containers: Container[];
  /** Jobs and CronJobs run to completion; Deployments, StatefulSets, DaemonSets and ReplicaSets run until replaced. */
  runsToCompletion: boolean;
}

const POD_TEMPLATE_PATHS: Record<string, string[]> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

function podOf(object: K8sObject): Pod | undefined {
  const path = POD_TEMPLATE_PATHS[object.kind];
  if (path === undefined) return undefined;
  const template = path.reduce<unknown>((value, key) => record(value)[key], object);
  const spec = record(record(template).spec);
  const containers: Container[] = [
    ...list(spec.initContainers).map((c) => {
      const name = text(c.name) ?? '?';
      return { spec: c, name, label: `init container ${name}`, longRunning: c.restartPolicy === 'Always' };
    }),
    ...list(spec.containers).map((c) => {
      const name = text(c.name) ?? '?';
      return { spec: c, name, label: `container ${name}`, longRunning: true };
    }),
  ];
  return {
    owner: object,
    namespace: namespaceOf(object),
    labels: labels(record(record(template).metadata).labels),
    spec,
    containers,
    runsToCompletion: object.kind === 'Job' || object.kind === 'CronJob',
  };
}

/** Everything a rule may need from one rendered kustomization, computed once. */
export interface RenderIndex {
  objects: K8sObject[];
  pods: Pod[];
  /** The objects of the other kustomizations checked in the same run (what a monitor in one may watch in another). */
  context: K8sObject[];
  contextPods: Pod[];
  /** Secrets and ConfigMaps the operator creates before applying (external-secrets.json), by `Kind/name`, with the keys they must hold. */
  externalSecrets: Map<string, string[]>;
}

export function indexObjects(objects: K8sObject[], externalSecrets: Map<string, string[]> = new Map(), context: K8sObject[] = []): RenderIndex {
  const podsOf = (from: K8sObject[]): Pod[] => from.map(podOf).filter((pod): pod is Pod => pod !== undefined);
  return { objects, pods: podsOf(objects), context, contextPods: podsOf(context), externalSecrets };
}

function podsSelectedBy(index: RenderIndex, namespace: string, selector: LabelSelector): Pod[] {
  return index.pods.filter((pod) => pod.namespace === namespace && selects(selector, pod.labels));
}

function violation(rule: string, object: K8sObject, message: string): Violation {
  return { rule, object: objectRef(object), message };
}

// ---- rules ----

/** Every image names a registry path and a pinned version: a tag other than `latest`, or a digest. */
function imagePinned(index: RenderIndex): Violation[] {
  const out: Violation[] = [];
  for (const pod of index.pods) {
    for (const container of pod.containers) {
      const image = text(container.spec.image);
      if (image === undefined || image.trim() === '') {
        out.push(violation('image-pinned', pod.owner, `${container.label} has no image`));
        continue;
      }
      const at = image.indexOf('@');
      if (at >= 0) {
        if (!/^sha256:[0-9a-f]{64}$/.test(image.slice(at + 1)))
          out.push(violation('image-pinned', pod.owner, `${container.label} image ${image} has a malformed digest`));
        continue;
      }
      const lastSegment = image.slice(image.lastIndexOf('/') + 1);
      const colon = lastSegment.lastIndexOf(':');
      const tag = colon < 0 ? undefined : lastSegment.slice(colon + 1);
      if (tag === undefined || tag === '')
        out.push(violation('image-pinned', pod.owner, `${container.label} image ${image} has no tag (it would pull latest): pin a version or a digest`));
      else if (tag === 'latest')
        out.push(violation('image-pinned', pod.owner, `${container.label} image ${image} is tagged latest: pin a version or a digest`));
    }
  }
  return out;
}

/** A controller's selector selects its own pod template (else the API server refuses it, or it adopts other pods). */
function selectorMatchesTemplate(index: RenderIndex): Violation[] {
  const out: Violation[] = [];
  for (const pod of index.pods) {
    if (pod.runsToCompletion) continue; // Jobs generate their selector unless manualSelector is set
    const selector = selectorOf(record(pod.owner.spec).selector);
    if (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0) {
      out.push(violation('selector-matches-template', pod.owner, 'spec.selector is empty'));
    } else if (!selects(selector, pod.labels)) {
      out.push(
        violation(
          'selector-matches-template',
          pod.owner,
          `spec.selector ${describeSelector(selector)} does not match the template's labels ${describeSelector({ matchLabels: pod.labels })}`,
        ),
      );
    }
  }
  return out;
}

/**
 * Every long-running container has startup, readiness and liveness probes: without readiness a Service sends
 * traffic to a pod still loading its store; without liveness a wedged process is never restarted; without startup
 * the liveness probe must be slow enough for the slowest start. Containers of Jobs/CronJobs and plain init
 * containers are exempt: they run to completion, no Service routes to them, and a Job's activeDeadlineSeconds (which
 * this rule then requires) is what stops a hung one. There is no exemption: a container with no port to probe
 * (the devnet chain simulator) uses exec probes (its image has node, and no shell is needed).
 */
function probes(index: RenderIndex): Violation[] {
  const out: Violation[] = [];
  for (const pod of index.pods) {
    if (pod.runsToCompletion) {
      const jobSpec = pod.owner.kind === 'CronJob' ? record(record(record(pod.owner.spec).jobTemplate).spec) : record(pod.owner.spec);
      if (typeof jobSpec.activeDeadlineSeconds !== 'number') {
        out.push(violation('probes', pod.owner, 'a Job has no probes: set activeDeadlineSeconds so that a hung run is stopped'));
      }
      continue;
    }
    for (const container of pod.containers.filter((c) => c.longRunning)) {
      const missing = ['startupProbe', 'readinessProbe', 'livenessProbe'].filter((probe) => container.spec[probe] === undefined);
      if (missing.length > 0) out.push(violation('probes', pod.owner, `${container.label} has no ${missing.join(', ')}`));
    }
  }
  return out;
}

/** A probe's port is one the container declares (by name, or by number for gRPC probes, which take no name). */
function probePorts(index: RenderIndex): Violation[] {
  const out: Violation[] = [];
  for (const pod of index.pods) {
    for (const container of pod.containers) {
      const ports = list(container.spec.ports);
      const names = new Set(ports.map((p) => text(p.name)).filter((n) => n !== undefined));
      const numbers = new Set(ports.map((p) => p.containerPort));
      for (const probeName of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
        const probe = record(container.spec[probeName]);
        for (const handler of ['httpGet', 'tcpSocket', 'grpc']) {
          if (probe[handler] === undefined) continue;
          const port = record(probe[handler]).port;
          if (typeof port === 'string' && !names.has(port)) {
            out.push(
              violation(
                'probe-ports',
                pod.owner,
                `${container.label} ${probeName}.${handler}.port ${port} is not one of its port names [${[...names].join(', ')}]`,
              ),
            );
          } else if (typeof port === 'number' && !numbers.has(port)) {
            out.push(violation('probe-ports', pod.owner, `${container.label} ${probeName}.${handler}.port ${port} is not one of its containerPorts`));
          }
        }
      }
    }
  }
  return out;
}

const CPU_UNITS: Record<string, number> = { '': 1, m: 1e-3 };
const MEMORY_UNITS: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 };

/** A resource quantity (`250m`, `0.5`, `256Mi`, `1G`) in base units, or undefined when it is not one this project writes. */
export function quantity(value: unknown, resource: 'cpu' | 'memory'): number | undefined {
  if (typeof value === 'number') return value;
  const match = typeof value === 'string' ? /^(\d+(?:\.\d+)?)([a-zA-Z]*)$/.exec(value) : null;
  const unit = match === null ? undefined : (resource === 'cpu' ? CPU_UNITS : MEMORY_UNITS)[match[2]!];
  return unit === undefined ? undefined : Number(match![1]) * unit;
}

/** Every container requests and is limited in cpu and memory (the scheduler places by requests; the HPA's cpu
 * utilisation is relative to them; a limit keeps one leaking pod from starving its node), with request <= limit. */
function resources(index: RenderIndex): Violation[] {
  const out: Violation[] = [];
  for (const pod of index.pods) {
    for (const container of pod.containers) {
      const res = record(container.spec.resources);
      const missing: string[] = [];
      for (const kind of ['requests', 'limits'] as const) {
        for (const resource of ['cpu', 'memory'] as const) {
          const value = record(res[kind])[resource];
          if (value === undefined) missing.push(`${kind}.${resource}`);
          else if (quantity(value, resource) === undefined)
            out.push(violation('resources', pod.owner, `${container.label} resources.${kind}.${resource} ${JSON.stringify(value)} is not a quantity`));
        }
      }
      if (missing.length > 0) out.push(violation('resources', pod.owner, `${container.label} has no resources.${missing.join(', resources.')}`));
      for (const resource of ['cpu', 'memory'] as const) {
        const request = quantity(record(res.requests)[resource], resource);
        const limit = quantity(record(res.limits)[resource], resource);
        if (request !== undefined && limit !== undefined && request > limit) {
          out.push(violation('resources', pod.owner, `${container.label} requests more ${resource} than its limit`));
        }
      }
    }
  }
  return out;
}

/**
 * Every container runs as non-root (runAsNonRoot true at container or pod level, the container's value winning;
 * no runAsUser 0), cannot gain privileges (allowPrivilegeEscalation false, not privileged), has a read-only root
 * filesystem (writes go to /data and /tmp volumes: contract C2) and drops ALL capabilities, adding none back.
 * allowPrivilegeEscalation, readOnlyRootFilesystem and capabilities exist only at container level in the API.
 */
function securityContext(index: RenderIndex): Violation[] {
  const out: Violation[] = [];
  for (const pod of index.pods) {
    const podContext = record(pod.spec.securityContext);
    for (const container of pod.containers) {
      const context = record(container.spec.securityContext);
      const problems: string[] = [];
      const nonRoot = context.runAsNonRoot ?? podContext.runAsNonRoot;
      if (nonRoot !== true) problems.push('runAsNonRoot must be true (pod or container securityContext)');
      if ((context.runAsUser ?? podContext.runAsUser) === 0) problems.push('runAsUser must not be 0');
      if (context.allowPrivilegeEscalation !== false) problems.push('securityContext.allowPrivilegeEscalation must be false');
      if (context.privileged === true) problems.push('securityContext.privileged must not be true');
      if (context.readOnlyRootFilesystem !== true) problems.push('securityContext.readOnlyRootFilesystem must be true');
      const capabilities = record(context.capabilities);
      if (!(Array.isArray(capabilities.drop) && capabilities.drop.includes('ALL'))) problems.push('securityContext.capabilities.drop must include ALL');
      if (Array.isArray(capabilities.add) && capabilities.add.length > 0)
        problems.push(`securityContext.capabilities.add must be empty (has ${capabilities.add.join(', ')})`);
      for (const problem of problems) out.push(violation('security-context', pod.owner, `${container.label}: ${problem}`));
    }
  }
  return out;
}

function containerPortNames(pod: Pod): Set<string> {
  return new Set(pod.containers.flatMap((c) => list(c.spec.ports).map((p) => text(p.name))).filter((n) => n !== undefined));
}

/**
 * Every Service with a selector selects the pods of some workload in its namespace, and targets each of its ports
 * at a named container port that every selected pod declares: a number would silently keep pointing at the old port
 * when a container's port changes, a name fails here instead.
 */
function serviceTargets(index: RenderIndex): Violation[] {
  const out: Violation[] = [];
  for (const service of index.objects.filter((o) => o.kind === 'Service' && o.apiVersion === 'v1')) {
    const spec = record(service.spec);
    if (spec.type === 'ExternalName' || spec.selector === undefined) continue; // endpoints managed elsewhere
    const selector = { matchLabels: labels(spec.selector) };
    const pods = podsSelectedBy(index, namespaceOf(service), selector).filter((pod) => !pod.runsToCompletion);
    if (pods.length === 0) {
      out.push(
        violation(
          'service-targets',
          service,
          `selector ${describeSelector(selector)} selects no Deployment's or StatefulSet's pods in namespace ${namespaceOf(service)}`,
        ),
      );
      continue;
    }
    for (const port of list(spec.ports)) {
      const portName = text(port.name) ?? String(port.port);
      const target = port.targetPort;
      if (typeof target !== 'string') {
        out.push(
          violation(
            'service-targets',
            service,
            `port ${portName}: targetPort ${target === undefined ? 'is not set' : JSON.stringify(target)}: target a named container port`,
          ),
        );
        continue;
      }
      for (const pod of pods) {
        if (!containerPortNames(pod).has(target))
          out.push(violation('service-targets', service, `port ${portName}: targetPort ${target} is not a container port name of ${objectRef(pod.owner)}`));
      }
    }
  }
  return out;
}

function replicasOf(index: RenderIndex, workload: K8sObject): number {
  const hpa = index.objects.find(
    (o) =>
      o.kind === 'HorizontalPodAutoscaler' && namespaceOf(o) === namespaceOf(workload) && record(record(o.spec).scaleTargetRef).name === workload.metadata.name,
  );
  if (hpa !== undefined) return typeof record(hpa.spec).minReplicas === 'number' ? (record(hpa.spec).minReplicas as number) : 1;
  const replicas = record(workload.spec).replicas;
  return typeof replicas === 'number' ? replicas : 1;
}

/**
 * An HPA scales an existing Deployment or StatefulSet of its namespace (same kind and apiVersion); that workload sets
 * no spec.replicas, which every `kubectl apply` would otherwise reset under the autoscaler's feet.
 */
function hpaTargets(index: RenderIndex): Violation[] {
  const out: Violation[] = [];
  for (const hpa of index.objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')) {
    const ref = record(record(hpa.spec).scaleTargetRef);
    const target = index.objects.find(
      (o) =>
        (o.kind === 'Deployment' || o.kind === 'StatefulSet') &&
        o.kind === ref.kind &&
        o.apiVersion === ref.apiVersion &&
        o.metadata.name === ref.name &&
        namespaceOf(o) === namespaceOf(hpa),
    );
    if (target === undefined) {
      out.push(
        violation(
          'hpa-targets',
          hpa,
          `scaleTargetRef ${String(ref.apiVersion)} ${String(ref.kind)}/${String(ref.name)} is not a Deployment or StatefulSet in namespace ${namespaceOf(hpa)}`,
        ),
      );
    } else if (record(target.spec).replicas !== undefined) {
      out.push(violation('hpa-targets', hpa, `${objectRef(target)} sets spec.replicas, which each kubectl apply would reset under the autoscaler: remove it`));
    }
  }
  return out;
}

/** A PDB selects some workload's pods, and lets at least one of them be evicted (else node drains hang forever). */
function pdbSelectors(index: RenderIndex): Violation[] {
  const out: Violation[] = [];
  for (const pdb of index.objects.filter((o) => o.kind === 'PodDisruptionBudget')) {
    const spec = record(pdb.spec);
    const selector = selectorOf(spec.selector);
    const pods = podsSelectedBy(index, namespaceOf(pdb), selector).filter((pod) => !pod.runsToCompletion);
    if (pods.length === 0) {
      out.push(violation('pdb-selects-pods', pdb, `selector ${describeSelector(selector)} selects no workload's pods in namespace ${namespaceOf(pdb)}`));
      continue;
    }
    const replicas = pods.reduce((sum, pod) => sum + replicasOf(index, pod.owner), 0);
    if (
      spec.maxUnavailable === 0 ||
      spec.maxUnavailable === '0%' ||
      (typeof spec.minAvailable === 'number' && spec.minAvailable >= replicas) ||
      spec.minAvailable === '100%'
    ) {
      out.push(
        violation(
          'pdb-selects-pods',
          pdb,
          `allows no eviction of its ${replicas} pod(s) (minAvailable ${String(spec.minAvailable)}, maxUnavailable ${String(spec.maxUnavailable)}): node drains would hang`,
        ),
      );
    }
  }
  return out;
}

/**
 * A NetworkPolicy's podSelector selects pods of its namespace, and so does each same-namespace peer podSelector of its
 * ingress and egress rules (a peer with a namespaceSelector points into other namespaces: not checkable here); a
 * named port in an ingress rule is declared by the pods the policy protects. A policy that selects nothing protects
 * nothing, silently.
 */
function networkPolicies(index: RenderIndex): Violation[] {
  const out: Violation[] = [];
  for (const policy of index.objects.filter((o) => o.kind === 'NetworkPolicy')) {
    const spec = record(policy.spec);
    const namespace = namespaceOf(policy);
    const selector = selectorOf(spec.podSelector);
    const protectedPods = podsSelectedBy(index, namespace, selector);
    if (protectedPods.length === 0)
      out.push(violation('network-policy-selects-pods', policy, `podSelector ${describeSelector(selector)} selects no pods in namespace ${namespace}`));
    for (const [direction, peersKey] of [
      ['ingress', 'from'],
      ['egress', 'to'],
    ] as const) {
      for (const [i, rule] of list(spec[direction]).entries()) {
        for (const [j, peer] of list(rule[peersKey]).entries()) {
          if (peer.podSelector === undefined || peer.namespaceSelector !== undefined) continue;
          const peerSelector = selectorOf(peer.podSelector);
          if (podsSelectedBy(index, namespace, peerSelector).length === 0) {
            out.push(
              violation(
                'network-policy-selects-pods',
                policy,
                `${direction}[${i}].${peersKey}[${j}].podSelector ${describeSelector(peerSelector)} selects no pods in namespace ${namespace}`,
              ),
            );
          }
        }
        if (direction !== 'ingress') continue;
        for (const port of list(rule.ports)) {
          if (typeof port.port !== 'string') continue;
          const lacking = protectedPods.filter((pod) => !containerPortNames(pod).has(port.port as string));
          if (lacking.length > 0)
            out.push(
              violation(
                'network-policy-selects-pods',
                policy,
                `ingress[${i}] port ${port.port} is not a container port name of ${lacking.map((p) => objectRef(p.owner)).join(', ')}`,
              ),
            );
        }
      }
    }
  }
  return out;
}

interface Store {
  kind: 'ConfigMap' | 'Secret';
  name: string;
  /** Undefined when the keys are unknown (a Secret another controller fills). */
  keys: Set<string> | undefined;
}

/** ConfigMaps and Secrets available to a namespace: rendered ones, Secrets cert-manager will write from a rendered
 * Certificate (tls.crt, tls.key, ca.crt), and those the operator creates (external-secrets.json). */
function storesOf(index: RenderIndex, namespace: string): Map<string, Store> {
  const stores = new Map<string, Store>();
  for (const o of index.objects) {
    if (namespaceOf(o) !== namespace) continue;
    if (o.kind === 'ConfigMap')
      stores.set(`ConfigMap/${o.metadata.name}`, {
        kind: 'ConfigMap',
        name: o.metadata.name,
        keys: new Set([...Object.keys(record(o.data)), ...Object.keys(record(o.binaryData))]),
      });
    if (o.kind === 'Secret')
      stores.set(`Secret/${o.metadata.name}`, {
        kind: 'Secret',
        name: o.metadata.name,
        keys: new Set([...Object.keys(record(o.data)), ...Object.keys(record(o.stringData))]),
      });
    if (o.kind === 'Certificate' && o.apiVersion.startsWith('cert-manager.io/')) {
      const name = text(record(o.spec).secretName);
      if (name !== undefined) stores.set(`Secret/${name}`, { kind: 'Secret', name, keys: new Set(['tls.crt', 'tls.key', 'ca.crt']) });
    }
  }
  for (const [ref, keys] of index.externalSecrets) {
    const [kind, name] = ref.split('/') as ['ConfigMap' | 'Secret', string];
    if (!stores.has(ref)) stores.set(ref, { kind, name, keys: new Set(keys) });
  }
  return stores;
}

interface Reference {
  kind: 'ConfigMap' | 'Secret';
  name: string;
  keys: string[];
  optional: boolean;
  where: string;
}

function podReferences(pod: Pod): Reference[] {
  const refs: Reference[] = [];
  const add = (kind: 'ConfigMap' | 'Secret', source: Json, nameField: string, keys: string[], where: string): void => {
    const name = text(source[nameField]);
    if (name !== undefined) refs.push({ kind, name, keys, optional: source.optional === true, where });
  };
  const itemKeys = (source: Json): string[] => list(source.items).map((item) => text(item.key) ?? '');
  for (const container of pod.containers) {
    for (const env of list(container.spec.env)) {
      const from = record(env.valueFrom);
      const where = `${container.label} env ${text(env.name) ?? '?'}`;
      if (from.configMapKeyRef !== undefined) add('ConfigMap', record(from.configMapKeyRef), 'name', [text(record(from.configMapKeyRef).key) ?? ''], where);
      if (from.secretKeyRef !== undefined) add('Secret', record(from.secretKeyRef), 'name', [text(record(from.secretKeyRef).key) ?? ''], where);
    }
    for (const envFrom of list(container.spec.envFrom)) {
      if (envFrom.configMapRef !== undefined) add('ConfigMap', record(envFrom.configMapRef), 'name', [], `${container.label} envFrom`);
      if (envFrom.secretRef !== undefined) add('Secret', record(envFrom.secretRef), 'name', [], `${container.label} envFrom`);
    }
  }
  for (const volume of list(pod.spec.volumes)) {
    const where = `volume ${text(volume.name) ?? '?'}`;
    if (volume.configMap !== undefined) add('ConfigMap', record(volume.configMap), 'name', itemKeys(record(volume.configMap)), where);
    if (volume.secret !== undefined) add('Secret', record(volume.secret), 'secretName', itemKeys(record(volume.secret)), where);
    for (const source of list(record(volume.projected).sources)) {
      if (source.configMap !== undefined) add('ConfigMap', record(source.configMap), 'name', itemKeys(record(source.configMap)), where);
      if (source.secret !== undefined) add('Secret', record(source.secret), 'name', itemKeys(record(source.secret)), where);
    }
  }
  for (const pullSecret of list(pod.spec.imagePullSecrets)) add('Secret', pullSecret, 'name', [], 'imagePullSecrets');
  return refs;
}

function otherReferences(object: K8sObject): Reference[] {
  const spec = record(object.spec);
  if (object.kind === 'Ingress') {
    // cert-manager's ingress-shim writes the TLS Secrets of an Ingress annotated with an issuer.
    const annotations = object.metadata.annotations ?? {};
    if (annotations['cert-manager.io/issuer'] !== undefined || annotations['cert-manager.io/cluster-issuer'] !== undefined) return [];
    return list(spec.tls).flatMap((tls) => {
      const name = text(tls.secretName);
      return name === undefined ? [] : [{ kind: 'Secret' as const, name, keys: ['tls.crt', 'tls.key'], optional: false, where: 'spec.tls' }];
    });
  }
  if ((object.kind === 'Issuer' || object.kind === 'ClusterIssuer') && text(record(spec.ca).secretName) !== undefined) {
    return [{ kind: 'Secret', name: text(record(spec.ca).secretName)!, keys: ['tls.crt', 'tls.key'], optional: false, where: 'spec.ca' }];
  }
  return [];
}

/**
 * Every ConfigMap and Secret a pod, an Ingress or an Issuer reads exists, with the keys read: rendered, written by
 * cert-manager (from a rendered Certificate, or for an Ingress annotated cert-manager.io/issuer or cluster-issuer), or listed in kubernetes/external-secrets.json as created by the operator
 * before `kubectl apply -k` (else the pod sits in CreateContainerConfigError). References marked optional are
 * allowed to be absent. Every external Secret listed for this kustomization is referenced (a stale list would send
 * operators to create Secrets nothing reads).
 */
function configReferences(index: RenderIndex): Violation[] {
  const out: Violation[] = [];
  const used = new Set<string>();
  const check = (object: K8sObject, refs: Reference[]): void => {
    const stores = storesOf(index, namespaceOf(object));
    for (const ref of refs) {
      used.add(`${ref.kind}/${ref.name}`);
      const store = stores.get(`${ref.kind}/${ref.name}`);
      if (store === undefined) {
        if (!ref.optional) {
          out.push(
            violation(
              'config-refs',
              object,
              `${ref.where}: ${ref.kind} ${ref.name} does not exist (render it, or list it in kubernetes/external-secrets.json if the operator creates it)`,
            ),
          );
        }
        continue;
      }
      for (const key of ref.keys) {
        if (store.keys !== undefined && !store.keys.has(key))
          out.push(violation('config-refs', object, `${ref.where}: ${ref.kind} ${ref.name} has no key ${key}`));
      }
    }
  };
  for (const pod of index.pods) check(pod.owner, podReferences(pod));
  for (const object of index.objects) check(object, otherReferences(object));
  for (const ref of index.externalSecrets.keys()) {
    if (!used.has(ref))
      out.push({ rule: 'config-refs', object: ref, message: 'listed in kubernetes/external-secrets.json for this kustomization but nothing reads it' });
  }
  return out;
}

/** An Ingress routes to Services of its namespace, by a port those Services have. */
function ingressBackends(index: RenderIndex): Violation[] {
  const out: Violation[] = [];
  for (const ingress of index.objects.filter((o) => o.kind === 'Ingress')) {
    const spec = record(ingress.spec);
    const backends = [spec.defaultBackend, ...list(spec.rules).flatMap((rule) => list(record(rule.http).paths).map((path) => path.backend))].filter(
      (b) => b !== undefined,
    );
    for (const backend of backends.map(record)) {
      const service = record(backend.service);
      const name = text(service.name);
      if (name === undefined) continue; // a resource backend
      const target = index.objects.find((o) => o.kind === 'Service' && o.metadata.name === name && namespaceOf(o) === namespaceOf(ingress));
      const port = record(service.port);
      if (target === undefined) {
        out.push(violation('ingress-backends', ingress, `backend Service ${name} does not exist in namespace ${namespaceOf(ingress)}`));
      } else if (!list(record(target.spec).ports).some((p) => (port.name !== undefined ? p.name === port.name : p.port === port.number))) {
        out.push(violation('ingress-backends', ingress, `backend Service ${name} has no port ${String(port.name ?? port.number)}`));
      }
    }
  }
  return out;
}

/**
 * A ServiceMonitor selects Services, and a PodMonitor pods, in its namespace or its namespaceSelector's names, and
 * scrapes a port name each of them has. A monitor usually watches namespaces another kustomization renders
 * (kubernetes/monitoring watches the overlays'), so targets are looked up in every kustomization checked with this one.
 */
function monitorTargets(index: RenderIndex): Violation[] {
  const out: Violation[] = [];
  const everything = [...index.objects, ...index.context];
  const everyPod = [...index.pods, ...index.contextPods];
  for (const monitor of index.objects.filter((o) => o.kind === 'ServiceMonitor' || o.kind === 'PodMonitor')) {
    const spec = record(monitor.spec);
    const namespaces = record(spec.namespaceSelector);
    if (namespaces.any === true) continue;
    const names = Array.isArray(namespaces.matchNames) ? (namespaces.matchNames as string[]) : [namespaceOf(monitor)];
    const selector = selectorOf(spec.selector);
    // Each target: its reference and the port names it offers.
    const targets =
      monitor.kind === 'ServiceMonitor'
        ? everything
            .filter((o) => o.kind === 'Service' && names.includes(namespaceOf(o)) && selects(selector, labels(o.metadata.labels)))
            .map((service) => ({ ref: objectRef(service), ports: new Set(list(record(service.spec).ports).flatMap((p) => text(p.name) ?? [])) }))
        : everyPod
            .filter((pod) => names.includes(pod.namespace) && selects(selector, pod.labels))
            .map((pod) => ({ ref: objectRef(pod.owner), ports: containerPortNames(pod) }));
    if (targets.length === 0) {
      const what = monitor.kind === 'ServiceMonitor' ? 'Service' : 'pod';
      out.push(violation('monitor-targets', monitor, `selector ${describeSelector(selector)} selects no ${what} in ${names.join(', ')}`));
      continue;
    }
    for (const endpoint of list(monitor.kind === 'ServiceMonitor' ? spec.endpoints : spec.podMetricsEndpoints)) {
      const port = text(endpoint.port);
      if (port === undefined) continue;
      const lacking = targets.filter((t) => !t.ports.has(port)).map((t) => t.ref);
      if (lacking.length > 0)
        out.push(violation('monitor-targets', monitor, `endpoint port ${port} is not a port name of ${[...new Set(lacking)].join(', ')}`));
    }
  }
  return out;
}

/** One of the project's images (`ghcr.io/mithril-ts/<name>:<tag>`, `localhost/mithril-ts/<name>@sha256:…`): its name. */
const OUR_IMAGE = /(?:^|\/)mithril-ts\/([a-z0-9][a-z0-9._-]*)(?:[:@]|$)/;

interface EnvVariable {
  name: string;
  /** `` or ` (from ConfigMap x)`, for messages. */
  from: string;
}

/** The variables a container gets: `env` names, and the keys of the ConfigMaps and Secrets of its `envFrom` whose keys
 * are known (rendered, or listed in external-secrets.json), each with the envFrom's `prefix`. A missing one is
 * config-refs' to report; a Secret another controller fills has no known keys. */
function environmentOf(index: RenderIndex, pod: Pod, container: Container): EnvVariable[] {
  const variables = list(container.spec.env).map((env) => ({ name: text(env.name) ?? '', from: '' }));
  const stores = storesOf(index, pod.namespace);
  for (const envFrom of list(container.spec.envFrom)) {
    const prefix = text(envFrom.prefix) ?? '';
    for (const [kind, ref] of [
      ['ConfigMap', envFrom.configMapRef],
      ['Secret', envFrom.secretRef],
    ] as const) {
      const name = ref === undefined ? undefined : text(record(ref).name);
      const store = name === undefined ? undefined : stores.get(`${kind}/${name}`);
      for (const key of store?.keys ?? []) variables.push({ name: prefix + key, from: ` (from ${kind} ${name})` });
    }
  }
  return variables;
}

/** The name without its service prefix (the longest that matches) or, failing one, without `MITHRIL_`. */
function settingPart(name: string): string {
  const prefixes = [...SERVICE_SETTINGS.values()].map((s) => `${s.envPrefix}_`).filter((p) => name.startsWith(p));
  const longest = prefixes.sort((a, b) => b.length - a.length)[0] ?? 'MITHRIL_';
  return name.slice(longest.length);
}

/** The service's variable a wrong one most likely meant: close as a whole (a typo in the prefix) or after the prefixes
 * (a copy-paste from another service); undefined when nothing is close. */
function closestVariable(own: ServiceSettings, name: string): [string, string] | undefined {
  const part = settingPart(name);
  const scored = [...own.variables].map(([variable, key]) => ({
    variable,
    key,
    d: Math.min(distance(name, variable), distance(part, settingPart(variable))),
  }));
  const best = scored.sort((a, b) => a.d - b.d)[0];
  return best !== undefined && best.d <= Math.max(2, Math.floor(part.length / 4)) ? [best.variable, best.key] : undefined;
}

/**
 * Every `MITHRIL_` variable of a container running one of the project's images is a setting that image's service reads
 * (services/kit/src/config.ts: `<PREFIX>_<SETTING_SNAKE>`, or `<PREFIX>_CONFIG`): a service ignores variables it does
 * not know, so a misspelled one (`MITHRIL_AGGREGATOR_STORE_ULR`) or one copied from another service's manifest
 * silently leaves the default in force — a SQLite file in an emptyDir where a PostgreSQL URL was meant. Services are
 * known by image, never by prefix (MITHRIL_SIGNER_GATEWAY_DEADLINE_MS is the signer's). Other variables (NODE_OPTIONS,
 * OTEL_*) are not the services' settings and are left alone.
 */
function envSettings(index: RenderIndex): Violation[] {
  const out: Violation[] = [];
  for (const pod of index.pods) {
    for (const container of pod.containers) {
      const image = OUR_IMAGE.exec(text(container.spec.image) ?? '')?.[1];
      if (image === undefined) continue;
      const own = SERVICE_SETTINGS.get(image);
      for (const { name, from } of environmentOf(index, pod, container)) {
        if (!name.startsWith('MITHRIL_') || own?.variables.has(name)) continue;
        const variable = `${container.label} env ${name}${from}`;
        if (own === undefined) {
          out.push(violation('env-settings', pod.owner, `${variable} is read by nothing: image mithril-ts/${image} has no MITHRIL_ settings`));
          continue;
        }
        const owners = [...SERVICE_SETTINGS.values()].filter((s) => s.variables.has(name)).map((s) => s.image);
        const copied = owners.length > 0 ? `: it is ${owners.join(' and ')}'s, copied from another service?` : '';
        const closest = closestVariable(own, name);
        const hint = closest !== undefined ? `did you mean ${closest[0]} (setting ${closest[1]})?` : `its settings: ${own.schemaFile}`;
        out.push(violation('env-settings', pod.owner, `${variable} is not a setting of ${image}${copied} (${hint})`));
      }
    }
  }
  return out;
}

/** Kinds the API server keeps outside namespaces (those this project could plausibly render). */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'ClusterIssuer',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'CustomResourceDefinition',
  'IngressClass',
]);

/**
 * Every namespaced object names its namespace: without one, `kubectl apply -k` puts it in whatever namespace the
 * operator's kubectl context points at, away from the pods it belongs with (a component added by an outer overlay
 * escapes the inner overlay's `namespace:`, for one). All the objects of one kustomization share one namespace.
 */
function namespaced(index: RenderIndex): Violation[] {
  const out: Violation[] = [];
  const namespaces = new Set<string>();
  for (const object of index.objects) {
    if (CLUSTER_SCOPED.has(object.kind)) continue;
    if (object.metadata.namespace === undefined)
      out.push(violation('namespaced', object, "has no metadata.namespace: it would land in the kubectl context's namespace"));
    else namespaces.add(object.metadata.namespace);
  }
  if (namespaces.size > 1)
    out.push({ rule: 'namespaced', object: '(kustomization)', message: `objects are spread over namespaces ${[...namespaces].sort().join(', ')}` });
  return out;
}

/** The rules, by name (the name is printed with each violation). */
export const RULES: Record<string, (index: RenderIndex) => Violation[]> = {
  namespaced,
  'image-pinned': imagePinned,
  'selector-matches-template': selectorMatchesTemplate,
  probes,
  'probe-ports': probePorts,
  resources,
  'security-context': securityContext,
  'service-targets': serviceTargets,
  'hpa-targets': hpaTargets,
  'pdb-selects-pods': pdbSelectors,
  'network-policy-selects-pods': networkPolicies,
  'config-refs': configReferences,
  'env-settings': envSettings,
  'ingress-backends': ingressBackends,
  'monitor-targets': monitorTargets,
};

export function ruleViolations(index: RenderIndex): Violation[] {
  return Object.values(RULES).flatMap((rule) => rule(index));
}
