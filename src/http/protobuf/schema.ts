/**
 * The protobuf messages kubectl's generators send, as data: for each message, field
 * number -> JSON name and type, written from Kubernetes' generated.proto files
 * (k8s.io/api core/v1, apps/v1, batch/v1; apimachinery meta/v1, runtime, intstr,
 * resource). Only these messages; a field not listed is decoded only if it holds its zero
 * value (Go's marshaller writes every non-pointer field, set or not), else refused.
 *
 * `keep` marks fields whose Go type is a pointer or whose JSON tag lacks omitempty: their
 * zero value is meaningful and stays in the JSON (replicas: 0, containerPort). Every other
 * scalar is dropped when zero, as Go's omitempty does. Nested messages are kept even when
 * empty (`resources: {}`, `status: {}`): Go does not omit structs.
 */

export type ScalarType = 'string' | 'bytes' | 'int32' | 'int64' | 'bool';
/** Well-known Kubernetes messages with their own JSON form. */
export type SpecialType = 'time' | 'quantity' | 'intOrString';
export type FieldType = ScalarType | SpecialType | { message: string };

export interface FieldSpec {
  name: string;
  type: FieldType;
  repeated?: true;
  /** map<string, type>: entries are messages of key = 1, value = 2. */
  map?: true;
  keep?: true;
}

export type MessageSpec = Record<number, FieldSpec>;

type Options = Partial<Pick<FieldSpec, 'repeated' | 'map' | 'keep'>>;
const field = (type: FieldType) => (name: string, options: Options = {}): FieldSpec => ({ name, type, ...options });
const str = field('string');
const bytes = field('bytes');
const i32 = field('int32');
const i64 = field('int64');
const bool = field('bool');
const time = field('time');
const quantity = field('quantity');
const intOrString = field('intOrString');
const msg = (name: string, message: string, options: Options = {}): FieldSpec => ({ name, type: { message }, ...options });
const KEEP = { keep: true } as const;
const LIST = { repeated: true } as const;
const MAP = { map: true } as const;

const meta: Record<string, MessageSpec> = {
  ObjectMeta: {
    1: str('name'),
    2: str('generateName'),
    3: str('namespace'),
    4: str('selfLink'),
    5: str('uid'),
    6: str('resourceVersion'),
    7: i64('generation'),
    8: time('creationTimestamp'),
    9: time('deletionTimestamp', KEEP),
    10: i64('deletionGracePeriodSeconds', KEEP),
    11: str('labels', MAP),
    12: str('annotations', MAP),
    13: msg('ownerReferences', 'OwnerReference', LIST),
    14: str('finalizers', LIST),
  },
  OwnerReference: {
    5: str('apiVersion', KEEP),
    1: str('kind', KEEP),
    3: str('name', KEEP),
    4: str('uid', KEEP),
    6: bool('controller', KEEP),
    7: bool('blockOwnerDeletion', KEEP),
  },
  LabelSelector: {
    1: str('matchLabels', MAP),
    2: msg('matchExpressions', 'LabelSelectorRequirement', LIST),
  },
  LabelSelectorRequirement: {
    1: str('key', KEEP),
    2: str('operator', KEEP),
    3: str('values', LIST),
  },
};

