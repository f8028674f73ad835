/**
 * Workload kinds: apps/v1 Deployment, batch/v1 Job and CronJob, autoscaling/v1
 * HorizontalPodAutoscaler (what `kubectl autoscale` sends), policy/v1
 * PodDisruptionBudget and Eviction (what `kubectl drain` posts).
 */
import { bool, i32, i64, intOrString, KEEP, LIST, MAP, metadata, msg, str, time, type MessageSpec } from '../dsl.ts';

const apps: Record<string, MessageSpec> = {
  Deployment: { 1: metadata, 2: msg('spec', 'DeploymentSpec'), 3: msg('status', 'DeploymentStatus') },
  DeploymentSpec: {
    1: i32('replicas', KEEP),
    2: msg('selector', 'LabelSelector'),
    3: msg('template', 'PodTemplateSpec'),
    4: msg('strategy', 'DeploymentStrategy'),
    5: i32('minReadySeconds'),
    6: i32('revisionHistoryLimit', KEEP),
    7: bool('paused'),
    9: i32('progressDeadlineSeconds', KEEP),
  },
  DeploymentStrategy: { 1: str('type'), 2: msg('rollingUpdate', 'RollingUpdateDeployment') },
  RollingUpdateDeployment: { 1: intOrString('maxUnavailable'), 2: intOrString('maxSurge') },
  DeploymentStatus: {
    1: i64('observedGeneration'),
    2: i32('replicas'),
    3: i32('updatedReplicas'),
    7: i32('readyReplicas'),
    4: i32('availableReplicas'),
    5: i32('unavailableReplicas'),
    9: i32('terminatingReplicas', KEEP),
    8: i32('collisionCount', KEEP),
  },
};

const batch: Record<string, MessageSpec> = {
  Job: { 1: metadata, 2: msg('spec', 'JobSpec'), 3: msg('status', 'JobStatus') },
  JobSpec: {
    1: i32('parallelism', KEEP),
    2: i32('completions', KEEP),
    3: i64('activeDeadlineSeconds', KEEP),
    11: msg('podFailurePolicy', 'PodFailurePolicy'),
    16: msg('successPolicy', 'SuccessPolicy'),
    7: i32('backoffLimit', KEEP),
    12: i32('backoffLimitPerIndex', KEEP),
    13: i32('maxFailedIndexes', KEEP),
    4: msg('selector', 'LabelSelector'),
    5: bool('manualSelector', KEEP),
    6: msg('template', 'PodTemplateSpec'),
    8: i32('ttlSecondsAfterFinished', KEEP),
    9: str('completionMode', KEEP),
    10: bool('suspend', KEEP),
    14: str('podReplacementPolicy', KEEP),
    15: str('managedBy', KEEP),
  },
  PodFailurePolicy: { 1: msg('rules', 'PodFailurePolicyRule', LIST) },
  PodFailurePolicyRule: {
    1: str('action', KEEP),
    2: msg('onExitCodes', 'PodFailurePolicyOnExitCodesRequirement'),
    3: msg('onPodConditions', 'PodFailurePolicyOnPodConditionsPattern', LIST),
  },
  PodFailurePolicyOnExitCodesRequirement: { 1: str('containerName', KEEP), 2: str('operator', KEEP), 3: i32('values', LIST) },
  PodFailurePolicyOnPodConditionsPattern: { 1: str('type', KEEP), 2: str('status', KEEP) },
  SuccessPolicy: { 1: msg('rules', 'SuccessPolicyRule', LIST) },
  SuccessPolicyRule: { 1: str('succeededIndexes', KEEP), 2: i32('succeededCount', KEEP) },
  JobStatus: {
    2: time('startTime', KEEP),
    3: time('completionTime', KEEP),
    4: i32('active'),
    5: i32('succeeded'),
    6: i32('failed'),
    11: i32('terminating', KEEP),
    7: str('completedIndexes'),
    10: str('failedIndexes', KEEP),
    9: i32('ready', KEEP),
  },
  CronJob: { 1: metadata, 2: msg('spec', 'CronJobSpec'), 3: msg('status', 'CronJobStatus') },
  CronJobSpec: {
    1: str('schedule', KEEP),
    8: str('timeZone', KEEP),
    2: i64('startingDeadlineSeconds', KEEP),
    3: str('concurrencyPolicy'),
    4: bool('suspend', KEEP),
    5: msg('jobTemplate', 'JobTemplateSpec'),
    6: i32('successfulJobsHistoryLimit', KEEP),
    7: i32('failedJobsHistoryLimit', KEEP),
  },
  JobTemplateSpec: { 1: metadata, 2: msg('spec', 'JobSpec') },
  CronJobStatus: {
    1: msg('active', 'ObjectReference', LIST),
    4: time('lastScheduleTime', KEEP),
    5: time('lastSuccessfulTime', KEEP),
  },
};

const autoscaling: Record<string, MessageSpec> = {
  HorizontalPodAutoscaler: { 1: metadata, 2: msg('spec', 'HorizontalPodAutoscalerSpec'), 3: msg('status', 'HorizontalPodAutoscalerStatus') },
  HorizontalPodAutoscalerSpec: {
    1: msg('scaleTargetRef', 'CrossVersionObjectReference'),
    2: i32('minReplicas', KEEP),
    3: i32('maxReplicas', KEEP),
    4: i32('targetCPUUtilizationPercentage', KEEP),
  },
  CrossVersionObjectReference: { 1: str('kind', KEEP), 2: str('name', KEEP), 3: str('apiVersion') },
  HorizontalPodAutoscalerStatus: {
    1: i64('observedGeneration', KEEP),
    2: time('lastScaleTime', KEEP),
    3: i32('currentReplicas', KEEP),
    4: i32('desiredReplicas', KEEP),
    5: i32('currentCPUUtilizationPercentage', KEEP),
  },
};

const policy: Record<string, MessageSpec> = {
  Eviction: { 1: metadata, 2: msg('deleteOptions', 'DeleteOptions') },
  PodDisruptionBudget: { 1: metadata, 2: msg('spec', 'PodDisruptionBudgetSpec'), 3: msg('status', 'PodDisruptionBudgetStatus') },
  PodDisruptionBudgetSpec: {
    1: intOrString('minAvailable'),
    2: msg('selector', 'LabelSelector'),
    3: intOrString('maxUnavailable'),
  },
  PodDisruptionBudgetStatus: {
    1: i64('observedGeneration'),
    2: time('disruptedPods', MAP),
    3: i32('disruptionsAllowed', KEEP),
    4: i32('currentHealthy', KEEP),
    5: i32('desiredHealthy', KEEP),
    6: i32('expectedPods', KEEP),
    7: msg('conditions', 'Condition', LIST),
  },
};

export const WORKLOADS: Record<string, MessageSpec> = { ...apps, ...batch, ...autoscaling, ...policy };
