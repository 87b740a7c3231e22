// Each check fails on a manifest broken in the way it exists to catch: the fixture overlay (test/fixtures/kubernetes/
// overlays/good) is rendered once with the real kubectl, passes every check, then each test breaks one thing in a
// copy of the rendered objects and expects that check's message.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { checkObjects } from '../check.js';
import { ExternalSecretsError, loadExternalSecrets } from '../external-secrets.js';
import { ensureKubectl } from '../kubectl.js';
import { type K8sObject, RenderError, findKustomizations, parseObjects, renderKustomization } from '../render.js';
import { quantity } from '../rules.js';
import { SERVICE_SETTINGS } from '../service-settings.js';
import { formatViolation } from '../violation.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'kubernetes');

let kubectl: string;
let rendered: K8sObject[];
let externalSecrets: Map<string, string[]>;

beforeAll(async () => {
  kubectl = (await ensureKubectl()).path;
  rendered = await renderKustomization(kubectl, join(FIXTURES, 'overlays', 'good'));
  externalSecrets = loadExternalSecrets(FIXTURES).get('overlays/good') ?? new Map();
}, 180_000);

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests reach into rendered YAML

/** A copy of the rendered objects with one of them changed, and the formatted violations of the result. */
function violationsAfter(mutate: (find: (kind: string, name: string) => Json, objects: K8sObject[]) => void, secrets = externalSecrets): string[] {
  const objects = structuredClone(rendered);
  const find = (kind: string, name: string): Json => {
    const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
    if (found === undefined) throw new Error(`fixture has no ${kind}/${name}`);
    return found;
  };
  mutate(find, objects);
  return checkObjects(objects, secrets).map(formatViolation);
}

const apiContainer = (find: (kind: string, name: string) => Json): Json => find('Deployment', 'api').spec.template.spec.containers[0];

describe('the fixture overlay', () => {
  it('renders through kustomize (namespace, images and patches applied) and passes every check', () => {
    expect(rendered.map((o) => `${o.kind}/${o.metadata.name}`)).toContain('Deployment/api');
    const api = rendered.find((o) => o.kind === 'Deployment')!;
    expect(api.metadata.namespace).toBe('fixture');
    expect((api as Json).spec.template.spec.containers[0].image).toBe('example.org/api:1.2.4');
    expect((api as Json).spec.template.spec.containers[0].resources.limits.memory).toBe('384Mi');
    expect(checkObjects(rendered, externalSecrets)).toEqual([]);
  });

  it('is found by the discovery of kustomizations (overlays/*, examples/*, other top-level folders; not base/ or components/)', () => {
    expect(findKustomizations(FIXTURES)).toEqual([join(FIXTURES, 'overlays', 'good')]);
  });
});

