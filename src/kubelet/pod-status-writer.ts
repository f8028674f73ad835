/**
 * Writes one pod's status as kubelet's status manager does: through the status
 * subresource, pinned to the resourceVersion of the newest pod seen (the informer's and
 * our own writes' answers), re-read and retried on 409, given up for good on 404 or a
 * different uid. Writes are coalesced: while one is in flight only the newest status
 * waits. Fields and conditions the kubelet does not own (qosClass, a DisruptionTarget
 * condition) are kept as the API has them (statusUpdateBody, pure).
 */
import { StatusError } from '../api/errors.ts';
import { isPlainObject, type KubeObject } from '../api/object.ts';
import type { ApiClient } from '../client/api-client.ts';
import { stripManagedFields } from '../informer/transforms.ts';
import type { Logger } from '../log.ts';

const ATTEMPTS = 5;
const resourceVersionOf = (pod: KubeObject) => Number(pod.metadata.resourceVersion ?? 0);

export function statusUpdateBody(current: KubeObject, status: Record<string, unknown>): KubeObject {
  const previous = isPlainObject(current.status) ? current.status : {};
  const ours = Array.isArray(status.conditions) ? status.conditions : [];
  const owned = new Set(ours.map((c) => String((c as { type?: unknown }).type)));
  const others = (Array.isArray(previous.conditions) ? previous.conditions : []).filter((c) => isPlainObject(c) && !owned.has(String(c.type)));
  return { ...current, status: { ...previous, ...status, conditions: [...ours, ...others] } } as KubeObject;
}

export class PodStatusWriter {
  private latest: KubeObject;
  private pending?: Record<string, unknown>;
  private writing?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly client: ApiClient,
    pod: KubeObject,
    private readonly log: Logger,
  ) {
    this.latest = pod;
  }

  /** The newest pod object seen. */
  get pod(): KubeObject {
    return this.latest;
  }

  /** True once the pod is gone from the API (or writing was stopped). */
  get gone(): boolean {
    return this.stopped;
  }

  /** A pod from the informer: the newest wins, and at the same resourceVersion the informer's (it shares the cache's object). */
  observe(pod: KubeObject): void {
    if (pod.metadata.uid === this.latest.metadata.uid && resourceVersionOf(pod) >= resourceVersionOf(this.latest)) this.latest = pod;
  }

  /**
   * A pod from our own write or read: kept only while it is newer than anything seen, and
   * without managedFields. The informer's copy of the same version replaces it, so a
   * simulated fleet holds one copy of each pod, not one more per status writer.
   */
  private adopt(pod: KubeObject): void {
    if (pod.metadata.uid === this.latest.metadata.uid && resourceVersionOf(pod) > resourceVersionOf(this.latest)) this.latest = stripManagedFields(pod);
  }

  write(status: Record<string, unknown>): void {
    this.pending = status;
    this.writing ??= this.drain().finally(() => {
      this.writing = undefined;
    });
  }

  /** Resolves once every queued status is written (or given up). */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  stop(): void {
    this.stopped = true;
  }

  private async drain(): Promise<void> {
    while (this.pending && !this.stopped) {
      const status = this.pending;
      this.pending = undefined;
      await this.put(status);
    }
  }

  private async put(status: Record<string, unknown>): Promise<void> {
    const where = `${this.latest.metadata.namespace}/${this.latest.metadata.name}`;
    for (let attempt = 1; attempt <= ATTEMPTS && !this.stopped; attempt++) {
      try {
        this.adopt(await this.client.update('pods', statusUpdateBody(this.latest, status), { subresource: 'status' }));
        return;
      } catch (error) {
        if (error instanceof StatusError && error.code === 404) return this.stop();
        if (!(error instanceof StatusError && error.code === 409)) {
          this.log.warn({ err: error, pod: where, attempt }, 'pod status write failed');
          if (attempt >= 3) return;
        }
        await this.reread();
      }
    }
  }

  private async reread(): Promise<void> {
    try {
      const fresh = await this.client.get('pods', this.latest.metadata.namespace, this.latest.metadata.name!);
      if (fresh.metadata.uid !== this.latest.metadata.uid) this.stop();
      else this.adopt(fresh);
    } catch (error) {
      if (error instanceof StatusError && error.code === 404) this.stop();
    }
  }
}
