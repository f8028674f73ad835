/**
 * The LimitRanger admission plugin (mutating and validating), as Kubernetes 1.32's:
 * - admit, pods on create: each container (and init container) without a request or a
 *   limit for a resource gets the namespace's LimitRange Container defaults
 *   (defaultRequest -> requests, default -> limits), recorded in the annotation
 *   `kubernetes.io/limit-ranger: LimitRanger plugin set: cpu, memory request for container
 *   x; ...`. Requests a container states only through its limits were already defaulted
 *   from them by Pod defaulting, so they are not replaced.
 * - validate, pods on create and claims on create and update: Container min/max/
 *   maxLimitRequestRatio per container, Pod ones on the pod's totals, and
 *   PersistentVolumeClaim min/max on spec.resources.requests; the first LimitRange (by
 *   name) with violations refuses with all of them, in Kubernetes' words.
 * Pod updates are left alone (containers' resources cannot change), and so is an object
 * already being deleted. The rules are pure functions of the object and the LimitRanges;
 * the plugin only looks the LimitRanges up in the store.
 */
import { isPlainObject, type KubeObject } from '../api/object.ts';
import { admissionForbidden, type AdmissionAttributes, type AdmissionPlugin } from './plugin.ts';
import { containersOf, podLimits, podRequests } from './resource-quota/pod-resources.ts';
import { formatQuantity, milliValue, value, ZERO, type Quantity } from './resource-quota/quantity.ts';
import { resourceList, toStored, type ResourceList } from './resource-quota/resource-list.ts';

export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';

interface LimitItem {
  type: string;
  min: ResourceList;
  max: ResourceList;
  default: ResourceList;
  defaultRequest: ResourceList;
  maxLimitRequestRatio: ResourceList;
}

function itemsOf(limitRange: KubeObject): LimitItem[] {
  const spec = isPlainObject(limitRange.spec) ? limitRange.spec : {};
  const limits = Array.isArray(spec.limits) ? spec.limits.filter(isPlainObject) : [];
  return limits.map((l) => ({
    type: typeof l.type === 'string' ? l.type : '',
    min: resourceList(l.min),
    max: resourceList(l.max),
    default: resourceList(l.default),
    defaultRequest: resourceList(l.defaultRequest),
    maxLimitRequestRatio: resourceList(l.maxLimitRequestRatio),
  }));
}

const sortedEntries = (list: ResourceList) => Object.keys(list).sort().map((name) => [name, list[name]!] as const);

// --- defaults ---

/** One LimitRange's defaults applied to a pod, annotated as Kubernetes annotates them. */
export function applyLimitRangeDefaults(pod: KubeObject, limitRange: KubeObject): KubeObject {
  const requests: Record<string, Quantity> = {};
  const limits: Record<string, Quantity> = {};
  for (const item of itemsOf(limitRange)) {
    if (item.type !== 'Container') continue;
    Object.assign(requests, item.defaultRequest);
    Object.assign(limits, item.default);
  }
  if (Object.keys(requests).length === 0 && Object.keys(limits).length === 0) return pod;
  const spec = isPlainObject(pod.spec) ? pod.spec : {};
  const notes: string[] = [];
  const merged: Record<string, unknown> = {};
  for (const [list, label] of [['containers', 'container'], ['initContainers', 'init container']] as const) {
    if (!Array.isArray(spec[list])) continue;
    merged[list] = spec[list].map((c: unknown) => (isPlainObject(c) ? mergeContainer(c, requests, limits, label, notes) : c));
  }
  if (notes.length === 0) return pod;
  return {
    ...pod,
    metadata: { ...pod.metadata, annotations: { ...pod.metadata.annotations, [LIMIT_RANGER_ANNOTATION]: `LimitRanger plugin set: ${notes.join('; ')}` } },
    spec: { ...spec, ...merged },
  };
}

