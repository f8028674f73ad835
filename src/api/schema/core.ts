/**
 * The other core/v1 kinds: Namespace, Node, Service, Endpoints, ConfigMap, Secret,
 * ServiceAccount, Event, ResourceQuota, LimitRange and ReplicationController (the
 * persistent volume kinds are in core-storage.ts).
 */
import { conditionList, conditionsOf, kind, LocalObjectReference, ObjectReference } from './meta.ts';
import { PROTOCOLS } from './core-container.ts';
import { PodTemplateSpec, TAINT_EFFECTS } from './core-pod.ts';
import {
  any,
  bool,
  bytes,
  int32,
  int64,
  intOrString,
  keyedList,
  listOf,
  mapOf,
  obj,
  quantityMap,
  str,
  strList,
  strMap,
  time,
} from './dsl.ts';

const CORE = 'io.k8s.api.core.v1';

export const Namespace = kind(`${CORE}.Namespace`, {
  spec: obj({ finalizers: strList() }, { name: `${CORE}.NamespaceSpec` }),
  status: obj({ phase: str({ enum: ['Active', 'Terminating'] }), conditions: conditionsOf() }, { name: `${CORE}.NamespaceStatus` }),
});

export const Taint = obj(
  { key: str(), value: str(), effect: str({ enum: TAINT_EFFECTS }), timeAdded: time() },
  { name: `${CORE}.Taint`, required: ['key', 'effect'] },
);

export const Node = kind(`${CORE}.Node`, {
  spec: obj(
    {
      podCIDR: str(),
      podCIDRs: listOf(str(), { listType: 'set', patchStrategy: 'merge' }),
      providerID: str(),
      unschedulable: bool(),
      taints: listOf(Taint),
      configSource: any(),
      externalID: str(),
    },
    { name: `${CORE}.NodeSpec` },
  ),
  status: obj(
    {
      capacity: quantityMap(),
      allocatable: quantityMap(),
      phase: str(),
      conditions: conditionsOf(['lastHeartbeatTime']),
      addresses: keyedList(obj({ type: str(), address: str() }, { name: `${CORE}.NodeAddress`, required: ['type', 'address'] }), 'type'),
      daemonEndpoints: obj({ kubeletEndpoint: obj({ Port: int32() }) }, { name: `${CORE}.NodeDaemonEndpoints` }),
      nodeInfo: obj(
        {
          machineID: str(),
          systemUUID: str(),
          bootID: str(),
          kernelVersion: str(),
          osImage: str(),
          containerRuntimeVersion: str(),
          kubeletVersion: str(),
          kubeProxyVersion: str(),
          operatingSystem: str(),
          architecture: str(),
          swap: any(),
        },
        { name: `${CORE}.NodeSystemInfo` },
      ),
      images: listOf(obj({ names: strList(), sizeBytes: int64() })),
      volumesInUse: strList(),
      volumesAttached: listOf(obj({ name: str(), devicePath: str() })),
      config: any(),
      runtimeHandlers: any(),
      features: any(),
      declaredFeatures: any(),
    },
    { name: `${CORE}.NodeStatus` },
  ),
});

export const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'] as const;

export const ServicePort = obj(
  {
    name: str(),
    protocol: str({ enum: PROTOCOLS }),
    appProtocol: str(),
    port: int32(),
    targetPort: intOrString(),
    nodePort: int32(),
  },
  { name: `${CORE}.ServicePort`, required: ['port'] },
);

const LoadBalancerIngress = obj(
  {
    ip: str(),
    hostname: str(),
    ipMode: str(),
    ports: listOf(obj({ port: int32(), protocol: str(), error: str() })),
  },
  { name: `${CORE}.LoadBalancerIngress` },
);

export const LoadBalancerStatus = obj({ ingress: listOf(LoadBalancerIngress) }, { name: `${CORE}.LoadBalancerStatus` });

