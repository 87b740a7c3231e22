/** The podman variant of a rendered overlay: what changes for `podman kube play`, and what does not. */
import type { K8sObject } from '../render.js';
import { VariantError, podmanVariant } from '../smoke/podman-variant.js';

const deployment = (name: string, container: Record<string, unknown>, volumes: unknown[] = [], extra: Record<string, unknown> = {}): K8sObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'ns' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name, tier: 'x' } },
      spec: {
        securityContext: { runAsUser: 10001, fsGroup: 10002 },
        containers: [{ name, image: `localhost/mithril-ts/${name}:0.1.0`, ...container }],
        volumes,
        ...extra,
      },
    },
  },
});

const service = (name: string, port: number, targetPort: number | string): K8sObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'ns' },
  spec: { selector: { app: name }, ports: [{ name: 'grpc', port, targetPort }] },
});

function overlay(): K8sObject[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: 'ns' },
      data: {
        GATEWAY_AGGREGATOR_ADDRESS: 'aggregator:7000',
        PUBLIC_URL: 'http://aggregator.ns.svc.cluster.local:7000/x',
        OTHER: 'aggregator-backup:7000 myaggregator:7000 aggregator',
        MITHRIL_DEVNET_TLS_DNS_NAMES: '{"aggregator":["aggregator.ns.svc"],"signer":[]}',
      },
    },
    { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'shared', namespace: 'ns' }, spec: { accessModes: ['ReadWriteOnce'] } },
    service('aggregator', 7000, 'grpc'),
    deployment(
      'aggregator',
      {
        imagePullPolicy: 'IfNotPresent',
        ports: [
          { name: 'grpc', containerPort: 50051 },
          { name: 'health', containerPort: 50060 },
        ],
        readinessProbe: { grpc: { port: 50060 } },
        livenessProbe: { grpc: { port: 50060 } },
        volumeMounts: [
          { name: 'tmp', mountPath: '/tmp' },
          { name: 'shared', mountPath: '/shared' },
        ],
      },
      [
        { name: 'tmp', emptyDir: {} },
        { name: 'shared', persistentVolumeClaim: { claimName: 'shared' } },
      ],
    ),
    deployment(
      'chain',
      {
        env: [
          { name: 'ADDRESS', value: 'aggregator.ns:7000' },
          { name: 'FROM_MAP', valueFrom: { configMapKeyRef: { name: 'settings', key: 'OTHER' } } },
        ],
        args: ['--peer', 'aggregator:7000'],
        ports: [{ name: 'health', containerPort: 8090 }],
        startupProbe: { httpGet: { path: '/health', port: 'health' } },
        volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
      },
      [
        { name: 'tmp', emptyDir: {} },
        { name: 'shared', persistentVolumeClaim: { claimName: 'shared', readOnly: true } },
      ],
    ),
  ];
}

const variantOf = (objects: K8sObject[], first?: string[]) => {
  let port = 20000;
  return podmanVariant(objects, { allocateHostPort: () => (port += 1), volumePrefix: 'run-', ...(first ? { first } : {}) });
};
const find = (objects: K8sObject[], kind: string, name: string): unknown => objects.find((o) => o.kind === kind && o.metadata.name === name);
/** The value at a dotted path (`spec.template.spec.containers.0`) of a parsed object. */
const at = (value: unknown, path: string): unknown => path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], value);
/** Sets the value at a dotted path. */
const put = (value: unknown, path: string, replacement: unknown): void => {
  const keys = path.split('.');
  (at(value, keys.slice(0, -1).join('.')) as Record<string, unknown>)[keys.at(-1)!] = replacement;
};

