/**
 * The pod quota evaluator (Kubernetes' podEvaluator): count/pods always; pods,
 * cpu/memory/ephemeral-storage (= requests.*), limits.*, hugepages and extended requests
 * while the pod is not terminal (nor past its deletion grace), overhead included;
 * charged on create only (1.32 has no in-place resize). Its scopes: Terminating,
 * NotTerminating, BestEffort, NotBestEffort, PriorityClass (a selector over the class
 * name), CrossNamespacePodAffinity. A quota on cpu or memory makes every container state
 * them (a backward-compatibility rule Kubernetes keeps). Pure: time is an argument.
 */
import { isPlainObject, type KubeObject } from '../../api/object.ts';
import { podQOSClass } from '../../api/qos.ts';
import type { Evaluator, ScopeRequirement } from './evaluators.ts';
import { countOf, type Quantity } from './quantity.ts';
import { podLimits, podRequests } from './pod-resources.ts';
import { addLists, resourceList, type ResourceList } from './resource-list.ts';

const POD_RESOURCES = new Set([
  'count/pods', 'pods',
  'cpu', 'memory', 'ephemeral-storage',
  'requests.cpu', 'requests.memory', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage',
]);
const POD_RESOURCE_PREFIXES = ['hugepages-', 'requests.hugepages-'];
/** The resources a quota makes every container state (a Kubernetes backward-compatibility rule). */
const CONTAINER_REQUIRED = new Set(['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']);

/** requests.<extended>: a resource name outside kubernetes.io that has a domain. */
function isExtendedRequest(name: string): boolean {
  if (!name.startsWith('requests.')) return false;
  const rest = name.slice('requests.'.length);
  return rest.includes('/') && !rest.startsWith('kubernetes.io/') && !rest.includes('.kubernetes.io/') && !rest.startsWith('hugepages-');
}

const isExtendedResource = (name: string) => name.includes('/') && !name.startsWith('kubernetes.io/') && !name.includes('.kubernetes.io/') && !name.startsWith('requests.');

/** podComputeUsageHelper: what requests and limits are worth in quota names. */
export function computeUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const out: Record<string, Quantity> = { pods: countOf(1) };
  for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
    if (r in requests) out[r] = out[`requests.${r}`] = requests[r]!;
    if (r in limits) out[`limits.${r}`] = limits[r]!;
  }
  for (const [name, q] of Object.entries(requests)) {
    if (name.startsWith('hugepages-')) out[name] = out[`requests.${name}`] = q;
    if (isExtendedResource(name)) out[`requests.${name}`] = q;
  }
  return out;
}

/** QuotaV1Pod: terminal pods, and pods stuck past their deletion grace, are not charged. */
export function chargedAsRunning(pod: KubeObject, now: Date): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (phase === 'Failed' || phase === 'Succeeded') return false;
  const grace = pod.metadata.deletionGracePeriodSeconds;
  if (pod.metadata.deletionTimestamp && typeof grace === 'number') {
    const deletedAt = Date.parse(pod.metadata.deletionTimestamp);
    if (now.getTime() > deletedAt + grace * 1000) return false;
  }
  return true;
}

const podSpec = (pod: KubeObject): Record<string, unknown> => (isPlainObject(pod.spec) ? pod.spec : {});

function isTerminatingPod(pod: KubeObject): boolean {
  const deadline = podSpec(pod).activeDeadlineSeconds;
  return typeof deadline === 'number' && deadline >= 0;
}

function usesCrossNamespaceAffinity(pod: KubeObject): boolean {
  const affinity = podSpec(pod).affinity;
  if (!isPlainObject(affinity)) return false;
  const crosses = (term: unknown) =>
    isPlainObject(term) && (term.namespaceSelector !== undefined && term.namespaceSelector !== null || (Array.isArray(term.namespaces) && term.namespaces.length > 0));
  for (const kind of [affinity.podAffinity, affinity.podAntiAffinity]) {
    if (!isPlainObject(kind)) continue;
    const required = Array.isArray(kind.requiredDuringSchedulingIgnoredDuringExecution) ? kind.requiredDuringSchedulingIgnoredDuringExecution : [];
    const preferred = Array.isArray(kind.preferredDuringSchedulingIgnoredDuringExecution) ? kind.preferredDuringSchedulingIgnoredDuringExecution : [];
    if (required.some(crosses) || preferred.some((p) => isPlainObject(p) && crosses(p.podAffinityTerm))) return true;
  }
  return false;
}

/** The PriorityClass scope as a label selector over {PriorityClass: <name>} (absent without a class). */
function priorityClassMatches(scope: ScopeRequirement, pod: KubeObject): boolean {
  const className = podSpec(pod).priorityClassName;
  const has = typeof className === 'string' && className !== '';
  const values = scope.values ?? [];
  switch (scope.operator) {
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'In':
      return has && values.includes(className as string);
    case 'NotIn':
      return !has || !values.includes(className as string);
    default:
      return false;
  }
}

export const podEvaluator: Evaluator = {
  resource: 'pods',
  handles: (op) => op === 'CREATE',
  matchingResources: (names) => names.filter((n) => POD_RESOURCES.has(n) || POD_RESOURCE_PREFIXES.some((p) => n.startsWith(p)) || isExtendedRequest(n)),
  matchesScope(scope, pod) {
    switch (scope.scopeName) {
      case 'Terminating':
        return isTerminatingPod(pod);
      case 'NotTerminating':
        return !isTerminatingPod(pod);
      case 'BestEffort':
        return podQOSClass(pod.spec) === 'BestEffort';
      case 'NotBestEffort':
        return podQOSClass(pod.spec) !== 'BestEffort';
      case 'PriorityClass':
        return priorityClassMatches(scope, pod);
      case 'CrossNamespacePodAffinity':
        return usesCrossNamespaceAffinity(pod);
      default:
        return false;
    }
  },
  usage(pod, now) {
    const count: ResourceList = { 'count/pods': countOf(1) };
    if (!chargedAsRunning(pod, now)) return count;
    return addLists(count, computeUsage(podRequests(pod, { overhead: true }), podLimits(pod, { overhead: true })));
  },
  constraints(required, pod) {
    const wanted = required.filter((n) => CONTAINER_REQUIRED.has(n));
    if (wanted.length === 0) return undefined;
    const missing = new Set<string>();
    const spec = podSpec(pod);
    for (const list of [spec.containers, spec.initContainers]) {
      for (const c of Array.isArray(list) ? list.filter(isPlainObject) : []) {
        const resources = isPlainObject(c.resources) ? c.resources : {};
        const stated = computeUsage(resourceList(resources.requests), resourceList(resources.limits));
        for (const name of wanted) if (!(name in stated)) missing.add(name);
      }
    }
    return missing.size === 0 ? undefined : `must specify ${[...missing].sort().join(',')}`;
  },
};
