/**
 * What one object costs against a quota, per kind, as Kubernetes' quota evaluators
 * (pkg/quota/v1/evaluator/core and generic) measure it:
 * - pods: pod-evaluator.ts (counts, requests and limits; create only);
 * - services: count/services, services, services.nodeports, services.loadbalancers;
 *   charged on create and update (a type change changes the cost);
 * - persistentvolumeclaims: count and legacy count, requests.storage and the per
 *   StorageClass `<class>.storageclass.storage.k8s.io/...` names; create and update (resize);
 * - everything else: count/<resource>.<group> (and the legacy name of configmaps, secrets,
 *   replicationcontrollers, resourcequotas); create only.
 * Scopes (Terminating, NotTerminating, BestEffort, NotBestEffort, PriorityClass,
 * CrossNamespacePodAffinity) match pods only: a scoped quota matches no other kind. Pure:
 * time is an argument.
 */
import { isPlainObject, type KubeObject } from '../../api/object.ts';
import type { AdmissionOperation } from '../plugin.ts';
import { podEvaluator } from './pod-evaluator.ts';
import { countOf, quantityOf, value, type Quantity } from './quantity.ts';
import { addLists, mask, type ResourceList } from './resource-list.ts';

export interface ScopeRequirement {
  scopeName: string;
  operator: string;
  values?: string[];
}

export interface Evaluator {
  /** The registry key of the kind it measures ("pods", "deployments.apps"). */
  readonly resource: string;
  handles(operation: AdmissionOperation): boolean;
  /** Of these quota resource names, the ones this kind uses up. */
  matchingResources(resourceNames: readonly string[]): string[];
  matchesScope(scope: ScopeRequirement, object: KubeObject, now: Date): boolean;
  usage(object: KubeObject, now: Date): ResourceList;
  /** An explanation when the object cannot be charged against quotas that limit `required`. */
  constraints?(required: readonly string[], object: KubeObject): string | undefined;
}

const LEGACY_COUNT_NAMES: Record<string, string> = {
  configmaps: 'configmaps',
  secrets: 'secrets',
  replicationcontrollers: 'replicationcontrollers',
  resourcequotas: 'resourcequotas',
  services: 'services',
  persistentvolumeclaims: 'persistentvolumeclaims',
};

export const countName = (resource: string) => `count/${resource}`;

const intersect = (names: readonly string[], known: ReadonlySet<string>) => names.filter((n) => known.has(n));

function objectCountEvaluator(resource: string): Evaluator {
  const legacy = LEGACY_COUNT_NAMES[resource];
  const known = new Set([countName(resource), ...(legacy ? [legacy] : [])]);
  return {
    resource,
    handles: (op) => op === 'CREATE',
    matchingResources: (names) => intersect(names, known),
    matchesScope: () => false,
    usage: () => Object.fromEntries([...known].map((n) => [n, countOf(1)])),
  };
}

// --- services ---

const SERVICE_RESOURCES = new Set(['count/services', 'services', 'services.nodeports', 'services.loadbalancers']);

export const serviceEvaluator: Evaluator = {
  resource: 'services',
  handles: (op) => op === 'CREATE' || op === 'UPDATE',
  matchingResources: (names) => intersect(names, SERVICE_RESOURCES),
  matchesScope: () => false,
  usage(service) {
    const spec = isPlainObject(service.spec) ? service.spec : {};
    const ports = Array.isArray(spec.ports) ? spec.ports.filter(isPlainObject) : [];
    let nodePorts = 0;
    let loadBalancers = 0;
    if (spec.type === 'NodePort') nodePorts = ports.length;
    if (spec.type === 'LoadBalancer') {
      loadBalancers = 1;
      // Without node ports allocated for it, only the ports that name one count.
      nodePorts = spec.allocateLoadBalancerNodePorts === false ? ports.filter((p) => typeof p.nodePort === 'number' && p.nodePort !== 0).length : ports.length;
    }
    return {
      'count/services': countOf(1),
      services: countOf(1),
      'services.nodeports': countOf(nodePorts),
      'services.loadbalancers': countOf(loadBalancers),
    };
  },
};

// --- persistent volume claims ---

