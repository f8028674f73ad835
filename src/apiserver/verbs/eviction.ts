/**
 * pods/eviction (create): a delete that asks the pod's PodDisruptionBudget first, as
 * Kubernetes' EvictionREST. A finished or already deleting pod, or one no budget covers,
 * is simply deleted with the Eviction's deleteOptions. Under one budget the eviction takes
 * one of status.disruptionsAllowed (a compare-and-set on the budget's status, recording
 * the pod in disruptedPods) or is refused with 429 TooManyRequests, which kubectl drain
 * retries. More than one budget is a 500, as in Kubernetes.
 */
import { conflict, forbidden, internalError, notFound, StatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import { resourceByKey } from '../../api/registry.ts';
import { labelSelectorMatches, type LabelSelector } from '../../api/selectors.ts';
import { timestamp, type ApiDeps } from '../deps.ts';
import { guaranteedUpdate } from '../guaranteed-update.ts';
import type { ApiReply, ApiRequest, PropagationPolicy } from '../request.ts';
import { objectKey, resolveResource } from '../resolve.ts';
import { deleteOne } from './delete.ts';
import { successStatus, subresourceBody } from './subresource-body.ts';

const PDBS = 'poddisruptionbudgets.policy';

interface Eviction {
  metadata: { name?: string };
  deleteOptions?: {
    gracePeriodSeconds?: number;
    preconditions?: { uid?: string; resourceVersion?: string };
    propagationPolicy?: PropagationPolicy;
    dryRun?: string[];
  };
}

export async function evict(deps: ApiDeps, request: ApiRequest): Promise<ApiReply> {
  const rt = resolveResource(request);
  const key = objectKey(rt, request);
  const eviction = subresourceBody<Eviction>(request, 'Eviction');
  const options = eviction.deleteOptions ?? {};
  const dryRun = request.options?.dryRun || (options.dryRun?.includes('All') ?? false);
  await deps.reads.consistent();
  const pod = deps.store.get(key.resource, key.namespace, key.name);
  if (!pod) throw notFound('pods', '', key.name);

  if (!budgetApplies(pod)) {
    await deleteOne(deps, rt, key, { ...options, dryRun }, request.requestId);
    return { ok: true, body: successStatus(201), code: 201 };
  }
  const budgets = deps.store
    .list(PDBS, key.namespace)
    .items
    .filter((pdb) => budgetSelects(pdb, pod));
  if (budgets.length > 1) {
    throw internalError('This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  }
  if (budgets.length === 1 && !dryRun) await takeDisruption(deps, budgets[0]!, key.name);
  await deleteOne(deps, rt, key, { ...options, dryRun }, request.requestId);
  return { ok: true, body: successStatus(201), code: 201 };
}

/** policy/v1: a budget without a selector selects nothing; an empty one selects every pod of its namespace. */
function budgetSelects(budget: KubeObject, pod: KubeObject): boolean {
  const selector = (budget.spec as { selector?: LabelSelector } | undefined)?.selector;
  return !!selector && labelSelectorMatches(selector, pod.metadata.labels);
}

/** Finished pods and pods already being deleted are never held by a budget. */
function budgetApplies(pod: KubeObject): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  return !pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
}

async function takeDisruption(deps: ApiDeps, budget: KubeObject, podName: string): Promise<void> {
  const rt = resourceByKey(PDBS)!;
  const name = budget.metadata.name ?? '';
  await guaranteedUpdate(deps, rt, { resource: PDBS, namespace: budget.metadata.namespace ?? '', name }, {
    next: (current) => withDisruptionTaken(current, podName, timestamp(deps.now())),
  });
}

/** The pure step: the budget's status with one disruption taken by podName, or the refusal. */
export function withDisruptionTaken(budget: KubeObject, podName: string, now: string): KubeObject {
  const name = budget.metadata.name ?? '';
  const status = (budget.status ?? {}) as { observedGeneration?: number; disruptionsAllowed?: number; desiredHealthy?: number; currentHealthy?: number; disruptedPods?: Record<string, string> };
  if ((status.observedGeneration ?? 0) < (budget.metadata.generation ?? 1)) {
    throw tooManyRequests(`The disruption budget ${name} is still being processed by the server.`);
  }
  const allowed = status.disruptionsAllowed ?? 0;
  if (allowed < 0) throw forbidden('pdb disruptions allowed is negative');
  if ((status.disruptedPods ?? {})[podName]) throw conflict(PDBS, '', name, `pod ${podName} is already being disrupted under this budget`);
  if (allowed === 0) {
    throw tooManyRequests(`The disruption budget ${name} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`);
  }
  return {
    ...budget,
    status: { ...status, disruptionsAllowed: allowed - 1, disruptedPods: { ...status.disruptedPods, [podName]: now } },
  };
}

function tooManyRequests(cause: string): StatusError {
  return new StatusError(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", {
    causes: [{ reason: 'DisruptionBudget', message: cause }],
  });
}
