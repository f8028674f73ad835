/**
 * The pod garbage collector's wiring (Kubernetes' PodGCController): one key, a sweep
 * over every pod, run every gcCheckPeriod (20 s) and sooner when a pod shows up that may
 * need collecting (bound to a node the cache does not have, being deleted without a
 * node, terminated) or a node goes away, or when a node's quarantine runs out. Nodes
 * past their quarantine are confirmed gone with a live read before their pods go.
 * Deletes are forced (grace 0) with a uid precondition; a pod not yet terminal is first
 * marked Failed with a status update pinned to the pod read.
 */
import { StatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import type { ApiClient } from '../../client/api-client.ts';
import { realClock, type Clock } from '../../informer/clock.ts';
import type { SharedInformerFactory } from '../../informer/informer-factory.ts';
import { componentLogger } from '../../log.ts';
import { rfc3339 } from '../node-lifecycle/health.ts';
import { Controller, type ControllerOptions, type ReconcileResult } from '../runtime/controller.ts';
import { decidePodGc, DEFAULT_POD_GC_OPTIONS, isPodTerminated, orphanedPods, type PodGcDelete, type PodGcOptions } from './decide.ts';

export const PODS = 'pods';
export const NODES = 'nodes';
export const SWEEP = 'sweep';

const log = componentLogger('pod-garbage-collector');

export interface PodGcControllerOptions extends ControllerOptions, Partial<PodGcOptions> {
  /** How often the sweep runs without a reason to run sooner (Kubernetes: 20 s). */
  checkPeriodMs?: number;
}

export function newPodGcController(client: ApiClient, factory: SharedInformerFactory, options: PodGcControllerOptions = {}): Controller {
  const clock: Clock = options.clock ?? realClock;
  const gcOptions: PodGcOptions = {
    terminatedPodThreshold: options.terminatedPodThreshold ?? DEFAULT_POD_GC_OPTIONS.terminatedPodThreshold,
    quarantineMs: options.quarantineMs ?? DEFAULT_POD_GC_OPTIONS.quarantineMs,
  };
  const checkPeriodMs = options.checkPeriodMs ?? 20_000;
  const controller = new Controller('pod-gc', { ...options, workers: 1 });
  let quarantine = new Map<string, number>();
  const pods = factory.informerFor(PODS);
  const nodes = factory.informerFor(NODES);

  const mayNeedCollecting = (pod: KubeObject) => {
    const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    if (pod.metadata.deletionTimestamp || isPodTerminated(pod)) return true;
    return !!nodeName && !nodes.indexer.get(nodeName);
  };
  controller.watch(pods, {
    onAdd: (pod) => mayNeedCollecting(pod) && controller.enqueue(SWEEP),
    onUpdate: (_old, pod) => mayNeedCollecting(pod) && controller.enqueue(SWEEP),
  });
  controller.watch(nodes, {
    onAdd: () => controller.enqueue(SWEEP),
    onDelete: () => controller.enqueue(SWEEP),
  });

  controller.reconcileWith(async (): Promise<ReconcileResult> => {
    const now = clock.now();
    const allPods = pods.indexer.list();
    const nodeMap = new Map(nodes.indexer.list().map((n) => [n.metadata.name!, n]));
    const decision = decidePodGc(allPods, nodeMap, quarantine, now, gcOptions);
    quarantine = decision.quarantine;

    const gone = new Set<string>();
    for (const name of decision.nodesToVerify) {
      try {
        await client.get(NODES, undefined, name);
        quarantine.delete(name); // It exists after all: the cache was behind. Start over if it goes missing again.
      } catch (error) {
        if (error instanceof StatusError && error.code === 404) gone.add(name);
        else throw error;
      }
    }
    // Another pass over every pod only when a node is confirmed gone.
    const deletes = gone.size > 0 ? [...decision.deletes, ...orphanedPods(allPods, gone)] : decision.deletes;
    const errors: unknown[] = [];
    for (const d of deletes) {
      try {
        await forceDelete(client, d, now);
      } catch (error) {
        errors.push(error);
      }
    }
    for (const name of gone) quarantine.delete(name);
    if (errors.length > 0) throw errors[0];
    return { requeueAfterMs: Math.min(checkPeriodMs, decision.nextQuarantineEndsInMs ?? Infinity) };
  });
  return controller;
}

/** markFailedAndDeletePod: phase Failed (and the condition) when not terminal yet, then a delete with grace 0. */
async function forceDelete(client: ApiClient, d: PodGcDelete, now: number): Promise<void> {
  const { pod } = d;
  log.info({ pod: `${pod.metadata.namespace}/${pod.metadata.name}`, reason: d.reason }, 'force deleting pod');
  try {
    if (d.markFailed) {
      const status = { ...((pod.status ?? {}) as { conditions?: { type: string }[] }), phase: 'Failed' };
      if (d.condition) {
        const condition = { ...d.condition, lastProbeTime: null, lastTransitionTime: rfc3339(now) };
        status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== condition.type), condition];
      }
      await client.update(PODS, { ...pod, status }, { subresource: 'status' });
    }
    await client.delete(PODS, pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
  } catch (error) {
    if (error instanceof StatusError && error.code === 404) return;
    throw error;
  }
}