function mergeContainer(container: Record<string, unknown>, requests: ResourceList, limits: ResourceList, label: string, notes: string[]): Record<string, unknown> {
  const resources = isPlainObject(container.resources) ? container.resources : {};
  const have = { requests: isPlainObject(resources.requests) ? resources.requests : {}, limits: isPlainObject(resources.limits) ? resources.limits : {} };
  const setLimits = Object.keys(limits).filter((name) => !(name in have.limits)).sort();
  const setRequests = Object.keys(requests).filter((name) => !(name in have.requests)).sort();
  const name = typeof container.name === 'string' ? container.name : '';
  if (setRequests.length > 0) notes.push(`${setRequests.join(', ')} request for ${label} ${name}`);
  if (setLimits.length > 0) notes.push(`${setLimits.join(', ')} limit for ${label} ${name}`);
  if (setRequests.length === 0 && setLimits.length === 0) return container;
  const pick = (list: ResourceList, names: string[]) => toStored(Object.fromEntries(names.map((n) => [n, list[n]!])));
  return {
    ...container,
    resources: {
      ...resources,
      ...(setRequests.length > 0 ? { requests: { ...have.requests, ...pick(requests, setRequests) } } : {}),
      ...(setLimits.length > 0 ? { limits: { ...have.limits, ...pick(limits, setLimits) } } : {}),
    },
  };
}

// --- constraints ---

/** requestLimitEnforcedValues: milli-units when nothing overflows them, else whole units. */
function comparable(...quantities: Quantity[]): bigint[] {
  const MAX_MILLI = 9_223_372_036_854_775n; // math.MaxInt64 / 1000
  return quantities.every((q) => value(q) <= MAX_MILLI) ? quantities.map(milliValue) : quantities.map(value);
}

function minConstraint(type: string, name: string, enforced: Quantity, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = requests[name];
  const lim = limits[name];
  const [r, l, e] = comparable(req ?? ZERO, lim ?? ZERO, enforced);
  const min = formatQuantity(enforced);
  if (!req) return `minimum ${name} usage per ${type} is ${min}.  No request is specified`;
  if (r! < e!) return `minimum ${name} usage per ${type} is ${min}, but request is ${formatQuantity(req)}`;
  if (lim && l! < e!) return `minimum ${name} usage per ${type} is ${min}, but limit is ${formatQuantity(lim)}`;
  return undefined;
}

function maxConstraint(type: string, name: string, enforced: Quantity, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = requests[name];
  const lim = limits[name];
  const [r, l, e] = comparable(req ?? ZERO, lim ?? ZERO, enforced);
  const max = formatQuantity(enforced);
  if (!lim) return `maximum ${name} usage per ${type} is ${max}.  No limit is specified`;
  if (l! > e!) return `maximum ${name} usage per ${type} is ${max}, but limit is ${formatQuantity(lim)}`;
  if (req && r! > e!) return `maximum ${name} usage per ${type} is ${max}, but request is ${formatQuantity(req)}`;
  return undefined;
}

/** For claims, whose limits are not user input: the max applies to the request. */
function maxRequestConstraint(type: string, name: string, enforced: Quantity, requests: ResourceList): string | undefined {
  const req = requests[name];
  const [r, , e] = comparable(req ?? ZERO, ZERO, enforced);
  const max = formatQuantity(enforced);
  if (!req) return `maximum ${name} usage per ${type} is ${max}.  No request is specified`;
  if (r! > e!) return `maximum ${name} usage per ${type} is ${max}, but request is ${formatQuantity(req)}`;
  return undefined;
}

function ratioConstraint(type: string, name: string, enforced: Quantity, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = requests[name];
  const lim = limits[name];
  const [r, l] = comparable(req ?? ZERO, lim ?? ZERO, enforced);
  const ratio = formatQuantity(enforced);
  if (!req || r === 0n) return `${name} max limit to request ratio per ${type} is ${ratio}, but no request is specified or request is 0`;
  if (!lim || l === 0n) return `${name} max limit to request ratio per ${type} is ${ratio}, but no limit is specified or limit is 0`;
  const observed = Number(l) / Number(r);
  const MAX_MILLI = 9_223_372_036_854_775n;
  const scaled = value(enforced) <= MAX_MILLI ? [observed * 1000, Number(milliValue(enforced))] : [observed, Number(value(enforced))];
  if (scaled[0]! > scaled[1]!) return `${name} max limit to request ratio per ${type} is ${ratio}, but provided ratio is ${observed.toFixed(6)}`;
  return undefined;
}

