/**
 * The HorizontalPodAutoscaler controller's wiring: every HPA is synced when it changes
 * and again every sync period (15 s, --horizontal-pod-autoscaler-sync-period). A sync
 * reads the target (Deployment, ReplicaSet, StatefulSet or ReplicationController) live,
 * its pods from the informer by the target's selector, and their PodMetrics through the
 * API (metrics.k8s.io), decides (decide.ts), writes spec.replicas of the target by a
 * merge patch when it changes, then the HPA's status when it differs. The stabilisation
 * and rate history is the controller's memory, as in Kubernetes (lost on a restart).
 */
import { StatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import { labelSelectorMatches } from '../../api/selectors.ts';
import type { ApiClient } from '../../client/api-client.ts';
import { realClock, type Clock } from '../../informer/clock.ts';
import { NAMESPACE_INDEX, objectKey, splitKey } from '../../informer/indexer.ts';
import type { SharedInformerFactory } from '../../informer/informer-factory.ts';
import { componentLogger } from '../../log.ts';
import { Controller, type ControllerOptions, type ReconcileResult } from '../runtime/controller.ts';
import { decideHpa, type HpaSpec } from './decide.ts';
import { emptyHistory, type ScalingHistory } from './normalize.ts';
import { podMetricsView, podSample } from './pod-samples.ts';

export const HPAS = 'horizontalpodautoscalers.autoscaling';
const POD_METRICS = 'pods.metrics.k8s.io';
const log = componentLogger('horizontal-pod-autoscaler');

const SCALE_TARGETS: Record<string, string> = {
  Deployment: 'deployments.apps',
  ReplicaSet: 'replicasets.apps',
  StatefulSet: 'statefulsets.apps',
  ReplicationController: 'replicationcontrollers',
};

export interface HpaControllerOptions extends ControllerOptions {
  /** How often each HPA is synced (default 15 s). */
  syncPeriodMs?: number;
  /** The scale-down stabilisation window when the HPA has no behaviour (default 300 s). */
  downscaleStabilizationMs?: number;
  /** Utilisation ratios within this of 1 change nothing (default 0.1). */
  tolerance?: number;
}

export function newHorizontalPodAutoscalerController(client: ApiClient, factory: SharedInformerFactory, options: HpaControllerOptions = {}): Controller {
  const clock: Clock = options.clock ?? realClock;
  const syncPeriodMs = options.syncPeriodMs ?? 15_000;
  const downscaleStabilizationMs = options.downscaleStabilizationMs ?? 300_000;
  const controller = new Controller('horizontalpodautoscaler', options);
  const hpas = factory.informerFor(HPAS);
  const pods = factory.informerFor('pods');
  const histories = new Map<string, ScalingHistory>();
  controller.watch(hpas, {
    onAdd: (hpa) => controller.enqueue(objectKey(hpa)),
    onUpdate: (old, hpa) => {
      // Our own status writes would otherwise re-sync every HPA at once; the period covers them.
      if (JSON.stringify(old.spec) !== JSON.stringify(hpa.spec)) controller.enqueue(objectKey(hpa));
    },
    onDelete: (hpa) => histories.delete(objectKey(hpa as KubeObject)),
  });
  controller.watch(pods, {});

  controller.reconcileWith(async (key): Promise<ReconcileResult> => {
    const hpa = hpas.indexer.get(key);
    if (!hpa) {
      histories.delete(key);
      return {};
    }
    const { namespace } = splitKey(key);
    const spec = hpa.spec as HpaSpec;
    const resource = SCALE_TARGETS[spec.scaleTargetRef.kind];
    if (!resource) {
      log.warn({ hpa: key, kind: spec.scaleTargetRef.kind }, 'unsupported scale target kind');
      return { requeueAfterMs: syncPeriodMs };
    }
    let target: KubeObject;
    try {
      target = await client.get(resource, namespace, spec.scaleTargetRef.name);
    } catch (error) {
      if (!(error instanceof StatusError && error.code === 404)) throw error;
      await writeStatus(client, hpa, failedGetScale(hpa, clock.now(), `deployments/scale.apps "${spec.scaleTargetRef.name}" not found`));
      return { requeueAfterMs: syncPeriodMs };
    }
    const targetSpec = target.spec as { replicas?: number; selector?: Parameters<typeof labelSelectorMatches>[0] };
    const currentReplicas = targetSpec.replicas ?? 1;
    const selected = pods.indexer.byIndex(NAMESPACE_INDEX, namespace).filter((p) => labelSelectorMatches(targetSpec.selector, p.metadata.labels));
    const now = clock.now();
    let samples: ReturnType<typeof podSample>[] = [];
    if (selected.length > 0) {
      const metrics = await client.list(POD_METRICS, namespace).catch((error: unknown) => {
        log.debug({ hpa: key, err: error }, 'no pod metrics');
        return { items: [] as KubeObject[] };
      });
      const byName = new Map(metrics.items.map((m) => [m.metadata.name ?? '', m]));
      samples = selected.map((p) => {
        const m = byName.get(p.metadata.name ?? '');
        return podSample(p, m ? podMetricsView(m) : undefined, now);
      });
    }
    const decision = decideHpa({
      hpa,
      currentReplicas,
      pods: samples,
      now,
      history: histories.get(key) ?? emptyHistory(),
      downscaleStabilizationMs,
      tolerance: options.tolerance,
    });
    if (decision.rescaleTo !== undefined) {
      try {
        await client.patch(resource, namespace, spec.scaleTargetRef.name, { spec: { replicas: decision.rescaleTo } }, 'merge');
        log.info({ hpa: key, from: currentReplicas, to: decision.rescaleTo, metrics: decision.status.currentMetrics }, 'rescaled the target');
      } catch (error) {
        const status = { ...decision.status, desiredReplicas: currentReplicas };
        status.conditions = status.conditions.map((c) =>
          c.type === 'AbleToScale' ? { ...c, status: 'False' as const, reason: 'FailedUpdateScale', message: `the HPA controller was unable to update the target scale: ${String(error)}` } : c,
        );
        delete status.lastScaleTime;
        await writeStatus(client, hpa, status).catch(() => {});
        throw error;
      }
    }
    histories.set(key, decision.history);
    await writeStatus(client, hpa, decision.status);
    return { requeueAfterMs: syncPeriodMs };
  });
  return controller;
}

function failedGetScale(hpa: KubeObject, now: number, message: string) {
  const previous = (hpa.status ?? {}) as { currentReplicas?: number; desiredReplicas?: number; conditions?: Array<{ type: string; status: string; lastTransitionTime?: string }> };
  const old = previous.conditions?.find((c) => c.type === 'AbleToScale');
  const lastTransitionTime = old?.status === 'False' ? old.lastTransitionTime : new Date(now).toISOString();
  return {
    ...previous,
    currentReplicas: previous.currentReplicas ?? 0,
    desiredReplicas: previous.desiredReplicas ?? 0,
    conditions: [
      { type: 'AbleToScale', status: 'False', reason: 'FailedGetScale', message: `the HPA controller was unable to get the target's current scale: ${message}`, lastTransitionTime },
      ...(previous.conditions ?? []).filter((c) => c.type !== 'AbleToScale'),
    ],
  };
}

/** Writes the status when it changed, pinned to the cached resourceVersion (a conflict retries the sync). */
async function writeStatus(client: ApiClient, hpa: KubeObject, status: object): Promise<void> {
  if (JSON.stringify(hpa.status ?? {}) === JSON.stringify(status)) return;
  await client.update(HPAS, { ...hpa, status } as KubeObject, { subresource: 'status' });
}
