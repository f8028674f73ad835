/**
 * A pure, in-memory world for the Job controller's decision: a Job and its pods, the
 * decision's writes applied as the API server would (a delete of a pod with finalizers
 * marks it, the last finalizer's removal removes it), and the pod outcomes a kubelet
 * would report. Unit and property tests drive decideJob through it without a cluster.
 */
import type { KubeObject } from '../../src/api/object.ts';
import { decideJob, type JobAction, type JobDecideOptions, type JobStatus } from '../../src/controllers/job/decide.ts';

export const JOB_UID = 'job-uid-1';

export function newJob(spec: Record<string, unknown>, name = 'work'): KubeObject {
  const labels = { 'batch.kubernetes.io/controller-uid': JOB_UID, 'batch.kubernetes.io/job-name': name, 'controller-uid': JOB_UID, 'job-name': name };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default', uid: JOB_UID, creationTimestamp: '2024-01-01T00:00:00Z', resourceVersion: '1' },
    spec: {
      parallelism: 1,
      completions: 1,
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': JOB_UID } },
      template: { metadata: { labels }, spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } },
      ...spec,
    },
    status: {},
  };
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export class JobWorld {
  job: KubeObject;
  readonly pods = new Map<string, KubeObject>();
  now = Date.parse('2024-01-01T00:00:00Z');
  private seq = 0;
  readonly log: JobAction[] = [];

  constructor(job: KubeObject) {
    this.job = job;
  }

  get status(): JobStatus {
    return (this.job.status ?? {}) as JobStatus;
  }

  condition(type: string): string | undefined {
    return this.status.conditions?.find((c) => c.type === type)?.status;
  }

  /** One sync: decide, then apply every write. */
  sync(options: Partial<JobDecideOptions> = {}): ReturnType<typeof decideJob> {
    const decision = decideJob(this.job, [...this.pods.values()], this.now, { expectationsSatisfied: true, backoff: { baseMs: 0, maxMs: 0 }, ...options });
    for (const action of decision.actions) this.apply(action);
    return decision;
  }

  /** Syncs until a sync writes nothing (at most `limit` times). */
  settle(options: Partial<JobDecideOptions> = {}, limit = 20): void {
    for (let i = 0; i < limit; i++) {
      const decision = this.sync(options);
      if (decision.actions.every((a) => a.type === 'event')) return;
    }
    throw new Error('the Job did not settle');
  }

  apply(action: JobAction): void {
    this.log.push(action);
    switch (action.type) {
      case 'createPod': {
        const n = ++this.seq;
        const pod = structuredClone(action.pod);
        pod.metadata.name = `${pod.metadata.generateName ?? 'pod-'}${n}`;
        pod.metadata.uid = `pod-uid-${n}`;
        pod.metadata.creationTimestamp = iso(this.now);
        pod.status = { phase: 'Pending' };
        this.pods.set(pod.metadata.name, pod);
        break;
      }
      case 'deletePod':
        this.deletePod(action.pod.metadata.name!);
        break;
      case 'removeFinalizer': {
        const pod = this.pods.get(action.pod.metadata.name!);
        if (!pod) break;
        pod.metadata.finalizers = (pod.metadata.finalizers ?? []).filter((f) => f !== 'batch.kubernetes.io/job-tracking');
        if (pod.metadata.deletionTimestamp && pod.metadata.finalizers.length === 0 && this.isTerminal(pod)) this.pods.delete(pod.metadata.name!);
        break;
      }
      case 'updateStatus':
        this.job = { ...this.job, status: action.status };
        break;
      case 'adoptPod':
      case 'releasePod':
      case 'event':
        break;
    }
  }

  /** The API server's delete: a pod with finalizers is only marked. */
  deletePod(name: string): void {
    const pod = this.pods.get(name);
    if (!pod) return;
    if ((pod.metadata.finalizers ?? []).length === 0 && this.isTerminal(pod)) this.pods.delete(name);
    else pod.metadata.deletionTimestamp ??= iso(this.now);
  }

  isTerminal(pod: KubeObject): boolean {
    const phase = (pod.status as { phase?: string } | undefined)?.phase;
    return phase === 'Succeeded' || phase === 'Failed';
  }

  /** Pods running or about to: not terminal, not being deleted. */
  activePods(): KubeObject[] {
    return [...this.pods.values()].filter((p) => !this.isTerminal(p) && !p.metadata.deletionTimestamp);
  }

  /** The kubelet: the pod's container ended with this exit code. */
  finish(name: string, exitCode: number, restartCount = 0): void {
    const pod = this.pods.get(name)!;
    pod.status = {
      phase: exitCode === 0 ? 'Succeeded' : 'Failed',
      conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: iso(this.now) }],
      containerStatuses: [{ name: 'main', restartCount, state: { terminated: { exitCode, finishedAt: iso(this.now) } } }],
    };
    // A terminated pod being deleted goes once nothing holds it.
    if (pod.metadata.deletionTimestamp && (pod.metadata.finalizers ?? []).length === 0) this.pods.delete(name);
  }

  run(name: string, ready = true): void {
    const pod = this.pods.get(name)!;
    pod.status = { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: iso(this.now) }] };
  }
}
