/**
 * The TTL-after-finished controller's wiring: Jobs with a TTL enqueue themselves when
 * added or changed; a Job whose TTL has run out is read live (its TTL or finish may have
 * changed since the cache saw it) and deleted with propagation Background, so its pods
 * go too, pinned to the uid and resourceVersion of that read; one not yet expired is
 * looked at again when it expires (through the injected Clock).
 */
import type { KubeObject } from '../../api/object.ts';
import { StatusError } from '../../api/errors.ts';
import type { ApiClient } from '../../client/api-client.ts';
import { realClock, type Clock } from '../../informer/clock.ts';
import { objectKey, splitKey } from '../../informer/indexer.ts';
import type { SharedInformerFactory } from '../../informer/informer-factory.ts';
import { componentLogger } from '../../log.ts';
import { Controller, type ControllerOptions, type ReconcileResult } from '../runtime/controller.ts';
import { decideTtl } from './decide.ts';

export const JOBS = 'jobs.batch';
const log = componentLogger('ttl-after-finished-controller');

const hasTtl = (job: KubeObject) => (job.spec as { ttlSecondsAfterFinished?: number } | undefined)?.ttlSecondsAfterFinished !== undefined;

export function newTtlAfterFinishedController(client: ApiClient, factory: SharedInformerFactory, options: ControllerOptions = {}): Controller {
  const clock: Clock = options.clock ?? realClock;
  const controller = new Controller('ttl-after-finished', options);
  const jobs = factory.informerFor(JOBS);
  const enqueue = (job: KubeObject) => {
    if (hasTtl(job) && !job.metadata.deletionTimestamp) controller.enqueue(objectKey(job));
  };
  controller.watch(jobs, { onAdd: enqueue, onUpdate: (_old, job) => enqueue(job) });

  controller.reconcileWith(async (key): Promise<ReconcileResult> => {
    const cached = jobs.indexer.get(key);
    if (!cached) return {};
    const first = decideTtl(cached, clock.now());
    if (first.action === 'none') return {};
    if (first.action === 'wait') return { requeueAfterMs: first.afterMs };
    const { namespace, name } = splitKey(key);
    let fresh: KubeObject;
    try {
      fresh = await client.get(JOBS, namespace, name);
    } catch (error) {
      if (error instanceof StatusError && error.code === 404) return {};
      throw error;
    }
    const decision = decideTtl(fresh, clock.now());
    if (decision.action === 'none') return {};
    if (decision.action === 'wait') return { requeueAfterMs: decision.afterMs };
    log.info({ job: key }, 'cleaning up finished job: its TTL has expired');
    await client
      .delete(JOBS, namespace, name, { propagationPolicy: 'Background', preconditions: { uid: fresh.metadata.uid, resourceVersion: fresh.metadata.resourceVersion } })
      .catch((error: unknown) => {
        if (!(error instanceof StatusError && error.code === 404)) throw error;
      });
    return {};
  });
  return controller;
}