function checkItem(type: string, item: LimitItem, requests: ResourceList, limits: ResourceList, errors: string[]): void {
  const push = (e: string | undefined) => e && errors.push(e);
  for (const [name, q] of sortedEntries(item.min)) push(minConstraint(type, name, q, requests, limits));
  for (const [name, q] of sortedEntries(item.max)) push(maxConstraint(type, name, q, requests, limits));
  for (const [name, q] of sortedEntries(item.maxLimitRequestRatio)) push(ratioConstraint(type, name, q, requests, limits));
}

/** PodValidateLimitFunc: every violation of one LimitRange by a pod. */
export function podLimitViolations(pod: KubeObject, limitRange: KubeObject): string[] {
  const errors: string[] = [];
  for (const item of itemsOf(limitRange)) {
    if (item.type === 'Container') {
      for (const c of [...containersOf(pod, 'containers'), ...containersOf(pod, 'initContainers')]) checkItem('Container', item, c.requests, c.limits, errors);
    }
    if (item.type === 'Pod') checkItem('Pod', item, podRequests(pod), podLimits(pod), errors);
  }
  return errors;
}

/** PersistentVolumeClaimValidateLimitFunc: min and max on the claim's requests. */
export function claimLimitViolations(claim: KubeObject, limitRange: KubeObject): string[] {
  const spec = isPlainObject(claim.spec) ? claim.spec : {};
  const requests = resourceList(isPlainObject(spec.resources) ? spec.resources.requests : undefined);
  const errors: string[] = [];
  for (const item of itemsOf(limitRange)) {
    if (item.type !== 'PersistentVolumeClaim') continue;
    for (const [name, q] of sortedEntries(item.min)) {
      const e = minConstraint('PersistentVolumeClaim', name, q, requests, {});
      if (e) errors.push(e);
    }
    for (const [name, q] of sortedEntries(item.max)) {
      const e = maxRequestConstraint('PersistentVolumeClaim', name, q, requests);
      if (e) errors.push(e);
    }
  }
  return errors;
}

/** utilerrors.NewAggregate's text: one message alone, several in brackets, duplicates once. */
export function aggregateMessage(errors: readonly string[]): string {
  const unique = [...new Set(errors)];
  return unique.length === 1 ? unique[0]! : `[${unique.join(', ')}]`;
}

// --- the plugin ---

const byName = (a: KubeObject, b: KubeObject) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1);

function applies(a: AdmissionAttributes): boolean {
  if (a.subresource !== undefined || a.oldObject?.metadata.deletionTimestamp) return false;
  if (a.resource.key === 'pods') return a.operation === 'CREATE';
  return a.resource.key === 'persistentvolumeclaims' && (a.operation === 'CREATE' || a.operation === 'UPDATE');
}

export const limitRanger: AdmissionPlugin = {
  name: 'LimitRanger',
  handles: applies,
  admit(a, context) {
    if (a.resource.key !== 'pods' || context.store.count('limitranges', a.namespace) === 0) return a.object;
    const ranges = context.store.list('limitranges', a.namespace).items;
    return [...ranges].sort(byName).reduce(applyLimitRangeDefaults, a.object);
  },
  validate(a, context) {
    if (context.store.count('limitranges', a.namespace) === 0) return;
    const ranges = [...context.store.list('limitranges', a.namespace).items].sort(byName);
    for (const range of ranges) {
      const errors = a.resource.key === 'pods' ? podLimitViolations(a.object, range) : claimLimitViolations(a.object, range);
      if (errors.length > 0) throw admissionForbidden(a, aggregateMessage(errors));
    }
  },
};
