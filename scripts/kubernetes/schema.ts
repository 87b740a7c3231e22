// Does each rendered object type-check against the Kubernetes API, with no field the API would drop?
//
// Two sources, because neither does both:
// - kubernetes-models@4 (JSON schemas of the API types, checked with ajv) catches wrong types, missing required
//   fields and bad enum values, but accepts unknown fields (the schemas allow additional properties);
// - @kubernetes/client-node's generated model classes list each type's fields (attributeTypeMap), so a walker over
//   them catches a misspelled or misplaced field, which the API server silently drops (`kubectl apply` without
//   server-side field validation, or an older cluster) and which would leave, say, a probe or a limit unset.
// Custom resources (cert-manager, Prometheus Operator) are in neither: the few kinds the manifests use have a strict
// zod schema of their own below, for the fields this project uses; an object of any other kind is a violation
// ("no schema"), never skipped in silence.
import * as k8sModels from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import * as appsV1 from 'kubernetes-models/apps/v1';
import * as autoscalingV2 from 'kubernetes-models/autoscaling/v2';
import * as batchV1 from 'kubernetes-models/batch/v1';
import * as coordinationV1 from 'kubernetes-models/coordination.k8s.io/v1';
import * as networkingV1 from 'kubernetes-models/networking.k8s.io/v1';
import * as policyV1 from 'kubernetes-models/policy/v1';
import * as rbacV1 from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import * as coreV1 from 'kubernetes-models/v1';
import { z } from 'zod';
import type { K8sObject } from './render.js';
import { type Violation, objectRef } from './violation.js';

/** The API groups whose kinds the checker knows; a manifest in another group needs its module added here. */
const MODEL_GROUPS: Record<string, Record<string, unknown>> = {
  v1: coreV1,
  'apps/v1': appsV1,
  'autoscaling/v2': autoscalingV2,
  'batch/v1': batchV1,
  'coordination.k8s.io/v1': coordinationV1,
  'networking.k8s.io/v1': networkingV1,
  'policy/v1': policyV1,
  'rbac.authorization.k8s.io/v1': rbacV1,
};

interface ModelClass {
  apiVersion: string;
  kind: string;
  new (data: unknown): { validate(): void };
}

function modelClass(apiVersion: string, kind: string): ModelClass | undefined {
  const candidate = MODEL_GROUPS[apiVersion]?.[kind];
  if (typeof candidate !== 'function') return undefined;
  const model = candidate as ModelClass;
  return model.kind === kind && model.apiVersion === apiVersion ? model : undefined;
}

/** `/spec/template/spec/containers/0/image` → `spec.template.spec.containers[0].image`. */
function pointerToPath(pointer: string): string {
  let path = '';
  for (const part of pointer.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    path += /^\d+$/.test(key) ? `[${key}]` : path === '' ? key : `.${key}`;
  }
  return path === '' ? '(object)' : path;
}

interface AjvError {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

function typeViolations(object: K8sObject, model: ModelClass): Violation[] {
  try {
    new model(object).validate();
    return [];
  } catch (error) {
    const errors = (error as { errors?: AjvError[] }).errors;
    if (!Array.isArray(errors)) return [{ rule: 'types', object: objectRef(object), message: String(error) }];
    return errors.map((e) => {
      const extra = e.params?.allowedValues !== undefined ? ` (${JSON.stringify(e.params.allowedValues)})` : '';
      return { rule: 'types', object: objectRef(object), message: `${pointerToPath(e.instancePath ?? '')} ${e.message ?? 'is invalid'}${extra}` };
    });
  }
}

// ---- unknown fields, walked over @kubernetes/client-node's model field lists ----

interface Attribute {
  baseName: string;
  type: string;
}
type FieldListClass = { attributeTypeMap: Attribute[] };

const FIELD_LISTS = k8sModels as unknown as Record<string, FieldListClass | undefined>;

/** client-node names a top-level type `<Version><Kind>` (V1Deployment, V2HorizontalPodAutoscaler), or prefixes the
 * group where two groups share a kind (CoreV1Event, EventsV1Event). */
function fieldListTypeName(apiVersion: string, kind: string): string | undefined {
  const [group, version] = apiVersion.includes('/') ? (apiVersion.split('/') as [string, string]) : ['core', apiVersion];
  const capitalize = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1);
  const groupWord = capitalize(group.split('.')[0] ?? group);
  for (const name of [`${capitalize(version)}${kind}`, `${groupWord}${capitalize(version)}${kind}`]) {
    const fields = FIELD_LISTS[name]?.attributeTypeMap;
    if (Array.isArray(fields) && fields.some((a) => a.baseName === 'kind')) return name;
  }
  return undefined;
}

