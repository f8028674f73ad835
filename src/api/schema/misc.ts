/**
 * The smaller groups: coordination.k8s.io Lease, discovery.k8s.io EndpointSlice,
 * events.k8s.io Event, storage.k8s.io StorageClass, autoscaling/v2
 * HorizontalPodAutoscaler and policy/v1 PodDisruptionBudget.
 */
import { conditionsOf, conditionList, kind, LabelSelector, ObjectReference } from './meta.ts';
import { PROTOCOLS } from './core-container.ts';
import { bool, int32, int64, intOrString, listOf, mapOf, obj, quantity, str, strList, strMap, time } from './dsl.ts';

export const Lease = kind('io.k8s.api.coordination.v1.Lease', {
  spec: obj(
    {
      holderIdentity: str(),
      leaseDurationSeconds: int32(),
      acquireTime: time(),
      renewTime: time(),
      leaseTransitions: int32(),
      strategy: str(),
      preferredHolder: str(),
    },
    { name: 'io.k8s.api.coordination.v1.LeaseSpec' },
  ),
});

const DISCOVERY = 'io.k8s.api.discovery.v1';

export const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'] as const;

export const EndpointSlice = kind(`${DISCOVERY}.EndpointSlice`, {
  addressType: str({ enum: ADDRESS_TYPES }),
  endpoints: listOf(
    obj(
      {
        addresses: listOf(str(), { listType: 'set' }),
        conditions: obj({ ready: bool(), serving: bool(), terminating: bool() }, { name: `${DISCOVERY}.EndpointConditions` }),
        hostname: str(),
        targetRef: ObjectReference,
        deprecatedTopology: strMap(),
        nodeName: str(),
        zone: str(),
        hints: obj(
          { forZones: listOf(obj({ name: str() })), forNodes: listOf(obj({ name: str() })) },
          { name: `${DISCOVERY}.EndpointHints` },
        ),
      },
      { name: `${DISCOVERY}.Endpoint`, required: ['addresses'] },
    ),
  ),
  ports: listOf(obj({ name: str(), protocol: str({ enum: PROTOCOLS }), port: int32(), appProtocol: str() }, { name: `${DISCOVERY}.EndpointPort` })),
});

export const EventsV1Event = kind('io.k8s.api.events.v1.Event', {
  eventTime: time(),
  series: obj({ count: int32(), lastObservedTime: time() }, { name: 'io.k8s.api.events.v1.EventSeries' }),
  reportingController: str(),
  reportingInstance: str(),
  action: str(),
  reason: str(),
  regarding: ObjectReference,
  related: ObjectReference,
  note: str(),
  type: str(),
  deprecatedSource: obj({ component: str(), host: str() }),
  deprecatedFirstTimestamp: time(),
  deprecatedLastTimestamp: time(),
  deprecatedCount: int32(),
});

export const PriorityClass = kind('io.k8s.api.scheduling.v1.PriorityClass', {
  value: int32(),
  globalDefault: bool(),
  description: str(),
  preemptionPolicy: str({ enum: ['Never', 'PreemptLowerPriority'] }),
});

export const StorageClass = kind('io.k8s.api.storage.v1.StorageClass', {
  provisioner: str(),
  parameters: strMap(),
  reclaimPolicy: str({ enum: ['Delete', 'Retain'] }),
  mountOptions: strList(),
  allowVolumeExpansion: bool(),
  volumeBindingMode: str({ enum: ['Immediate', 'WaitForFirstConsumer'] }),
  allowedTopologies: listOf(
    obj({ matchLabelExpressions: listOf(obj({ key: str(), values: strList() }, { required: ['key', 'values'] })) }, { name: 'io.k8s.api.core.v1.TopologySelectorTerm' }),
  ),
});

const AUTOSCALING = 'io.k8s.api.autoscaling.v2';

