import type { K8sObject } from './render.js';

/** One broken rule: which rule, on which object, and what to change. */
export interface Violation {
  rule: string;
  /** `Kind/name` of the object at fault. */
  object: string;
  message: string;
}

export function objectRef(object: Pick<K8sObject, 'kind' | 'metadata'>): string {
  return `${object.kind}/${object.metadata.name}`;
}

export function formatViolation(violation: Violation): string {
  return `${violation.object}: ${violation.message} [${violation.rule}]`;
}