/** Edit distance, to suggest the field a misspelling meant. */
export function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

function unknownField(path: string, field: string, known: string[]): string {
  const closest = known.map((name) => ({ name, d: distance(field, name) })).sort((x, y) => x.d - y.d)[0];
  const hint = closest !== undefined && closest.d <= Math.max(2, Math.floor(field.length / 4)) ? ` (did you mean ${closest.name}?)` : '';
  return `${path === '' ? '' : `${path}.`}${field} is not a field${hint}`;
}

const ARRAY = /^Array<(.+)>$/;
const MAP = /^\{ \[key: string\]: (.+); \}$/;

function walkFields(value: unknown, type: string, path: string, out: string[]): void {
  if (value === null || value === undefined) return;
  const array = ARRAY.exec(type);
  if (array !== null) {
    if (Array.isArray(value)) value.forEach((item, i) => walkFields(item, array[1]!, `${path}[${i}]`, out));
    return; // a non-array is a type error, reported by the type check
  }
  const map = MAP.exec(type);
  if (map !== null) {
    if (typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, item] of Object.entries(value)) walkFields(item, map[1]!, `${path}[${JSON.stringify(key)}]`, out);
    }
    return;
  }
  const fields = FIELD_LISTS[type]?.attributeTypeMap;
  if (!Array.isArray(fields)) return; // string, number, boolean, Date, IntOrString, any (free-form JSON)
  if (typeof value !== 'object' || Array.isArray(value)) return;
  const byName = new Map(fields.map((a) => [a.baseName, a.type]));
  for (const [key, item] of Object.entries(value)) {
    const fieldType = byName.get(key);
    if (fieldType === undefined) out.push(unknownField(path, key, [...byName.keys()]));
    else walkFields(item, fieldType, path === '' ? key : `${path}.${key}`, out);
  }
}

// ---- custom resources: strict zod schemas for the fields this project uses ----

