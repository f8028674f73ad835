/**
 * The PodScheduled=False condition of a pod that could not be placed, written through the
 * status subresource pinned to the resourceVersion read; a conflict reads the pod again
 * and retries, and stops once the pod is no longer pending (bound, deleted, terminal).
 * An unchanged condition writes nothing.
 */
import { StatusError } from '../api/errors.ts';
import type { KubeObject } from '../api/object.ts';
import { withPodCondition } from '../api/pod-conditions.ts';
import type { ApiClient } from '../client/api-client.ts';

const MAX_ATTEMPTS = 5;
const timestamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export async function writeUnschedulableCondition(
  client: ApiClient,
  pod: KubeObject,
  reason: string,
  message: string,
  nowMs: number,
  stillPending: (pod: KubeObject) => boolean,
): Promise<void> {
  let current = pod;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (!stillPending(current)) return;
    const updated = withPodCondition(current, { type: 'PodScheduled', status: 'False', reason, message }, timestamp(nowMs));
    if (updated === current) return;
    try {
      await client.update('pods', updated, { subresource: 'status' });
      return;
    } catch (err) {
      if (!(err instanceof StatusError) || err.code !== 409) throw err;
      current = await client.get('pods', pod.metadata.namespace, pod.metadata.name ?? '');
    }
  }
}