describe('schemas', () => {
  it('types: a wrong type, with the path of the field', () => {
    expect(violationsAfter((find) => (find('Deployment', 'api').spec.strategy = { type: 'Sometimes' }))).toContainEqual(
      expect.stringMatching(/^Deployment\/api: spec\.strategy\.type must be equal to one of the allowed values .*\[types\]$/),
    );
    expect(violationsAfter((find) => (apiContainer(find).ports[0].containerPort = '8080'))).toContain(
      'Deployment/api: spec.template.spec.containers[0].ports[0].containerPort must be integer [types]',
    );
  });

  it('unknown-fields: a misspelled field, with its path and the field it meant', () => {
    expect(
      violationsAfter((find) => {
        apiContainer(find).imagePullPolcy = 'Always';
      }),
    ).toContain('Deployment/api: spec.template.spec.containers[0].imagePullPolcy is not a field (did you mean imagePullPolicy?) [unknown-fields]');
  });

  it('unknown-fields: a field in the wrong place (a container field at pod level), inside maps and arrays', () => {
    const violations = violationsAfter((find) => {
      find('Deployment', 'api').spec.template.spec.readinessProbe = { tcpSocket: { port: 'http' } };
      find('HorizontalPodAutoscaler', 'api').spec.metrics[0].resource.target.averageUtilisation = 70;
    });
    expect(violations).toContain('Deployment/api: spec.template.spec.readinessProbe is not a field [unknown-fields]');
    expect(violations).toContain(
      'HorizontalPodAutoscaler/api: spec.metrics[0].resource.target.averageUtilisation is not a field (did you mean averageUtilization?) [unknown-fields]',
    );
  });

  it('custom resources: strict schemas for cert-manager and ServiceMonitor fields', () => {
    const violations = violationsAfter((find) => {
      find('Certificate', 'api').spec.dnsName = ['api'];
      find('Issuer', 'internal-ca').spec.selfSigned = {};
      delete find('ServiceMonitor', 'api').spec.endpoints;
    });
    expect(violations).toContain('Certificate/api: spec.dnsName is not a field [types]');
    expect(violations).toContain('Issuer/internal-ca: spec: an Issuer needs exactly one of selfSigned, ca, acme [types]');
    expect(violations).toContainEqual(expect.stringMatching(/^ServiceMonitor\/api: spec\.endpoints: .*\[types\]$/));
  });

  it('an object of a kind with no schema is a violation, not skipped', () => {
    expect(
      violationsAfter((_find, objects) => {
        objects.push({ apiVersion: 'example.org/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'fixture' } });
      }),
    ).toContainEqual(expect.stringMatching(/^Widget\/w: no schema for example\.org\/v1 Widget: .*\[types\]$/));
  });
});

describe('project rules', () => {
  it('image-pinned: no tag, latest, a registry port mistaken for a tag, a bad digest', () => {
    const images = (image: string): string[] => violationsAfter((find) => (apiContainer(find).image = image));
    expect(images('example.org/api')).toContain(
      'Deployment/api: container api image example.org/api has no tag (it would pull latest): pin a version or a digest [image-pinned]',
    );
    expect(images('example.org/api:latest')).toContain(
      'Deployment/api: container api image example.org/api:latest is tagged latest: pin a version or a digest [image-pinned]',
    );
    expect(images('example.org:5000/api')).toContain(
      'Deployment/api: container api image example.org:5000/api has no tag (it would pull latest): pin a version or a digest [image-pinned]',
    );
    expect(images('example.org/api@sha256:1234')).toContain(
      'Deployment/api: container api image example.org/api@sha256:1234 has a malformed digest [image-pinned]',
    );
    expect(images('example.org:5000/api:1.2.4')).toEqual([]);
  });

  it('selector-matches-template: a template relabelled away from its selector', () => {
    expect(violationsAfter((find) => (find('StatefulSet', 'db').spec.template.metadata.labels['app.kubernetes.io/name'] = 'database'))).toContain(
      "StatefulSet/db: spec.selector {app.kubernetes.io/name=db} does not match the template's labels {app.kubernetes.io/name=database} [selector-matches-template]",
    );
  });

  it('probes: a container without a readiness probe; a Job without a deadline', () => {
    expect(violationsAfter((find) => delete apiContainer(find).readinessProbe)).toContain('Deployment/api: container api has no readinessProbe [probes]');
    expect(
      violationsAfter((find) => {
        delete find('StatefulSet', 'db').spec.template.spec.containers[0].startupProbe;
        delete find('StatefulSet', 'db').spec.template.spec.containers[0].livenessProbe;
      }),
    ).toContain('StatefulSet/db: container db has no startupProbe, livenessProbe [probes]');
    expect(violationsAfter((find) => delete find('Job', 'migrate').spec.activeDeadlineSeconds)).toContain(
      'Job/migrate: a Job has no probes: set activeDeadlineSeconds so that a hung run is stopped [probes]',
    );
  });

  it('probe-ports: a probe on a port name or number the container does not declare', () => {
    expect(violationsAfter((find) => (apiContainer(find).startupProbe.httpGet.port = 'htp'))).toContain(
      'Deployment/api: container api startupProbe.httpGet.port htp is not one of its port names [http, metrics, health] [probe-ports]',
    );
    expect(violationsAfter((find) => (apiContainer(find).readinessProbe.grpc.port = 50061))).toContain(
      'Deployment/api: container api readinessProbe.grpc.port 50061 is not one of its containerPorts [probe-ports]',
    );
  });

  it('resources: a missing limit, a request above its limit, a malformed quantity (init containers too)', () => {
    expect(violationsAfter((find) => delete find('StatefulSet', 'db').spec.template.spec.initContainers[0].resources.limits.cpu)).toContain(
      'StatefulSet/db: init container init-permissions has no resources.limits.cpu [resources]',
    );
    expect(violationsAfter((find) => (apiContainer(find).resources.requests.memory = '1Gi'))).toContain(
      'Deployment/api: container api requests more memory than its limit [resources]',
    );
    expect(violationsAfter((find) => (apiContainer(find).resources.requests.cpu = 'lots'))).toContain(
      'Deployment/api: container api resources.requests.cpu "lots" is not a quantity [resources]',
    );
  });

  it('security-context: each setting, with the container overriding the pod', () => {
    const violations = violationsAfter((find) => {
      const container = apiContainer(find);
      container.securityContext = { runAsNonRoot: false, runAsUser: 0, privileged: true, capabilities: { add: ['NET_ADMIN'] } };
    });
    for (const problem of [
      'runAsNonRoot must be true (pod or container securityContext)',
      'runAsUser must not be 0',
      'securityContext.allowPrivilegeEscalation must be false',
      'securityContext.privileged must not be true',
      'securityContext.readOnlyRootFilesystem must be true',
      'securityContext.capabilities.drop must include ALL',
      'securityContext.capabilities.add must be empty (has NET_ADMIN)',
    ]) {
      expect(violations).toContain(`Deployment/api: container api: ${problem} [security-context]`);
    }
    expect(violationsAfter((find) => delete find('Deployment', 'api').spec.template.spec.securityContext.runAsNonRoot)).toContain(
      'Deployment/api: container api: runAsNonRoot must be true (pod or container securityContext) [security-context]',
    );
  });

  it('service-targets: a selector that selects nothing, a numeric targetPort, a port name no pod declares', () => {
    expect(violationsAfter((find) => (find('Service', 'db').spec.selector = { 'app.kubernetes.io/name': 'postgres' }))).toContain(
      "Service/db: selector {app.kubernetes.io/name=postgres} selects no Deployment's or StatefulSet's pods in namespace fixture [service-targets]",
    );
    expect(violationsAfter((find) => (find('Service', 'db').spec.ports[0].targetPort = 5432))).toContain(
      'Service/db: port sql: targetPort 5432: target a named container port [service-targets]',
    );
    expect(violationsAfter((find) => (find('Service', 'api').spec.ports[1].targetPort = 'prometheus'))).toContain(
      'Service/api: port metrics: targetPort prometheus is not a container port name of Deployment/api [service-targets]',
    );
  });

  it('hpa-targets: a missing target; a target that sets replicas', () => {
    expect(violationsAfter((find) => (find('HorizontalPodAutoscaler', 'api').spec.scaleTargetRef.name = 'apl'))).toContain(
      'HorizontalPodAutoscaler/api: scaleTargetRef apps/v1 Deployment/apl is not a Deployment or StatefulSet in namespace fixture [hpa-targets]',
    );
    expect(violationsAfter((find) => (find('Deployment', 'api').spec.replicas = 3))).toContain(
      'HorizontalPodAutoscaler/api: Deployment/api sets spec.replicas, which each kubectl apply would reset under the autoscaler: remove it [hpa-targets]',
    );
  });

  it('pdb-selects-pods: a selector that selects nothing; a budget that allows no eviction', () => {
    expect(violationsAfter((find) => (find('PodDisruptionBudget', 'api').spec.selector.matchLabels = { app: 'api' }))).toContain(
      "PodDisruptionBudget/api: selector {app=api} selects no workload's pods in namespace fixture [pdb-selects-pods]",
    );
    expect(violationsAfter((find) => (find('PodDisruptionBudget', 'api').spec.minAvailable = 2))).toContain(
      'PodDisruptionBudget/api: allows no eviction of its 2 pod(s) (minAvailable 2, maxUnavailable undefined): node drains would hang [pdb-selects-pods]',
    );
  });

  it('network-policy-selects-pods: the protected pods, a peer, a named port', () => {
    const violations = violationsAfter((find) => {
      const policy = find('NetworkPolicy', 'db-from-api-only');
      policy.spec.ingress[0].from[0].podSelector.matchLabels['app.kubernetes.io/name'] = 'apl';
      policy.spec.ingress[0].ports[0].port = 'postgres';
    });
    expect(violations).toContain(
      'NetworkPolicy/db-from-api-only: ingress[0].from[0].podSelector {app.kubernetes.io/name=apl} selects no pods in namespace fixture [network-policy-selects-pods]',
    );
    expect(violations).toContain(
      'NetworkPolicy/db-from-api-only: ingress[0] port postgres is not a container port name of StatefulSet/db [network-policy-selects-pods]',
    );
    expect(violationsAfter((find) => (find('NetworkPolicy', 'db-from-api-only').spec.podSelector.matchLabels['app.kubernetes.io/name'] = 'dbs'))).toContain(
      'NetworkPolicy/db-from-api-only: podSelector {app.kubernetes.io/name=dbs} selects no pods in namespace fixture [network-policy-selects-pods]',
    );
  });

  it('config-refs: a missing Secret, a missing key, an Ingress TLS Secret, a stale external entry; optional refs may be absent', () => {
    const secretsWithout = (name: string): Map<string, string[]> => new Map([...externalSecrets].filter(([ref]) => ref !== `Secret/${name}`));
    expect(violationsAfter(() => undefined, secretsWithout('api-database'))).toContain(
      'Deployment/api: container api env API_DATABASE_URL: Secret api-database does not exist (render it, or list it in kubernetes/external-secrets.json if the operator creates it) [config-refs]',
    );
    expect(violationsAfter(() => undefined, secretsWithout('api-public-tls'))).toContainEqual(
      expect.stringMatching(/^Ingress\/api: spec\.tls: Secret api-public-tls does not exist/),
    );
    expect(
      violationsAfter(
        (find) => (find('Ingress', 'api').metadata.annotations = { 'cert-manager.io/cluster-issuer': 'letsencrypt' }),
        secretsWithout('api-public-tls'),
      ),
    ).toEqual([]);
    const configMapName = (find: (kind: string, name: string) => Json): string => apiContainer(find).envFrom[0].configMapRef.name as string;
    expect(
      violationsAfter((find) => {
        find('Job', 'migrate').spec.template.spec.containers[0].env.push({
          name: 'API_PORT',
          valueFrom: { configMapKeyRef: { name: configMapName(find), key: 'API_PROT' } },
        });
      }),
    ).toContainEqual(expect.stringMatching(/^Job\/migrate: container migrate env API_PORT: ConfigMap api-settings-\w+ has no key API_PROT \[config-refs\]$/));
    expect(violationsAfter((find) => (find('Deployment', 'api').spec.template.spec.volumes[0].secret.items[1].key = 'tls.pem'))).toContain(
      'Deployment/api: volume tls: Secret api-tls has no key tls.pem [config-refs]',
    );
    expect(violationsAfter(() => undefined, new Map([...externalSecrets, ['Secret/api-s3', ['access-key']]]))).toContain(
      'Secret/api-s3: listed in kubernetes/external-secrets.json for this kustomization but nothing reads it [config-refs]',
    );
    expect(violationsAfter((find) => (find('Job', 'migrate').spec.template.spec.containers[0].env[1].valueFrom.configMapKeyRef.optional = false))).toContain(
      'Job/migrate: container migrate env API_FEATURE_FLAGS: ConfigMap api-flags does not exist (render it, or list it in kubernetes/external-secrets.json if the operator creates it) [config-refs]',
    );
    expect(
      violationsAfter(
        (find) => (find('Job', 'migrate').spec.template.spec.containers[0].env[1].valueFrom.configMapKeyRef.optional = false),
        new Map([...externalSecrets, ['ConfigMap/api-flags', ['flags']]]),
      ),
    ).toEqual([]);
  });

  it('env-settings: a misspelled setting names the variable, the container and the closest setting', () => {
    const genesis = (find: (kind: string, name: string) => Json): Json => find('Job', 'genesis').spec.template.spec.containers[0];
    expect(violationsAfter((find) => genesis(find).env.push({ name: 'MITHRIL_AGGREGATOR_STORE_ULR', value: 'postgresql://db/mithril' }))).toEqual([
      'Job/genesis: container genesis env MITHRIL_AGGREGATOR_STORE_ULR is not a setting of aggregator (did you mean MITHRIL_AGGREGATOR_STORE_URL (setting storeUrl)?) [env-settings]',
    ]);
    // A typo in the prefix itself; a name close to nothing points at the schema.
    expect(violationsAfter((find) => genesis(find).env.push({ name: 'MITHRIL_AGGREGATR_NETWORK', value: 'x' }))).toContain(
      'Job/genesis: container genesis env MITHRIL_AGGREGATR_NETWORK is not a setting of aggregator (did you mean MITHRIL_AGGREGATOR_NETWORK (setting network)?) [env-settings]',
    );
    expect(violationsAfter((find) => genesis(find).env.push({ name: 'MITHRIL_AGGREGATOR_EVERYTHING', value: 'x' }))).toContain(
      'Job/genesis: container genesis env MITHRIL_AGGREGATOR_EVERYTHING is not a setting of aggregator (its settings: services/aggregator/src/config.ts) [env-settings]',
    );
  });

  it("env-settings: keys of envFrom ConfigMaps (with envFrom's prefix) and of external Secrets", () => {
    expect(
      violationsAfter((_find, objects) => {
        objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('aggregator-settings-'))!.data = { MITHRIL_AGGREGATOR_LOG_LEVLE: 'info' };
      }),
    ).toEqual([
      expect.stringMatching(
        /^Job\/genesis: container genesis env MITHRIL_AGGREGATOR_LOG_LEVLE \(from ConfigMap aggregator-settings-\w+\) is not a setting of aggregator \(did you mean MITHRIL_AGGREGATOR_LOG_LEVEL \(setting logLevel\)\?\) \[env-settings\]$/,
      ),
    ]);
    expect(
      violationsAfter((find) => {
        const configMapRef = find('Job', 'genesis').spec.template.spec.containers[0].envFrom[0];
        configMapRef.prefix = 'MITHRIL_';
      }),
    ).toContainEqual(
      expect.stringMatching(/^Job\/genesis: container genesis env MITHRIL_MITHRIL_AGGREGATOR_NETWORK \(from ConfigMap aggregator-settings-\w+\) is not/),
    );
    expect(violationsAfter(() => undefined, new Map([...externalSecrets, ['Secret/aggregator-store', ['MITHRIL_AGGREGATOR_STORE_URI']]]))).toEqual([
      'Job/genesis: container genesis env MITHRIL_AGGREGATOR_STORE_URI (from Secret aggregator-store) is not a setting of aggregator (did you mean MITHRIL_AGGREGATOR_STORE_URL (setting storeUrl)?) [env-settings]',
    ]);
  });

  it("env-settings: another service's variable is a copy-paste; services are known by image, not by prefix", () => {
    const genesis = (find: (kind: string, name: string) => Json): Json => find('Job', 'genesis').spec.template.spec.containers[0];
    expect(violationsAfter((find) => genesis(find).env.push({ name: 'MITHRIL_SIGNER_STORE_URL', value: 'x' }))).toEqual([
      "Job/genesis: container genesis env MITHRIL_SIGNER_STORE_URL is not a setting of aggregator: it is signer's, copied from another service? (did you mean MITHRIL_AGGREGATOR_STORE_URL (setting storeUrl)?) [env-settings]",
    ]);
    // MITHRIL_SIGNER_GATEWAY_DEADLINE_MS is the signer's gatewayDeadlineMs; MITHRIL_SIGNER_GATEWAY_PORT the signer gateway's port.
    const runAs = (image: string) => (find: (kind: string, name: string) => Json) => {
      Object.assign(genesis(find), {
        image,
        envFrom: [{ configMapRef: { name: 'signer-settings' } }],
        env: [
          { name: 'MITHRIL_SIGNER_GATEWAY_DEADLINE_MS', value: '5000' },
          { name: 'MITHRIL_SIGNER_GATEWAY_PORT', value: '50052' },
        ],
      });
    };
    const secrets = new Map([
      ...[...externalSecrets].filter(([ref]) => ref !== 'Secret/aggregator-store'),
      ['ConfigMap/signer-settings', ['MITHRIL_SIGNER_LOG_LEVEL']],
    ]);
    expect(violationsAfter(runAs('ghcr.io/mithril-ts/signer:0.1.0'), secrets)).toEqual([
      "Job/genesis: container genesis env MITHRIL_SIGNER_GATEWAY_PORT is not a setting of signer: it is signer-gateway's, copied from another service? (its settings: services/signer/src/config.ts) [env-settings]",
    ]);
    expect(violationsAfter(runAs('localhost/mithril-ts/signer-gateway@sha256:' + '0'.repeat(64)), secrets)).toEqual([
      "Job/genesis: container genesis env MITHRIL_SIGNER_GATEWAY_DEADLINE_MS is not a setting of signer-gateway: it is signer's, copied from another service? (its settings: services/signer-gateway/src/config.ts) [env-settings]",
      "Job/genesis: container genesis env MITHRIL_SIGNER_LOG_LEVEL (from ConfigMap signer-settings) is not a setting of signer-gateway: it is signer's, copied from another service? (did you mean MITHRIL_SIGNER_GATEWAY_LOG_LEVEL (setting logLevel)?) [env-settings]",
    ]);
  });

  it("env-settings: generic variables anywhere, and anything in other images, are not the services' business", () => {
    expect(
      violationsAfter((find) => find('Job', 'genesis').spec.template.spec.containers[0].env.push({ name: 'OTEL_SERVICE_NAME', value: 'genesis' })),
    ).toEqual([]);
    expect(violationsAfter((find) => apiContainer(find).env.push({ name: 'MITHRIL_AGGREGATOR_STORE_ULR', value: 'x' }))).toEqual([]);
    expect(
      violationsAfter((find) =>
        Object.assign(find('Job', 'genesis').spec.template.spec.containers[0], {
          image: 'ghcr.io/mithril-ts/client:0.1.0',
          envFrom: [{ secretRef: { name: 'aggregator-store' } }],
        }),
      ),
    ).toEqual([
      'Job/genesis: container genesis env MITHRIL_AGGREGATOR_CHAIN_DIRECTORY is read by nothing: image mithril-ts/client has no MITHRIL_ settings [env-settings]',
      'Job/genesis: container genesis env MITHRIL_AGGREGATOR_CONFIG is read by nothing: image mithril-ts/client has no MITHRIL_ settings [env-settings]',
      'Job/genesis: container genesis env MITHRIL_AGGREGATOR_STORE_URL (from Secret aggregator-store) is read by nothing: image mithril-ts/client has no MITHRIL_ settings [env-settings]',
    ]);
  });

  it("env-settings: each image's prefix is the one its service's loader reads", () => {
    expect([...SERVICE_SETTINGS.keys()].sort()).toEqual(['aggregator', 'certifier', 'devnet-chain', 'rest-gateway', 'signer', 'signer-gateway', 'snapshotter']);
    for (const settings of SERVICE_SETTINGS.values()) {
      const file = `/nonexistent/${settings.image}.json`;
      expect(() => settings.load([], { [`${settings.envPrefix}_CONFIG`]: file })).toThrow(`cannot read configuration file ${file}`);
    }
  });

  it('ingress-backends: a missing Service, a port the Service does not have', () => {
    const backend = (find: (kind: string, name: string) => Json): Json => find('Ingress', 'api').spec.rules[0].http.paths[0].backend.service;
    expect(violationsAfter((find) => (backend(find).name = 'apis'))).toContain(
      'Ingress/api: backend Service apis does not exist in namespace fixture [ingress-backends]',
    );
    expect(violationsAfter((find) => (backend(find).port = { name: 'https' }))).toContain(
      'Ingress/api: backend Service api has no port https [ingress-backends]',
    );
  });

  it('monitor-targets: a selector that selects no Service or pod, an endpoint port they do not name', () => {
    expect(violationsAfter((find) => (find('ServiceMonitor', 'api').spec.selector.matchLabels = { app: 'api' }))).toContain(
      'ServiceMonitor/api: selector {app=api} selects no Service in fixture [monitor-targets]',
    );
    expect(violationsAfter((find) => (find('ServiceMonitor', 'api').spec.endpoints[0].port = 'http-metrics'))).toContain(
      'ServiceMonitor/api: endpoint port http-metrics is not a port name of Service/api [monitor-targets]',
    );
    expect(violationsAfter((find) => (find('PodMonitor', 'api-pods').spec.selector.matchLabels = { app: 'api' }))).toContain(
      'PodMonitor/api-pods: selector {app=api} selects no pod in fixture [monitor-targets]',
    );
    expect(violationsAfter((find) => (find('PodMonitor', 'api-pods').spec.podMetricsEndpoints[0].port = 'prometheus'))).toContain(
      'PodMonitor/api-pods: endpoint port prometheus is not a port name of Deployment/api [monitor-targets]',
    );
  });

  it("monitor-targets: a monitor in its own kustomization finds its targets in the others' (and only there)", () => {
    const monitor = structuredClone(rendered.find((o) => o.kind === 'ServiceMonitor')!) as Json;
    monitor.metadata.namespace = 'monitoring';
    monitor.spec.namespaceSelector = { matchNames: ['fixture'] };
    expect(checkObjects([monitor as K8sObject], new Map(), rendered)).toEqual([]);
    expect(checkObjects([monitor as K8sObject]).map(formatViolation)).toContain(
      'ServiceMonitor/api: selector {app.kubernetes.io/name=api} selects no Service in fixture [monitor-targets]',
    );
  });

  it('namespaced: an object without a namespace; objects spread over namespaces', () => {
    expect(violationsAfter((find) => delete find('NetworkPolicy', 'db-from-api-only').metadata.namespace)).toContain(
      "NetworkPolicy/db-from-api-only: has no metadata.namespace: it would land in the kubectl context's namespace [namespaced]",
    );
    expect(violationsAfter((find) => (find('Job', 'migrate').metadata.namespace = 'other'))).toContain(
      '(kustomization): objects are spread over namespaces fixture, other [namespaced]',
    );
  });

  it('quantities: the units manifests use', () => {
    expect(quantity('250m', 'cpu')).toBeCloseTo(0.25);
    expect(quantity('2', 'cpu')).toBe(2);
    expect(quantity('256Mi', 'memory')).toBe(256 * 1024 * 1024);
    expect(quantity('1G', 'memory')).toBe(1e9);
    expect(quantity('1Mi', 'cpu')).toBeUndefined();
    expect(quantity('lots', 'memory')).toBeUndefined();
  });
});

describe('rendering and inputs', () => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'k8scheck-'));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it('a kustomization that does not build fails with kubectl error text', async () => {
    writeFileSync(join(work, 'kustomization.yaml'), 'resources:\n  - missing.yaml\n');
    await expect(renderKustomization(kubectl, work)).rejects.toThrow(RenderError);
    await expect(renderKustomization(kubectl, work)).rejects.toThrow(/missing\.yaml/);
  });

  it('YAML that is not a Kubernetes object is refused', () => {
    expect(() => parseObjects('apiVersion: v1\nkind: ConfigMap\n', 'x')).toThrow('x: document 0 has no apiVersion, kind or metadata.name');
    expect(() => parseObjects('- a\n', 'x')).toThrow('x: document 0 is not a mapping');
    expect(() => parseObjects('a: [\n', 'x')).toThrow(RenderError);
  });

  it('kustomizations are found in overlays/*, examples/* and other top-level folders, not in base/ or components/', () => {
    for (const dir of ['base', 'components/extra', 'overlays/a', 'overlays/not-one', 'examples/b', 'monitoring', 'docs'])
      mkdirSync(join(work, dir), { recursive: true });
    for (const dir of ['base', 'components/extra', 'overlays/a', 'examples/b', 'monitoring'])
      writeFileSync(join(work, dir, 'kustomization.yaml'), 'resources: []\n');
    expect(findKustomizations(work).map((dir) => dir.slice(work.length + 1))).toEqual(['examples/b', 'monitoring', 'overlays/a']);
  });

  it('a malformed external-secrets.json is refused with the file and the problem', () => {
    writeFileSync(
      join(work, 'external-secrets.json'),
      JSON.stringify({ secrets: [{ name: 'Bad_Name', kustomizations: ['overlays/x'], keys: ['url'], purpose: 'the database' }] }),
    );
    expect(() => loadExternalSecrets(work)).toThrow(ExternalSecretsError);
    expect(() => loadExternalSecrets(work)).toThrow(/external-secrets\.json: .*lowercase DNS subdomain/s);
  });

  it('the pinned kubectl is the version its pin says', async () => {
    const { stdout } = await promisify(execFile)(kubectl, ['version', '--client']);
    if (process.env.MITHRIL_KUBECTL === undefined) expect(stdout).toContain('Client Version: v1.33.9');
    expect(stdout).toMatch(/Kustomize Version: v5\./);
  });
});