const core: Record<string, MessageSpec> = {
  Namespace: { 1: msg('metadata', 'ObjectMeta'), 2: msg('spec', 'NamespaceSpec'), 3: msg('status', 'NamespaceStatus') },
  NamespaceSpec: { 1: str('finalizers', LIST) },
  NamespaceStatus: { 1: str('phase') },
  ConfigMap: {
    1: msg('metadata', 'ObjectMeta'),
    4: bool('immutable', KEEP),
    2: str('data', MAP),
    3: bytes('binaryData', MAP),
  },
  Secret: {
    1: msg('metadata', 'ObjectMeta'),
    5: bool('immutable', KEEP),
    2: bytes('data', MAP),
    4: str('stringData', MAP),
    3: str('type'),
  },
  ServiceAccount: {
    1: msg('metadata', 'ObjectMeta'),
    2: msg('secrets', 'ObjectReference', LIST),
    3: msg('imagePullSecrets', 'LocalObjectReference', LIST),
    4: bool('automountServiceAccountToken', KEEP),
  },
  ObjectReference: {
    1: str('kind'),
    2: str('namespace'),
    3: str('name'),
    4: str('uid'),
    5: str('apiVersion'),
    6: str('resourceVersion'),
    7: str('fieldPath'),
  },
  LocalObjectReference: { 1: str('name') },
  PodTemplateSpec: { 1: msg('metadata', 'ObjectMeta'), 2: msg('spec', 'PodSpec') },
  PodSpec: {
    1: msg('volumes', 'Volume', LIST),
    20: msg('initContainers', 'Container', LIST),
    2: msg('containers', 'Container', LIST),
    3: str('restartPolicy'),
    4: i64('terminationGracePeriodSeconds', KEEP),
    5: i64('activeDeadlineSeconds', KEEP),
    6: str('dnsPolicy'),
    7: str('nodeSelector', MAP),
    8: str('serviceAccountName'),
    9: str('serviceAccount'),
    21: bool('automountServiceAccountToken', KEEP),
    10: str('nodeName'),
    11: bool('hostNetwork'),
    12: bool('hostPID'),
    13: bool('hostIPC'),
    27: bool('shareProcessNamespace', KEEP),
    15: msg('imagePullSecrets', 'LocalObjectReference', LIST),
    16: str('hostname'),
    17: str('subdomain'),
    19: str('schedulerName'),
    22: msg('tolerations', 'Toleration', LIST),
    24: str('priorityClassName'),
    25: i32('priority', KEEP),
    29: str('runtimeClassName', KEEP),
    30: bool('enableServiceLinks', KEEP),
    31: str('preemptionPolicy', KEEP),
    35: bool('setHostnameAsFQDN', KEEP),
    37: bool('hostUsers', KEEP),
  },
  Volume: { 1: str('name', KEEP) },
  Toleration: {
    1: str('key'),
    2: str('operator'),
    3: str('value'),
    4: str('effect'),
    5: i64('tolerationSeconds', KEEP),
  },
  Container: {
    1: str('name', KEEP),
    2: str('image'),
    3: str('command', LIST),
    4: str('args', LIST),
    5: str('workingDir'),
    6: msg('ports', 'ContainerPort', LIST),
    7: msg('env', 'EnvVar', LIST),
    8: msg('resources', 'ResourceRequirements'),
    13: str('terminationMessagePath'),
    20: str('terminationMessagePolicy'),
    14: str('imagePullPolicy'),
    16: bool('stdin'),
    17: bool('stdinOnce'),
    18: bool('tty'),
    24: str('restartPolicy', KEEP),
  },
  ContainerPort: {
    1: str('name'),
    2: i32('hostPort'),
    3: i32('containerPort', KEEP),
    4: str('protocol'),
    5: str('hostIP'),
  },
  EnvVar: { 1: str('name', KEEP), 2: str('value') },
  ResourceRequirements: { 1: quantity('limits', MAP), 2: quantity('requests', MAP) },
  Service: { 1: msg('metadata', 'ObjectMeta'), 2: msg('spec', 'ServiceSpec'), 3: msg('status', 'ServiceStatus') },
  ServiceSpec: {
    1: msg('ports', 'ServicePort', LIST),
    2: str('selector', MAP),
    3: str('clusterIP'),
    18: str('clusterIPs', LIST),
    4: str('type'),
    5: str('externalIPs', LIST),
    7: str('sessionAffinity'),
    8: str('loadBalancerIP'),
    9: str('loadBalancerSourceRanges', LIST),
    10: str('externalName'),
    11: str('externalTrafficPolicy'),
    12: i32('healthCheckNodePort'),
    13: bool('publishNotReadyAddresses'),
    19: str('ipFamilies', LIST),
    17: str('ipFamilyPolicy', KEEP),
    20: bool('allocateLoadBalancerNodePorts', KEEP),
    21: str('loadBalancerClass', KEEP),
    22: str('internalTrafficPolicy', KEEP),
    23: str('trafficDistribution', KEEP),
  },
  ServicePort: {
    1: str('name'),
    2: str('protocol'),
    6: str('appProtocol', KEEP),
    3: i32('port', KEEP),
    4: intOrString('targetPort'),
    5: i32('nodePort'),
  },
  ServiceStatus: { 1: msg('loadBalancer', 'LoadBalancerStatus') },
  LoadBalancerStatus: {},
};

const apps: Record<string, MessageSpec> = {
  Deployment: { 1: msg('metadata', 'ObjectMeta'), 2: msg('spec', 'DeploymentSpec'), 3: msg('status', 'DeploymentStatus') },
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
  Job: { 1: msg('metadata', 'ObjectMeta'), 2: msg('spec', 'JobSpec'), 3: msg('status', 'JobStatus') },
  JobSpec: {
    1: i32('parallelism', KEEP),
    2: i32('completions', KEEP),
    3: i64('activeDeadlineSeconds', KEEP),
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
};

/** Every message by name (names are unique across the packages we read). */
export const MESSAGES: Record<string, MessageSpec> = { ...meta, ...core, ...apps, ...batch };

/** The top-level message of each object kind we decode, by "apiVersion/kind". */
export const KINDS: Record<string, string> = {
  'v1/Namespace': 'Namespace',
  'v1/ConfigMap': 'ConfigMap',
  'v1/Secret': 'Secret',
  'v1/ServiceAccount': 'ServiceAccount',
  'v1/Service': 'Service',
  'apps/v1/Deployment': 'Deployment',
  'batch/v1/Job': 'Job',
};
