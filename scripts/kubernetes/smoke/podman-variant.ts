// The podman variant of a rendered overlay: the same Deployments, ConfigMaps, Secrets and volume claims, with the
// few changes `podman kube play` (4.3, the version Debian ships) needs to run them on one machine. Every change is
// listed in `rewrites` with its reason, and the smoke run prints that list, so what is proven is the manifests
// themselves: env variable names and values, args, images, ports, mounts and security contexts are left alone except
// where a rewrite below says otherwise.
//
// What podman 4.3 does differently from a cluster (measured on this machine; kubernetes/README.md, "Smoke run"):
// - Services do not exist: no cluster DNS, no virtual IPs. Each pod is reachable by its pod name,
//   `<deployment>-pod-0`, through aardvark-dns on the podman-default-kube-network. So addresses `<service>:<port>`
//   (and the `<service>.<namespace>[.svc[.cluster.local]]` forms) become `<pod>:<containerPort>`, and the devnet
//   PKI's certificates must name the pods too (MITHRIL_DEVNET_TLS_DNS_NAMES gains each pod name).
// - Every containerPort is published on the host, on hostPort = containerPort when none is given: two pods declaring
//   9464 collide. Every port gets a distinct free host port, which is also how the host reaches the pods.
// - Probes: readiness and startup probes are ignored, gRPC probes are ignored, and exec/httpGet/tcpSocket liveness
//   probes become podman healthchecks (httpGet as a shell `curl` command inside the container, which a shell-less
//   image lacks) scheduled by systemd timers (absent here). They are removed from the played YAML and performed by
//   the smoke run itself from the host, as the kubelet would: the probes tested are the manifests' own.
// - An emptyDir is a named volume called after the pod's volume name, shared by every pod (and every concurrent
//   play) using that name: each gets a unique name.
// - fsGroup is ignored: a volume mounted where the image has no directory is root-owned 0755. Volume claims get
//   podman's volume.podman.io/uid and gid annotations from the fsGroup/runAsUser of the pods mounting them.
// - imagePullPolicy becomes Never: the images are local (`npm run images`), nothing may be pulled.
import type { K8sObject } from '../render.js';

export interface Probe {
  grpc?: { port: number; service?: string };
  httpGet?: { path?: string; port: number | string; scheme?: string };
  tcpSocket?: { port: number | string };
  exec?: { command: string[] };
  periodSeconds?: number;
  failureThreshold?: number;
  timeoutSeconds?: number;
}

export interface ContainerPlan {
  /** The container's name in the manifest. */
  name: string;
  /** Its podman name: `<pod>-<container>`. */
  podmanName: string;
  /** containerPort → host port; port names resolve through `portNames`. */
  hostPorts: Map<number, number>;
  portNames: Map<string, number>;
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
}

export interface PodPlan {
  deployment: string;
  pod: string;
  containers: ContainerPlan[];
}

export interface PodmanVariant {
  /** What to give `podman kube play`, in order: configuration, volume claims, then the Deployments. */
  objects: K8sObject[];
  pods: PodPlan[];
  /** Service name → the pod behind it and its ports (Service port → container port). */
  services: Map<string, { pod: string; ports: Map<number, number> }>;
  /** Every named volume the play creates (claims and emptyDirs), to remove after `podman kube down`. */
  volumes: string[];
  rewrites: string[];
}

export interface VariantOptions {
  /** A free host port for each published container port (called once per container port, in manifest order). */
  allocateHostPort: () => number;
  /** Prefix of every volume name, so that the play's volumes are its own. */
  volumePrefix: string;
  /** Deployments played first (their pods start first), e.g. the devnet chain that writes what the others read. */
  first?: readonly string[];
}

export class VariantError extends Error {
  override name = 'VariantError';
}

const PLAYED_KINDS = new Set(['ConfigMap', 'Secret', 'PersistentVolumeClaim', 'Deployment']);

type Json = Record<string, unknown>;
const record = (value: unknown): Json => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {});
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.map(record) : []);

interface PodSpec {
  containers?: Json[];
  initContainers?: Json[];
  volumes?: Json[];
  securityContext?: Json;
}

const podSpecOf = (deployment: K8sObject): PodSpec => record(record(record(deployment.spec).template).spec) as PodSpec;
const templateLabels = (deployment: K8sObject): Record<string, string> =>
  (record(record(record(deployment.spec).template).metadata).labels as Record<string, string> | undefined) ?? {};