describe('podman variant', () => {
  it('replaces Service addresses by pod names and container ports, and adds the pod names to the devnet PKI', () => {
    const variant = variantOf(overlay());
    const data = at(find(variant.objects, 'ConfigMap', 'settings'), 'data') as Record<string, string>;
    expect(data.GATEWAY_AGGREGATOR_ADDRESS).toBe('aggregator-pod-0:50051');
    expect(data.PUBLIC_URL).toBe('http://aggregator-pod-0:50051/x');
    // Other names that merely contain the Service's, and a bare name without a port, are left alone.
    expect(data.OTHER).toBe('aggregator-backup:7000 myaggregator:7000 aggregator');
    expect(JSON.parse(data.MITHRIL_DEVNET_TLS_DNS_NAMES!)).toEqual({ aggregator: ['aggregator.ns.svc', 'aggregator-pod-0'], signer: [] });
    const chain = at(find(variant.objects, 'Deployment', 'chain'), 'spec.template.spec.containers.0');
    expect(at(chain, 'env.0.value')).toBe('aggregator-pod-0:50051');
    expect(at(chain, 'env.1')).toEqual({ name: 'FROM_MAP', valueFrom: { configMapKeyRef: { name: 'settings', key: 'OTHER' } } });
    expect(at(chain, 'args')).toEqual(['--peer', 'aggregator-pod-0:50051']);
    expect(variant.services.get('aggregator')).toEqual({ pod: 'aggregator-pod-0', ports: new Map([[7000, 50051]]) });
  });

  it('publishes every port on its own host port, moves the probes to the plan, pulls nothing', () => {
    const variant = variantOf(overlay());
    const aggregator = at(find(variant.objects, 'Deployment', 'aggregator'), 'spec.template.spec.containers.0');
    expect([at(aggregator, 'ports.0.hostPort'), at(aggregator, 'ports.1.hostPort')]).toEqual([20001, 20002]);
    expect(at(aggregator, 'imagePullPolicy')).toBe('Never');
    expect(at(aggregator, 'readinessProbe')).toBeUndefined();
    expect(at(aggregator, 'livenessProbe')).toBeUndefined();
    const plan = variant.pods.find((pod) => pod.deployment === 'aggregator')!.containers[0]!;
    expect(plan.podmanName).toBe('aggregator-pod-0-aggregator');
    expect(plan.hostPorts).toEqual(
      new Map([
        [50051, 20001],
        [50060, 20002],
      ]),
    );
    expect(plan.readinessProbe).toEqual({ grpc: { port: 50060 } });
    expect(variant.pods.find((pod) => pod.deployment === 'chain')!.containers[0]!.startupProbe).toEqual({ httpGet: { path: '/health', port: 'health' } });
  });

  it('gives each emptyDir its own volume and claims an owner and a name of the run', () => {
    const variant = variantOf(overlay());
    const aggregator = at(find(variant.objects, 'Deployment', 'aggregator'), 'spec.template.spec');
    expect(at(aggregator, 'volumes')).toEqual([
      { name: 'run-aggregator-tmp', emptyDir: {} },
      { name: 'shared', persistentVolumeClaim: { claimName: 'run-shared' } },
    ]);
    expect(at(aggregator, 'containers.0.volumeMounts.0')).toEqual({ name: 'run-aggregator-tmp', mountPath: '/tmp' });
    const claim = find(variant.objects, 'PersistentVolumeClaim', 'run-shared');
    expect(at(claim, 'metadata.annotations')).toEqual({ 'volume.podman.io/uid': '10001', 'volume.podman.io/gid': '10002' });
    expect(variant.volumes.sort()).toEqual(['run-aggregator-tmp', 'run-chain-tmp', 'run-shared']);
  });

  it('plays configuration, then claims, then the Deployments asked first; drops what podman does not run', () => {
    const variant = variantOf(overlay(), ['chain']);
    expect(variant.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ConfigMap/settings',
      'PersistentVolumeClaim/run-shared',
      'Deployment/chain',
      'Deployment/aggregator',
    ]);
    expect(variant.pods.map((pod) => pod.deployment)).toEqual(['chain', 'aggregator']);
    expect(variant.rewrites[0]).toMatch(/dropped 2 object\(s\).*Namespace, Service/);
  });

  it('leaves the rendered objects untouched', () => {
    const rendered = overlay();
    const before = JSON.stringify(rendered);
    variantOf(rendered);
    expect(JSON.stringify(rendered)).toBe(before);
  });

  it.each([
    ['a Service selecting no Deployment', (o: K8sObject[]) => o.push(service('nobody', 1, 1)), /selects 0 Deployments/],
    ['an address on a port the Service lacks', (o: K8sObject[]) => put(o[1], 'data.X', 'aggregator:7001'), /port 7001, which Service aggregator does not have/],
    ['two replicas', (o: K8sObject[]) => put(o[4], 'spec.replicas', 2), /2 replicas/],
    ['init containers', (o: K8sObject[]) => put(o[4], 'spec.template.spec.initContainers', [{ name: 'wait' }]), /init containers/],
    ['a claim the overlay does not define', (o: K8sObject[]) => o.splice(2, 1), /claim shared, which the overlay does not define/],
    ['a targetPort no container has', (o: K8sObject[]) => put(o[3], 'spec.ports.0.targetPort', 'nope'), /targetPort nope/],
    ['DNS names that are not JSON', (o: K8sObject[]) => put(o[1], 'data.MITHRIL_DEVNET_TLS_DNS_NAMES', '{'), /is not JSON/],
  ])('refuses %s', (_, breakIt, message) => {
    const objects = overlay();
    breakIt(objects);
    expect(() => variantOf(objects)).toThrow(VariantError);
    expect(() => variantOf(objects)).toThrow(message);
  });
});