const MetricTarget = obj(
  {
    type: str({ enum: ['AverageValue', 'Utilization', 'Value'] }),
    value: quantity(),
    averageValue: quantity(),
    averageUtilization: int32(),
  },
  { name: `${AUTOSCALING}.MetricTarget`, required: ['type'] },
);

const MetricIdentifier = obj({ name: str(), selector: LabelSelector }, { name: `${AUTOSCALING}.MetricIdentifier`, required: ['name'] });

const CrossVersionObjectReference = obj(
  { apiVersion: str(), kind: str(), name: str() },
  { name: `${AUTOSCALING}.CrossVersionObjectReference`, required: ['kind', 'name'] },
);

export const METRIC_SOURCE_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'] as const;

const MetricSpec = obj(
  {
    type: str({ enum: METRIC_SOURCE_TYPES }),
    object: obj({ describedObject: CrossVersionObjectReference, metric: MetricIdentifier, target: MetricTarget }),
    pods: obj({ metric: MetricIdentifier, target: MetricTarget }),
    resource: obj({ name: str(), target: MetricTarget }, { name: `${AUTOSCALING}.ResourceMetricSource`, required: ['name', 'target'] }),
    containerResource: obj({ name: str(), container: str(), target: MetricTarget }),
    external: obj({ metric: MetricIdentifier, target: MetricTarget }),
  },
  { name: `${AUTOSCALING}.MetricSpec`, required: ['type'] },
);

export const HPAScalingRules = obj(
  {
    stabilizationWindowSeconds: int32(),
    selectPolicy: str({ enum: ['Disabled', 'Max', 'Min'] }),
    policies: listOf(
      obj({ type: str({ enum: ['Percent', 'Pods'] }), value: int32(), periodSeconds: int32() }, { name: `${AUTOSCALING}.HPAScalingPolicy`, required: ['type', 'value', 'periodSeconds'] }),
    ),
    tolerance: quantity(),
  },
  { name: `${AUTOSCALING}.HPAScalingRules` },
);

export const HorizontalPodAutoscaler = kind(`${AUTOSCALING}.HorizontalPodAutoscaler`, {
  spec: obj(
    {
      scaleTargetRef: CrossVersionObjectReference,
      minReplicas: int32(),
      maxReplicas: int32(),
      metrics: listOf(MetricSpec),
      behavior: obj({ scaleUp: HPAScalingRules, scaleDown: HPAScalingRules }, { name: `${AUTOSCALING}.HorizontalPodAutoscalerBehavior` }),
    },
    { name: `${AUTOSCALING}.HorizontalPodAutoscalerSpec`, required: ['scaleTargetRef', 'maxReplicas'] },
  ),
  status: obj(
    {
      observedGeneration: int64(),
      lastScaleTime: time(),
      currentReplicas: int32(),
      desiredReplicas: int32(),
      currentMetrics: listOf(obj({}, { preserveUnknownFields: true })),
      conditions: conditionsOf(),
    },
    { name: `${AUTOSCALING}.HorizontalPodAutoscalerStatus` },
  ),
});

export const PodDisruptionBudget = kind('io.k8s.api.policy.v1.PodDisruptionBudget', {
  spec: obj(
    {
      minAvailable: intOrString(),
      selector: LabelSelector,
      maxUnavailable: intOrString(),
      unhealthyPodEvictionPolicy: str({ enum: ['AlwaysAllow', 'IfHealthyBudget'] }),
    },
    { name: 'io.k8s.api.policy.v1.PodDisruptionBudgetSpec' },
  ),
  status: obj(
    {
      observedGeneration: int64(),
      disruptedPods: mapOf(time()),
      disruptionsAllowed: int32(),
      currentHealthy: int32(),
      desiredHealthy: int32(),
      expectedPods: int32(),
      conditions: conditionList(),
    },
    { name: 'io.k8s.api.policy.v1.PodDisruptionBudgetStatus' },
  ),
});
