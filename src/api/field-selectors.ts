/**
 * Field selectors as the API server takes them: `field=value`, `field==value`,
 * `field!=value`, comma-joined (with `\,` `\=` `\\` escapes), over the fields each
 * kind makes selectable (its GetAttrs in Kubernetes). A field a kind does not support
 * is a 400 `field label not supported: <field>`; a missing field reads as "".
 */
import { badRequest } from './errors.ts';
import { isPlainObject, type KubeObject } from './object.ts';
import type { ResourceType } from './resource-type.ts';

export interface FieldRequirement {
  readonly field: string;
  readonly operator: '=' | '==' | '!=';
  readonly value: string;
}

export type FieldSelector = readonly FieldRequirement[];

type FieldReader = (object: KubeObject) => unknown;

const path =
  (...segments: string[]): FieldReader =>
  (object) =>
    segments.reduce<unknown>((value, segment) => {
      if (Array.isArray(value)) return value[Number(segment)];
      return isPlainObject(value) ? value[segment] : undefined;
    }, object);

const COMMON: Record<string, FieldReader> = {
  'metadata.name': path('metadata', 'name'),
  'metadata.namespace': path('metadata', 'namespace'),
};

const involvedObject = (prefix: string, objectField: string): Record<string, FieldReader> =>
  Object.fromEntries(
    ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'].map((f) => [`${prefix}.${f}`, path(objectField, f)]),
  );

/** The selectable fields of each kind beyond metadata.name and metadata.namespace. */
const KIND_FIELDS: Record<string, Record<string, FieldReader>> = {
  pods: {
    'spec.nodeName': path('spec', 'nodeName'),
    'spec.restartPolicy': path('spec', 'restartPolicy'),
    'spec.schedulerName': path('spec', 'schedulerName'),
    'spec.serviceAccountName': path('spec', 'serviceAccountName'),
    'spec.hostNetwork': (pod) => path('spec', 'hostNetwork')(pod) === true,
    'status.phase': path('status', 'phase'),
    // The first of status.podIPs, as Kubernetes selects on.
    'status.podIP': (pod) => path('status', 'podIPs', '0', 'ip')(pod) ?? path('status', 'podIP')(pod),
    'status.nominatedNodeName': path('status', 'nominatedNodeName'),
  },
  events: {
    ...involvedObject('involvedObject', 'involvedObject'),
    reason: path('reason'),
    reportingComponent: path('reportingComponent'),
    source: path('source', 'component'),
    type: path('type'),
  },
  'events.events.k8s.io': {
    ...involvedObject('regarding', 'regarding'),
    reason: path('reason'),
    reportingController: path('reportingController'),
    type: path('type'),
  },
  secrets: { type: path('type') },
  namespaces: { 'status.phase': path('status', 'phase') },
  nodes: { 'spec.unschedulable': (node) => path('spec', 'unschedulable')(node) === true },
  replicationcontrollers: { 'status.replicas': (rc) => path('status', 'replicas')(rc) ?? 0 },
  'replicasets.apps': { 'status.replicas': (rs) => path('status', 'replicas')(rs) ?? 0 },
  'jobs.batch': { 'status.successful': (job) => path('status', 'succeeded')(job) ?? 0 },
  services: { 'spec.clusterIP': path('spec', 'clusterIP'), 'spec.type': path('spec', 'type') },
};

function readersFor(rt: Pick<ResourceType, 'key'>): Record<string, FieldReader> {
  return { ...COMMON, ...(Object.hasOwn(KIND_FIELDS, rt.key) ? KIND_FIELDS[rt.key] : {}) };
}

/** The field labels a kind can be selected by. */
export function supportedFieldLabels(rt: Pick<ResourceType, 'key'>): string[] {
  return Object.keys(readersFor(rt));
}

/** The selectable fields of an object, as strings (fields.Set). */
export function selectableFields(rt: Pick<ResourceType, 'key'>, object: KubeObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, read] of Object.entries(readersFor(rt))) {
    const value = read(object);
    out[field] = value === undefined || value === null ? '' : String(value);
  }
  return out;
}

/** Splits on commas that are not escaped, keeping the escapes for unescapeValue. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      current += c + text[++i]!;
    } else if (c === ',') {
      terms.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  terms.push(current);
  return terms;
}

const OPERATORS = ['!=', '==', '='] as const;

/** The first unescaped operator splits a term into field and value. */
function splitTerm(term: string): { field: string; operator: (typeof OPERATORS)[number]; value: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    if (term[i] === '\\') {
      i++;
      continue;
    }
    const operator = OPERATORS.find((op) => term.startsWith(op, i));
    if (operator) return { field: term.slice(0, i), operator, value: term.slice(i + operator.length) };
  }
  return undefined;
}

function unescapeValue(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\') {
      const next = value[i + 1];
      if (next === undefined) throw badRequest('invalid field selector: invalid escape sequence: \\');
      if (next !== '\\' && next !== ',' && next !== '=') throw badRequest(`invalid field selector: invalid escape sequence: \\${next}`);
      out += next;
      i++;
    } else if (c === ',' || c === '=') {
      throw badRequest(`invalid field selector: unescaped character in value: ${c}`);
    } else {
      out += c;
    }
  }
  return out;
}

/** Escapes a value for use in a field selector string. */
export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/**
 * Parses a field selector for a kind; "" selects everything. Throws a 400 StatusError on
 * bad syntax or a field the kind cannot be selected by.
 */
export function parseFieldSelector(rt: Pick<ResourceType, 'key'>, text: string): FieldSelector {
  const supported = readersFor(rt);
  const requirements: FieldRequirement[] = [];
  for (const term of splitTerms(text).sort()) {
    if (term === '') continue;
    const parts = splitTerm(term);
    if (!parts) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    if (!Object.prototype.hasOwnProperty.call(supported, parts.field)) throw badRequest(`field label not supported: ${parts.field}`);
    requirements.push({ field: parts.field, operator: parts.operator, value: unescapeValue(parts.value) });
  }
  return requirements;
}

export function formatFieldSelector(selector: FieldSelector): string {
  return selector.map((r) => `${r.field}${r.operator === '!=' ? '!=' : '='}${escapeFieldValue(r.value)}`).join(',');
}

/** Whether the object's selectable fields satisfy every requirement. */
export function matchesFields(selector: FieldSelector, rt: Pick<ResourceType, 'key'>, object: KubeObject): boolean {
  if (selector.length === 0) return true;
  const fields = selectableFields(rt, object);
  return selector.every((r) => ((fields[r.field] ?? '') === r.value) === (r.operator !== '!='));
}