export const Service = kind(`${CORE}.Service`, {
  spec: obj(
    {
      ports: listOf(ServicePort, { mapKeys: ['port', 'protocol'], mergeKey: 'port' }),
      selector: strMap(),
      clusterIP: str(),
      clusterIPs: strList(),
      type: str({ enum: SERVICE_TYPES }),
      externalIPs: strList(),
      sessionAffinity: str({ enum: ['ClientIP', 'None'] }),
      loadBalancerIP: str(),
      loadBalancerSourceRanges: strList(),
      externalName: str(),
      externalTrafficPolicy: str({ enum: ['Cluster', 'Local'] }),
      healthCheckNodePort: int32(),
      publishNotReadyAddresses: bool(),
      sessionAffinityConfig: obj({ clientIP: obj({ timeoutSeconds: int32() }) }, { name: `${CORE}.SessionAffinityConfig` }),
      ipFamilies: strList(),
      ipFamilyPolicy: str({ enum: ['SingleStack', 'PreferDualStack', 'RequireDualStack'] }),
      allocateLoadBalancerNodePorts: bool(),
      loadBalancerClass: str(),
      internalTrafficPolicy: str({ enum: ['Cluster', 'Local'] }),
      trafficDistribution: str(),
    },
    { name: `${CORE}.ServiceSpec` },
  ),
  status: obj({ loadBalancer: LoadBalancerStatus, conditions: conditionList() }, { name: `${CORE}.ServiceStatus` }),
});

const EndpointAddress = obj(
  { ip: str(), hostname: str(), nodeName: str(), targetRef: ObjectReference },
  { name: `${CORE}.EndpointAddress`, required: ['ip'] },
);

export const Endpoints = kind(`${CORE}.Endpoints`, {
  subsets: listOf(
    obj(
      {
        addresses: listOf(EndpointAddress),
        notReadyAddresses: listOf(EndpointAddress),
        ports: listOf(obj({ name: str(), port: int32(), protocol: str({ enum: PROTOCOLS }), appProtocol: str() }, { name: `${CORE}.EndpointPort` })),
      },
      { name: `${CORE}.EndpointSubset` },
    ),
  ),
});

export const ConfigMap = kind(`${CORE}.ConfigMap`, {
  data: strMap(),
  binaryData: mapOf(bytes()),
  immutable: bool(),
});

export const Secret = kind(`${CORE}.Secret`, {
  data: mapOf(bytes()),
  stringData: strMap(),
  type: str(),
  immutable: bool(),
});

export const ServiceAccount = kind(`${CORE}.ServiceAccount`, {
  secrets: keyedList(ObjectReference, 'name'),
  imagePullSecrets: listOf(LocalObjectReference),
  automountServiceAccountToken: bool(),
});

export const Event = kind(`${CORE}.Event`, {
  involvedObject: ObjectReference,
  reason: str(),
  message: str(),
  source: obj({ component: str(), host: str() }, { name: `${CORE}.EventSource` }),
  firstTimestamp: time(),
  lastTimestamp: time(),
  count: int32(),
  type: str(),
  eventTime: time(),
  series: obj({ count: int32(), lastObservedTime: time() }, { name: `${CORE}.EventSeries` }),
  action: str(),
  related: ObjectReference,
  reportingComponent: str(),
  reportingInstance: str(),
});

export const ResourceQuota = kind(`${CORE}.ResourceQuota`, {
  spec: obj(
    {
      hard: quantityMap(),
      scopes: strList(),
      scopeSelector: obj({
        matchExpressions: listOf(obj({ scopeName: str(), operator: str({ enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] }), values: strList() })),
      }),
    },
    { name: `${CORE}.ResourceQuotaSpec` },
  ),
  status: obj({ hard: quantityMap(), used: quantityMap() }, { name: `${CORE}.ResourceQuotaStatus` }),
});

export const LIMIT_TYPES = ['Container', 'Pod', 'PersistentVolumeClaim'] as const;

export const LimitRange = kind(`${CORE}.LimitRange`, {
  spec: obj(
    {
      limits: listOf(
        obj(
          {
            type: str(),
            max: quantityMap(),
            min: quantityMap(),
            default: quantityMap(),
            defaultRequest: quantityMap(),
            maxLimitRequestRatio: quantityMap(),
          },
          { name: `${CORE}.LimitRangeItem`, required: ['type'] },
        ),
      ),
    },
    { name: `${CORE}.LimitRangeSpec`, required: ['limits'] },
  ),
});

export const ReplicationController = kind(`${CORE}.ReplicationController`, {
  spec: obj(
    { replicas: int32({ minimum: 0 }), minReadySeconds: int32({ minimum: 0 }), selector: strMap(), template: PodTemplateSpec },
    { name: `${CORE}.ReplicationControllerSpec` },
  ),
  status: obj(
    {
      replicas: int32(),
      fullyLabeledReplicas: int32(),
      readyReplicas: int32(),
      availableReplicas: int32(),
      observedGeneration: int64(),
      conditions: conditionsOf(),
    },
    { name: `${CORE}.ReplicationControllerStatus` },
  ),
});

