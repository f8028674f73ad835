/** apps/v1: Deployment, ReplicaSet, StatefulSet, DaemonSet, ControllerRevision. */
import { conditionsOf, kind, LabelSelector } from './meta.ts';
import { PodTemplateSpec } from './core-pod.ts';
import { PersistentVolumeClaimTemplate } from './core-storage.ts';
import { any, bool, int32, int64, intOrString, listOf, obj, str, type IntegerSchema } from './dsl.ts';

const APPS = 'io.k8s.api.apps.v1';

const replicaCounts = <const N extends string>(...names: N[]) =>
  Object.fromEntries(names.map((n) => [n, int32()])) as Record<N, IntegerSchema>;

export const Deployment = kind(`${APPS}.Deployment`, {
  spec: obj(
    {
      replicas: int32({ minimum: 0 }),
      selector: LabelSelector,
      template: PodTemplateSpec,
      strategy: obj(
        {
          // Kubernetes reports a bad strategy type at spec.strategy, so the rule lives in validation.
          type: str({
            enum: ['Recreate', 'RollingUpdate'],
            enforceEnum: false,
            description: 'Type of deployment. Can be "Recreate" or "RollingUpdate". Default is RollingUpdate.',
          }),
          rollingUpdate: obj(
            {
              maxUnavailable: intOrString({ description: 'The maximum number of pods that can be unavailable during the update.' }),
              maxSurge: intOrString({ description: 'The maximum number of pods that can be scheduled above the desired number of pods.' }),
            },
            { name: `${APPS}.RollingUpdateDeployment`, description: 'Rolling update config params. Present only if DeploymentStrategyType = RollingUpdate.' },
          ),
        },
        {
          name: `${APPS}.DeploymentStrategy`,
          patchStrategy: 'retainKeys',
          description: 'The deployment strategy to use to replace existing pods with new ones.',
        },
      ),
      minReadySeconds: int32({ minimum: 0 }),
      revisionHistoryLimit: int32({ minimum: 0 }),
      paused: bool(),
      progressDeadlineSeconds: int32({ minimum: 0 }),
    },
    { name: `${APPS}.DeploymentSpec`, required: ['selector', 'template'] },
  ),
  status: obj(
    {
      observedGeneration: int64(),
      ...replicaCounts('replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'terminatingReplicas', 'collisionCount'),
      conditions: conditionsOf(['lastUpdateTime']),
    },
    { name: `${APPS}.DeploymentStatus` },
  ),
});

export const ReplicaSet = kind(`${APPS}.ReplicaSet`, {
  spec: obj(
    { replicas: int32({ minimum: 0 }), minReadySeconds: int32({ minimum: 0 }), selector: LabelSelector, template: PodTemplateSpec },
    { name: `${APPS}.ReplicaSetSpec`, required: ['selector'] },
  ),
  status: obj(
    {
      ...replicaCounts('replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'terminatingReplicas'),
      observedGeneration: int64(),
      conditions: conditionsOf(),
    },
    { name: `${APPS}.ReplicaSetStatus`, required: ['replicas'] },
  ),
});

export const PVC_RETENTION_POLICIES = ['Delete', 'Retain'] as const;

export const StatefulSet = kind(`${APPS}.StatefulSet`, {
  spec: obj(
    {
      replicas: int32({ minimum: 0 }),
      selector: LabelSelector,
      template: PodTemplateSpec,
      volumeClaimTemplates: listOf(PersistentVolumeClaimTemplate),
      serviceName: str(),
      podManagementPolicy: str({ enum: ['OrderedReady', 'Parallel'], enforceEnum: false }),
      updateStrategy: obj(
        {
          type: str({ enum: ['RollingUpdate', 'OnDelete'], enforceEnum: false }),
          rollingUpdate: obj(
            { partition: int32({ minimum: 0 }), maxUnavailable: intOrString() },
            { name: `${APPS}.RollingUpdateStatefulSetStrategy` },
          ),
        },
        { name: `${APPS}.StatefulSetUpdateStrategy` },
      ),
      revisionHistoryLimit: int32({ minimum: 0 }),
      minReadySeconds: int32({ minimum: 0 }),
      persistentVolumeClaimRetentionPolicy: obj(
        { whenDeleted: str({ enum: PVC_RETENTION_POLICIES }), whenScaled: str({ enum: PVC_RETENTION_POLICIES }) },
        { name: `${APPS}.StatefulSetPersistentVolumeClaimRetentionPolicy` },
      ),
      ordinals: obj({ start: int32({ minimum: 0 }) }, { name: `${APPS}.StatefulSetOrdinals` }),
    },
    { name: `${APPS}.StatefulSetSpec`, required: ['selector', 'template'] },
  ),
  status: obj(
    {
      observedGeneration: int64(),
      ...replicaCounts('replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'collisionCount'),
      currentRevision: str(),
      updateRevision: str(),
      conditions: conditionsOf(),
    },
    { name: `${APPS}.StatefulSetStatus`, required: ['replicas'] },
  ),
});

export const DaemonSet = kind(`${APPS}.DaemonSet`, {
  spec: obj(
    {
      selector: LabelSelector,
      template: PodTemplateSpec,
      updateStrategy: obj(
        {
          type: str({ enum: ['RollingUpdate', 'OnDelete'], enforceEnum: false }),
          rollingUpdate: obj({ maxUnavailable: intOrString(), maxSurge: intOrString() }, { name: `${APPS}.RollingUpdateDaemonSet` }),
        },
        { name: `${APPS}.DaemonSetUpdateStrategy` },
      ),
      minReadySeconds: int32({ minimum: 0 }),
      revisionHistoryLimit: int32({ minimum: 0 }),
    },
    { name: `${APPS}.DaemonSetSpec`, required: ['selector', 'template'] },
  ),
  status: obj(
    {
      ...replicaCounts(
        'currentNumberScheduled',
        'numberMisscheduled',
        'desiredNumberScheduled',
        'numberReady',
        'updatedNumberScheduled',
        'numberAvailable',
        'numberUnavailable',
        'collisionCount',
      ),
      observedGeneration: int64(),
      conditions: conditionsOf(),
    },
    { name: `${APPS}.DaemonSetStatus` },
  ),
});

export const ControllerRevision = kind(`${APPS}.ControllerRevision`, {
  data: any(),
  revision: int64({ minimum: 0 }),
});