const STORAGE_CLASS_SUFFIX = '.storageclass.storage.k8s.io/';
const PVC_RESOURCES = new Set(['count/persistentvolumeclaims', 'persistentvolumeclaims', 'requests.storage']);

function claimClass(claim: KubeObject): string {
  const spec = isPlainObject(claim.spec) ? claim.spec : {};
  if (typeof spec.storageClassName === 'string') return spec.storageClassName;
  return claim.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '';
}

/** Storage is charged in whole bytes; a resize that failed and is being recovered charges the larger allocation. */
function storageUsage(claim: KubeObject): Quantity | undefined {
  const spec = isPlainObject(claim.spec) ? claim.spec : {};
  const resources = isPlainObject(spec.resources) ? spec.resources : {};
  const requested = isPlainObject(resources.requests) ? quantityOf(resources.requests.storage) : undefined;
  if (!requested) return undefined;
  const status = isPlainObject(claim.status) ? claim.status : {};
  const allocated = isPlainObject(status.allocatedResources) ? quantityOf(status.allocatedResources.storage) : undefined;
  const larger = allocated && allocated.nanos > requested.nanos ? allocated : requested;
  return { ...larger, nanos: value(larger) * 1_000_000_000n };
}

export const persistentVolumeClaimEvaluator: Evaluator = {
  resource: 'persistentvolumeclaims',
  handles: (op) => op === 'CREATE' || op === 'UPDATE',
  matchingResources: (names) =>
    names.filter((n) => PVC_RESOURCES.has(n) || (n.includes(STORAGE_CLASS_SUFFIX) && (n.endsWith('/requests.storage') || n.endsWith('/persistentvolumeclaims')))),
  matchesScope: () => false,
  usage(claim) {
    const out: Record<string, Quantity> = { persistentvolumeclaims: countOf(1), 'count/persistentvolumeclaims': countOf(1) };
    const className = claimClass(claim);
    if (className) out[`${className}${STORAGE_CLASS_SUFFIX}persistentvolumeclaims`] = countOf(1);
    const storage = storageUsage(claim);
    if (storage) {
      out['requests.storage'] = storage;
      if (className) out[`${className}${STORAGE_CLASS_SUFFIX}requests.storage`] = storage;
    }
    return out;
  },
};

const SPECIAL: Record<string, Evaluator> = {
  pods: podEvaluator,
  services: serviceEvaluator,
  persistentvolumeclaims: persistentVolumeClaimEvaluator,
};

const generic = new Map<string, Evaluator>();

/** The evaluator of a kind, by registry key; kinds without their own get an object count. */
export function evaluatorFor(resource: string): Evaluator {
  const special = SPECIAL[resource];
  if (special) return special;
  let evaluator = generic.get(resource);
  if (!evaluator) generic.set(resource, (evaluator = objectCountEvaluator(resource)));
  return evaluator;
}

/**
 * The kinds a quota with these hard resources counts: the three measured kinds when it
 * names one of their resources, plus every `count/<resource>` and legacy count name.
 */
export function evaluatorsFor(resourceNames: readonly string[]): Evaluator[] {
  const out = new Map<string, Evaluator>();
  for (const e of Object.values(SPECIAL)) if (e.matchingResources(resourceNames).length > 0) out.set(e.resource, e);
  for (const name of resourceNames) {
    const resource = name.startsWith('count/') ? name.slice('count/'.length) : Object.hasOwn(LEGACY_COUNT_NAMES, name) ? name : undefined;
    if (resource && !out.has(resource)) out.set(resource, evaluatorFor(resource));
  }
  return [...out.values()];
}

/** The usage of some objects of one kind, summed, for the named resources (each starting at zero). */
export function sumUsage(evaluator: Evaluator, objects: readonly KubeObject[], resourceNames: readonly string[], matches: (o: KubeObject) => boolean, now: Date): ResourceList {
  const tracked = evaluator.matchingResources(resourceNames);
  let total: ResourceList = Object.fromEntries(tracked.map((n) => [n, { nanos: 0n, format: 'DecimalSI' as const }]));
  for (const object of objects) if (matches(object)) total = addLists(total, mask(evaluator.usage(object, now), tracked));
  return total;
}
