/**
 * Defaults of the workload controllers (apps/v1, batch/v1, core ReplicationController):
 * replica counts, rollout strategies, history limits, job completion settings, and the
 * pod defaults of their templates.
 */
import { isPlainObject } from '../object.ts';
import { ensureObject, objectAt, objectsAt, setDefault, type Obj } from './kit.ts';
import { defaultPodTemplate } from './pod.ts';
import { defaultPersistentVolumeClaim } from './core.ts';

export function defaultDeployment(deployment: Obj): void {
  const spec = ensureObject(deployment, 'spec');
  if (!spec) return;
  setDefault(spec, 'replicas', 1);
  const strategy = ensureObject(spec, 'strategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy?.type === 'RollingUpdate') {
    const rolling = ensureObject(strategy, 'rollingUpdate');
    setDefault(rolling, 'maxUnavailable', '25%');
    setDefault(rolling, 'maxSurge', '25%');
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  defaultPodTemplate(objectAt(spec, 'template'));
}

export function defaultReplicaSet(replicaSet: Obj): void {
  const spec = ensureObject(replicaSet, 'spec');
  setDefault(spec, 'replicas', 1);
  defaultPodTemplate(objectAt(spec, 'template'));
}

export function defaultStatefulSet(set: Obj): void {
  const spec = ensureObject(set, 'spec');
  if (!spec) return;
  setDefault(spec, 'podManagementPolicy', 'OrderedReady');
  const strategy = ensureObject(spec, 'updateStrategy');
  if (strategy && (strategy.type === undefined || strategy.type === null)) {
    strategy.type = 'RollingUpdate';
    ensureObject(strategy, 'rollingUpdate');
  }
  if (strategy?.type === 'RollingUpdate') setDefault(objectAt(strategy, 'rollingUpdate'), 'partition', 0);
  const retention = ensureObject(spec, 'persistentVolumeClaimRetentionPolicy');
  setDefault(retention, 'whenDeleted', 'Retain');
  setDefault(retention, 'whenScaled', 'Retain');
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplate(objectAt(spec, 'template'));
  for (const claim of objectsAt(spec, 'volumeClaimTemplates')) {
    setDefault(claim, 'apiVersion', 'v1');
    setDefault(claim, 'kind', 'PersistentVolumeClaim');
    defaultPersistentVolumeClaim(claim);
  }
}

export function defaultDaemonSet(set: Obj): void {
  const spec = ensureObject(set, 'spec');
  if (!spec) return;
  const strategy = ensureObject(spec, 'updateStrategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy?.type === 'RollingUpdate') {
    const rolling = ensureObject(strategy, 'rollingUpdate');
    setDefault(rolling, 'maxUnavailable', 1);
    setDefault(rolling, 'maxSurge', 0);
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplate(objectAt(spec, 'template'));
}

/** An RC without a selector selects its template's labels, and wears them when it has none. */
export function defaultReplicationController(rc: Obj): void {
  const spec = ensureObject(rc, 'spec');
  if (!spec) return;
  const labels = objectAt(spec, 'template', 'metadata', 'labels');
  if (labels) {
    if (!isPlainObject(spec.selector) || Object.keys(spec.selector).length === 0) spec.selector = { ...labels };
    const metadata = ensureObject(rc, 'metadata');
    if (metadata && (!isPlainObject(metadata.labels) || Object.keys(metadata.labels).length === 0)) metadata.labels = { ...labels };
  }
  setDefault(spec, 'replicas', 1);
  defaultPodTemplate(objectAt(spec, 'template'));
}

export function defaultJob(job: Obj): void {
  const spec = ensureObject(job, 'spec');
  if (!spec) return;
  // A job that sets neither is one pod run to completion once.
  if ((spec.completions === undefined || spec.completions === null) && (spec.parallelism === undefined || spec.parallelism === null)) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  setDefault(spec, 'parallelism', 1);
  setDefault(spec, 'backoffLimit', spec.backoffLimitPerIndex !== undefined && spec.backoffLimitPerIndex !== null ? 2 ** 31 - 1 : 6);
  const labels = objectAt(spec, 'template', 'metadata', 'labels');
  const metadata = ensureObject(job, 'metadata');
  if (labels && metadata && (!isPlainObject(metadata.labels) || Object.keys(metadata.labels).length === 0)) metadata.labels = { ...labels };
  setDefault(spec, 'completionMode', 'NonIndexed');
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'podReplacementPolicy', isPlainObject(spec.podFailurePolicy) ? 'Failed' : 'TerminatingOrFailed');
  defaultPodTemplate(objectAt(spec, 'template'));
}

export function defaultCronJob(cronJob: Obj): void {
  const spec = ensureObject(cronJob, 'spec');
  if (!spec) return;
  setDefault(spec, 'concurrencyPolicy', 'Allow');
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'successfulJobsHistoryLimit', 3);
  setDefault(spec, 'failedJobsHistoryLimit', 1);
  defaultPodTemplate(objectAt(spec, 'jobTemplate', 'spec', 'template'));
}
