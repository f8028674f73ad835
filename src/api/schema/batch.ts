/** batch/v1: Job and CronJob. */
import { conditionsOf, kind, LabelSelector, ObjectMeta, ObjectReference } from './meta.ts';
import { PodTemplateSpec } from './core-pod.ts';
import { bool, int32, int64, listOf, obj, str, strList } from './dsl.ts';

const BATCH = 'io.k8s.api.batch.v1';

const PodFailurePolicyRule = obj(
  {
    action: str({ enum: ['Count', 'FailIndex', 'FailJob', 'Ignore'] }),
    onExitCodes: obj(
      { containerName: str(), operator: str({ enum: ['In', 'NotIn'] }), values: listOf(int32(), { listType: 'set' }) },
      { name: `${BATCH}.PodFailurePolicyOnExitCodesRequirement`, required: ['operator', 'values'] },
    ),
    onPodConditions: listOf(obj({ type: str(), status: str() }, { name: `${BATCH}.PodFailurePolicyOnPodConditionsPattern` })),
  },
  { name: `${BATCH}.PodFailurePolicyRule`, required: ['action'] },
);

export const JobSpec = obj(
  {
    parallelism: int32({ minimum: 0 }),
    completions: int32({ minimum: 0 }),
    activeDeadlineSeconds: int64({ minimum: 0 }),
    podFailurePolicy: obj({ rules: listOf(PodFailurePolicyRule) }, { name: `${BATCH}.PodFailurePolicy`, required: ['rules'] }),
    successPolicy: obj(
      { rules: listOf(obj({ succeededIndexes: str(), succeededCount: int32() }, { name: `${BATCH}.SuccessPolicyRule` })) },
      { name: `${BATCH}.SuccessPolicy`, required: ['rules'] },
    ),
    backoffLimit: int32({ minimum: 0 }),
    backoffLimitPerIndex: int32({ minimum: 0 }),
    maxFailedIndexes: int32({ minimum: 0 }),
    selector: LabelSelector,
    manualSelector: bool(),
    template: PodTemplateSpec,
    ttlSecondsAfterFinished: int32({ minimum: 0 }),
    completionMode: str({ enum: ['NonIndexed', 'Indexed'] }),
    suspend: bool(),
    podReplacementPolicy: str({ enum: ['TerminatingOrFailed', 'Failed'] }),
    managedBy: str(),
  },
  { name: `${BATCH}.JobSpec`, required: ['template'] },
);

export const JobStatus = obj(
  {
    conditions: conditionsOf(['lastProbeTime']),
    startTime: str({ format: 'date-time' }),
    completionTime: str({ format: 'date-time' }),
    active: int32(),
    succeeded: int32(),
    failed: int32(),
    terminating: int32(),
    ready: int32(),
    completedIndexes: str(),
    failedIndexes: str(),
    uncountedTerminatedPods: obj({ succeeded: strList(), failed: strList() }, { name: `${BATCH}.UncountedTerminatedPods` }),
  },
  { name: `${BATCH}.JobStatus` },
);

export const Job = kind(`${BATCH}.Job`, { spec: JobSpec, status: JobStatus });

export const CronJob = kind(`${BATCH}.CronJob`, {
  spec: obj(
    {
      schedule: str(),
      timeZone: str(),
      startingDeadlineSeconds: int64({ minimum: 0 }),
      concurrencyPolicy: str({ enum: ['Allow', 'Forbid', 'Replace'] }),
      suspend: bool(),
      jobTemplate: obj({ metadata: ObjectMeta, spec: JobSpec }, { name: `${BATCH}.JobTemplateSpec` }),
      successfulJobsHistoryLimit: int32({ minimum: 0 }),
      failedJobsHistoryLimit: int32({ minimum: 0 }),
    },
    { name: `${BATCH}.CronJobSpec`, required: ['schedule', 'jobTemplate'] },
  ),
  status: obj(
    { active: listOf(ObjectReference), lastScheduleTime: str({ format: 'date-time' }), lastSuccessfulTime: str({ format: 'date-time' }) },
    { name: `${BATCH}.CronJobStatus` },
  ),
});