const labelSelector = z.strictObject({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z
    .array(z.strictObject({ key: z.string(), operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']), values: z.array(z.string()).optional() }))
    .optional(),
});

const certificateSpec = z.strictObject({
  secretName: z.string().min(1),
  issuerRef: z.strictObject({ name: z.string().min(1), kind: z.enum(['Issuer', 'ClusterIssuer']).optional(), group: z.string().optional() }),
  commonName: z.string().optional(),
  dnsNames: z.array(z.string().min(1)).optional(),
  ipAddresses: z.array(z.string().min(1)).optional(),
  uris: z.array(z.string().min(1)).optional(),
  duration: z.string().optional(),
  renewBefore: z.string().optional(),
  isCA: z.boolean().optional(),
  usages: z
    .array(
      z.enum([
        'signing',
        'digital signature',
        'content commitment',
        'key encipherment',
        'key agreement',
        'data encipherment',
        'cert sign',
        'crl sign',
        'server auth',
        'client auth',
        'code signing',
        'email protection',
        'any',
      ]),
    )
    .optional(),
  privateKey: z
    .strictObject({
      algorithm: z.enum(['RSA', 'ECDSA', 'Ed25519']).optional(),
      encoding: z.enum(['PKCS1', 'PKCS8']).optional(),
      size: z.number().int().optional(),
      rotationPolicy: z.enum(['Never', 'Always']).optional(),
    })
    .optional(),
  subject: z
    .strictObject({
      organizations: z.array(z.string()).optional(),
      organizationalUnits: z.array(z.string()).optional(),
      countries: z.array(z.string()).optional(),
    })
    .optional(),
  secretTemplate: z.strictObject({ annotations: z.record(z.string(), z.string()).optional(), labels: z.record(z.string(), z.string()).optional() }).optional(),
});

const issuerSpec = z
  .strictObject({
    selfSigned: z.strictObject({ crlDistributionPoints: z.array(z.string()).optional() }).optional(),
    ca: z.strictObject({ secretName: z.string().min(1), crlDistributionPoints: z.array(z.string()).optional() }).optional(),
    acme: z
      .strictObject({
        server: z.url(),
        email: z.string().optional(),
        privateKeySecretRef: z.strictObject({ name: z.string().min(1), key: z.string().optional() }),
        // Solvers are many provider-specific shapes (HTTP-01 ingress classes, DNS-01 per DNS provider): only their presence is checked.
        solvers: z.array(z.record(z.string(), z.unknown())).min(1),
      })
      .optional(),
  })
  .refine((spec) => [spec.selfSigned, spec.ca, spec.acme].filter((x) => x !== undefined).length === 1, 'an Issuer needs exactly one of selfSigned, ca, acme');

/** The scrape endpoint fields ServiceMonitor endpoints and PodMonitor podMetricsEndpoints share. */
const scrapeEndpointFields = {
  port: z.string().min(1).optional(),
  path: z.string().optional(),
  scheme: z.enum(['http', 'https']).optional(),
  interval: z.string().optional(),
  scrapeTimeout: z.string().optional(),
  honorLabels: z.boolean().optional(),
  // TLS and relabelling blocks have many optional fields the project does not use: present or not, unchecked.
  tlsConfig: z.record(z.string(), z.unknown()).optional(),
  relabelings: z.array(z.record(z.string(), z.unknown())).optional(),
  metricRelabelings: z.array(z.record(z.string(), z.unknown())).optional(),
};

const serviceMonitorSpec = z.strictObject({
  selector: labelSelector,
  namespaceSelector: z.strictObject({ any: z.boolean().optional(), matchNames: z.array(z.string()).optional() }).optional(),
  jobLabel: z.string().optional(),
  targetLabels: z.array(z.string()).optional(),
  podTargetLabels: z.array(z.string()).optional(),
  sampleLimit: z.number().int().optional(),
  endpoints: z.array(z.strictObject({ ...scrapeEndpointFields, targetPort: z.union([z.string(), z.number().int()]).optional() })).min(1),
});

const podMonitorSpec = z.strictObject({
  selector: labelSelector,
  namespaceSelector: z.strictObject({ any: z.boolean().optional(), matchNames: z.array(z.string()).optional() }).optional(),
  jobLabel: z.string().optional(),
  podTargetLabels: z.array(z.string()).optional(),
  sampleLimit: z.number().int().optional(),
  podMetricsEndpoints: z.array(z.strictObject(scrapeEndpointFields)).min(1),
});

const CUSTOM_RESOURCES: Record<string, z.ZodType> = {
  'cert-manager.io/v1 Certificate': certificateSpec,
  'cert-manager.io/v1 Issuer': issuerSpec,
  'cert-manager.io/v1 ClusterIssuer': issuerSpec,
  'monitoring.coreos.com/v1 ServiceMonitor': serviceMonitorSpec,
  'monitoring.coreos.com/v1 PodMonitor': podMonitorSpec,
};

function customResourceViolations(object: K8sObject, spec: z.ZodType): Violation[] {
  const unknown = Object.keys(object).filter((key) => !['apiVersion', 'kind', 'metadata', 'spec'].includes(key));
  const messages = unknown.map((key) => `${key} is not a field`);
  walkFields(object.metadata, 'V1ObjectMeta', 'metadata', messages);
  const parsed = spec.safeParse(object.spec);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = ['spec', ...issue.path.map(String)].map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
      const keys = (issue as { keys?: string[] }).keys;
      messages.push(keys !== undefined ? keys.map((key) => `${path}.${key} is not a field`).join(', ') : `${path}: ${issue.message}`);
    }
  }
  return messages.map((message) => ({ rule: 'types', object: objectRef(object), message }));
}

/** Type and unknown-field violations of one rendered object (empty when it is a valid object of a known kind). */
export function schemaViolations(object: K8sObject): Violation[] {
  const custom = CUSTOM_RESOURCES[`${object.apiVersion} ${object.kind}`];
  if (custom !== undefined) return customResourceViolations(object, custom);
  const model = modelClass(object.apiVersion, object.kind);
  const fieldListType = fieldListTypeName(object.apiVersion, object.kind);
  if (model === undefined || fieldListType === undefined) {
    return [
      {
        rule: 'types',
        object: objectRef(object),
        message: `no schema for ${object.apiVersion} ${object.kind}: add its API group to MODEL_GROUPS or a schema to CUSTOM_RESOURCES in scripts/kubernetes/schema.ts`,
      },
    ];
  }
  const unknownFields: string[] = [];
  walkFields(object, fieldListType, '', unknownFields);
  return [...typeViolations(object, model), ...unknownFields.map((message) => ({ rule: 'unknown-fields', object: objectRef(object), message }))];
}