/** The pod `podman kube play` makes of a one-replica Deployment. */
export const podNameOf = (deployment: string) => `${deployment}-pod-0`;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function podmanVariant(rendered: readonly K8sObject[], options: VariantOptions): PodmanVariant {
  const objects: K8sObject[] = structuredClone(rendered as K8sObject[]);
  const rewrites: string[] = [];
  const dropped = objects.filter((object) => !PLAYED_KINDS.has(object.kind));
  if (dropped.length > 0) {
    const kinds = [...new Set(dropped.map((object) => object.kind))].sort();
    rewrites.push(
      `dropped ${dropped.length} object(s) of kinds podman kube play does not run or needs not (${kinds.join(', ')}); Services are replaced by pod names`,
    );
  }
  const deployments = objects.filter((object) => object.kind === 'Deployment');
  const configMaps = objects.filter((object) => object.kind === 'ConfigMap');
  const claims = objects.filter((object) => object.kind === 'PersistentVolumeClaim');

  // Services → the one Deployment each selects, and their ports → container ports.
  const services = new Map<string, { pod: string; ports: Map<number, number> }>();
  const serviceNames: { name: string; namespace: string | undefined }[] = [];
  for (const service of rendered.filter((object) => object.kind === 'Service')) {
    const spec = record(service.spec);
    const selector = record(spec.selector) as Record<string, string>;
    const matches = deployments.filter((deployment) => {
      const labels = templateLabels(deployment);
      return Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels[key] === value);
    });
    if (matches.length !== 1) {
      throw new VariantError(
        `Service ${service.metadata.name} selects ${matches.length} Deployments (${matches.map((d) => d.metadata.name).join(', ') || 'none'}): a pod name can stand for one only`,
      );
    }
    const deployment = matches[0]!;
    const containers = podSpecOf(deployment).containers ?? [];
    const ports = new Map<number, number>();
    for (const port of list(spec.ports)) {
      const target = port.targetPort ?? port.port;
      let containerPort: number | undefined;
      if (typeof target === 'number') containerPort = target;
      else {
        for (const container of containers) {
          const found = list(container.ports).find((p) => p.name === target);
          if (found !== undefined) containerPort = Number(found.containerPort);
        }
      }
      if (containerPort === undefined)
        throw new VariantError(`Service ${service.metadata.name}: targetPort ${String(target)} is no port of Deployment ${deployment.metadata.name}`);
      ports.set(Number(port.port), containerPort);
    }
    services.set(service.metadata.name, { pod: podNameOf(deployment.metadata.name), ports });
    serviceNames.push({ name: service.metadata.name, namespace: service.metadata.namespace });
  }

  // Addresses: `<service>[.<namespace>[.svc[.cluster.local]]]:<port>` → `<pod>:<containerPort>`.
  const replacements = serviceNames.map(({ name, namespace }) => {
    const suffix = namespace === undefined ? '' : `(?:\\.${escapeRegExp(namespace)}(?:\\.svc(?:\\.cluster\\.local)?)?)?`;
    return { name, pattern: new RegExp(`(?<![\\w.-])${escapeRegExp(name)}${suffix}:(\\d+)(?!\\d)`, 'g') };
  });
  const rewriteAddresses = (text: string, where: string): string => {
    let result = text;
    for (const { name, pattern } of replacements) {
      const target = services.get(name)!;
      result = result.replace(pattern, (match, port: string) => {
        const containerPort = target.ports.get(Number(port));
        if (containerPort === undefined) throw new VariantError(`${where}: ${match} names port ${port}, which Service ${name} does not have`);
        return `${target.pod}:${containerPort}`;
      });
    }
    if (result !== text) rewrites.push(`${where}: ${text} → ${result} (pod name instead of the Service)`);
    return result;
  };

  // The devnet PKI's DNS names: each name listed gains the pod name of the Service of that name.
  const addPodNames = (text: string, where: string): string => {
    let names: Record<string, string[]>;
    try {
      names = JSON.parse(text) as Record<string, string[]>;
    } catch (error) {
      throw new VariantError(`${where} is not JSON: ${(error as Error).message}`);
    }
    const added: string[] = [];
    for (const identity of Object.keys(names)) {
      const service = services.get(identity);
      if (service === undefined || names[identity]!.includes(service.pod)) continue;
      names[identity] = [...names[identity]!, service.pod];
      added.push(`${identity} → ${service.pod}`);
    }
    if (added.length > 0) rewrites.push(`${where}: certificates also name the pods (${added.join(', ')})`);
    return JSON.stringify(names);
  };
  const rewriteSetting = (key: string, value: string, where: string) =>
    key.endsWith('_TLS_DNS_NAMES') ? addPodNames(value, where) : rewriteAddresses(value, where);

  for (const configMap of configMaps) {
    const data = record(configMap.data) as Record<string, string>;
    for (const [key, value] of Object.entries(data)) data[key] = rewriteSetting(key, value, `ConfigMap ${configMap.metadata.name} ${key}`);
  }

  // Volume claims: podman's ownership annotations from the pods that mount them, and a name of this play's own.
  const claimNames = new Map(claims.map((claim) => [claim.metadata.name, `${options.volumePrefix}${claim.metadata.name}`]));
  const claimOwners = new Map<string, { uid: number; gid: number }>();
  const volumes: string[] = [];

  const pods: PodPlan[] = [];
  for (const deployment of deployments) {
    const name = deployment.metadata.name;
    const spec = record(deployment.spec);
    if (spec.replicas !== undefined && spec.replicas !== 1) {
      throw new VariantError(`Deployment ${name} has ${JSON.stringify(spec.replicas)} replicas: pod names stand for Services only with one`);
    }
    const pod = podNameOf(name);
    const podSpec = podSpecOf(deployment);
    if ((podSpec.initContainers ?? []).length > 0) {
      // podman 4.3 restarts an init container under restartPolicy Always instead of waiting for it, then fails the play.
      throw new VariantError(`Deployment ${name} has init containers, which podman 4.3 kube play restarts forever`);
    }
    const podSecurity = record(podSpec.securityContext);
    for (const volume of podSpec.volumes ?? []) {
      const claim = record(volume.persistentVolumeClaim);
      if (typeof claim.claimName === 'string') {
        const renamed = claimNames.get(claim.claimName);
        if (renamed === undefined) throw new VariantError(`Deployment ${name} mounts claim ${claim.claimName}, which the overlay does not define`);
        const uid = Number(podSecurity.runAsUser ?? 0);
        const gid = Number(podSecurity.fsGroup ?? podSecurity.runAsGroup ?? 0);
        const known = claimOwners.get(claim.claimName);
        if (known !== undefined && (known.uid !== uid || known.gid !== gid)) {
          throw new VariantError(`claim ${claim.claimName} is mounted by pods of different users (${known.uid}:${known.gid}, ${uid}:${gid})`);
        }
        claimOwners.set(claim.claimName, { uid, gid });
        claim.claimName = renamed;
      } else if (volume.emptyDir !== undefined) {
        const unique = `${options.volumePrefix}${name}-${String(volume.name)}`;
        for (const container of podSpec.containers ?? []) {
          for (const mount of list(container.volumeMounts)) if (mount.name === volume.name) mount.name = unique;
        }
        rewrites.push(
          `Deployment ${name}: emptyDir ${String(volume.name)} → volume ${unique} (podman names an emptyDir's volume after it, shared by every pod using the name)`,
        );
        volumes.push(unique);
        volume.name = unique;
      }
    }

    const containers: ContainerPlan[] = [];
    for (const container of podSpec.containers ?? []) {
      const containerName = String(container.name);
      const where = `Deployment ${name} container ${containerName}`;
      if (container.imagePullPolicy !== 'Never') {
        container.imagePullPolicy = 'Never';
      }
      for (const variable of list(container.env)) {
        if (typeof variable.value === 'string') variable.value = rewriteSetting(String(variable.name), variable.value, `${where} env ${String(variable.name)}`);
      }
      for (const field of ['args', 'command'] as const) {
        if (Array.isArray(container[field]))
          container[field] = (container[field] as unknown[]).map((arg) => (typeof arg === 'string' ? rewriteAddresses(arg, `${where} ${field}`) : arg));
      }
      const hostPorts = new Map<number, number>();
      const portNames = new Map<string, number>();
      for (const port of list(container.ports)) {
        const containerPort = Number(port.containerPort);
        const hostPort = options.allocateHostPort();
        port.hostPort = hostPort;
        hostPorts.set(containerPort, hostPort);
        if (typeof port.name === 'string') portNames.set(port.name, containerPort);
      }
      const plan: ContainerPlan = { name: containerName, podmanName: `${pod}-${containerName}`, hostPorts, portNames };
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe'] as const) {
        if (container[probe] !== undefined) {
          plan[probe] = container[probe] as Probe;
          delete container[probe];
        }
      }
      containers.push(plan);
    }
    pods.push({ deployment: name, pod, containers });
  }
  rewrites.push('every container: imagePullPolicy Never (local images)');
  rewrites.push('every containerPort: a distinct free hostPort (podman publishes each containerPort on the host)');
  rewrites.push('every probe: removed from the played YAML and performed by the smoke run from the host through the published ports');

  for (const claim of claims) {
    const owner = claimOwners.get(claim.metadata.name);
    const renamed = claimNames.get(claim.metadata.name)!;
    if (owner !== undefined) {
      claim.metadata.annotations = { ...claim.metadata.annotations, 'volume.podman.io/uid': String(owner.uid), 'volume.podman.io/gid': String(owner.gid) };
      rewrites.push(`PersistentVolumeClaim ${claim.metadata.name} → volume ${renamed} owned by ${owner.uid}:${owner.gid} (podman ignores fsGroup)`);
    }
    claim.metadata.name = renamed;
    volumes.push(renamed);
  }

  const firstNames = options.first ?? [];
  const rank = (object: K8sObject) => {
    if (object.kind !== 'Deployment') return object.kind === 'PersistentVolumeClaim' ? 1 : 0;
    return firstNames.includes(object.metadata.name) ? 2 : 3;
  };
  const played = objects.filter((object) => PLAYED_KINDS.has(object.kind)).sort((a, b) => rank(a) - rank(b));
  pods.sort((a, b) => (firstNames.includes(a.deployment) ? 0 : 1) - (firstNames.includes(b.deployment) ? 0 : 1));
  return { objects: played, pods, services, volumes, rewrites };
}
