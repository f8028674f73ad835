/**
 * core/v1 Pod: PodSpec (shared by every pod template), PodStatus, and the scheduling
 * vocabulary (affinity, tolerations, topology spread).
 */
import { conditionsOf, kind, LabelSelector, LocalObjectReference, ObjectMeta } from './meta.ts';
import {
  AppArmorProfile,
  Container,
  EphemeralContainer,
  ResourceRequirements,
  SeccompProfile,
  SELinuxOptions,
  VolumeMount,
  WindowsSecurityContextOptions,
} from './core-container.ts';
import { volumeList } from './core-volume.ts';
import { any, bool, int32, int64, keyedList, listOf, obj, quantityMap, str, strList, strMap, time } from './dsl.ts';

const CORE = 'io.k8s.api.core.v1';

export const NodeSelectorRequirement = obj(
  { key: str(), operator: str({ enum: ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'], enforceEnum: false }), values: strList() },
  { name: `${CORE}.NodeSelectorRequirement`, required: ['key', 'operator'] },
);

export const NodeSelectorTerm = obj(
  { matchExpressions: listOf(NodeSelectorRequirement), matchFields: listOf(NodeSelectorRequirement) },
  { name: `${CORE}.NodeSelectorTerm` },
);

export const NodeSelector = obj({ nodeSelectorTerms: listOf(NodeSelectorTerm) }, { name: `${CORE}.NodeSelector`, required: ['nodeSelectorTerms'] });

const PodAffinityTerm = obj(
  {
    labelSelector: LabelSelector,
    namespaceSelector: LabelSelector,
    namespaces: strList(),
    topologyKey: str(),
    matchLabelKeys: strList(),
    mismatchLabelKeys: strList(),
  },
  { name: `${CORE}.PodAffinityTerm`, required: ['topologyKey'] },
);

const WeightedPodAffinityTerm = obj(
  { weight: int32(), podAffinityTerm: PodAffinityTerm },
  { name: `${CORE}.WeightedPodAffinityTerm`, required: ['weight', 'podAffinityTerm'] },
);

const podAffinityOf = (name: string) =>
  obj(
    {
      requiredDuringSchedulingIgnoredDuringExecution: listOf(PodAffinityTerm),
      preferredDuringSchedulingIgnoredDuringExecution: listOf(WeightedPodAffinityTerm),
    },
    { name: `${CORE}.${name}` },
  );

export const Affinity = obj(
  {
    nodeAffinity: obj(
      {
        requiredDuringSchedulingIgnoredDuringExecution: NodeSelector,
        preferredDuringSchedulingIgnoredDuringExecution: listOf(
          obj({ weight: int32(), preference: NodeSelectorTerm }, { name: `${CORE}.PreferredSchedulingTerm`, required: ['weight', 'preference'] }),
        ),
      },
      { name: `${CORE}.NodeAffinity` },
    ),
    podAffinity: podAffinityOf('PodAffinity'),
    podAntiAffinity: podAffinityOf('PodAntiAffinity'),
  },
  { name: `${CORE}.Affinity` },
);

export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

export const Toleration = obj(
  {
    key: str(),
    operator: str({ enum: ['Equal', 'Exists'] }),
    value: str(),
    effect: str({ enum: TAINT_EFFECTS }),
    tolerationSeconds: int64(),
  },
  { name: `${CORE}.Toleration` },
);

export const TopologySpreadConstraint = obj(
  {
    maxSkew: int32(),
    topologyKey: str(),
    whenUnsatisfiable: str({ enum: ['DoNotSchedule', 'ScheduleAnyway'] }),
    labelSelector: LabelSelector,
    minDomains: int32(),
    nodeAffinityPolicy: str({ enum: ['Honor', 'Ignore'] }),
    nodeTaintsPolicy: str({ enum: ['Honor', 'Ignore'] }),
    matchLabelKeys: strList(),
  },
  { name: `${CORE}.TopologySpreadConstraint`, required: ['maxSkew', 'topologyKey', 'whenUnsatisfiable'] },
);

export const PodSecurityContext = obj(
  {
    seLinuxOptions: SELinuxOptions,
    windowsOptions: WindowsSecurityContextOptions,
    runAsUser: int64(),
    runAsGroup: int64(),
    runAsNonRoot: bool(),
    supplementalGroups: listOf(int64()),
    supplementalGroupsPolicy: str({ enum: ['Merge', 'Strict'] }),
    fsGroup: int64(),
    sysctls: listOf(obj({ name: str(), value: str() }, { required: ['name', 'value'] })),
    fsGroupChangePolicy: str({ enum: ['OnRootMismatch', 'Always'] }),
    seccompProfile: SeccompProfile,
    appArmorProfile: AppArmorProfile,
    seLinuxChangePolicy: str(),
  },
  { name: `${CORE}.PodSecurityContext` },
);

export const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'] as const;
export const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'] as const;

export const PodSpec = obj(
  {
    volumes: volumeList(),
    initContainers: keyedList(Container, 'name'),
    containers: keyedList(Container, 'name'),
    ephemeralContainers: keyedList(EphemeralContainer, 'name'),
    restartPolicy: str({ enum: RESTART_POLICIES }),
    terminationGracePeriodSeconds: int64(),
    activeDeadlineSeconds: int64(),
    dnsPolicy: str({ enum: DNS_POLICIES }),
    nodeSelector: strMap(),
    serviceAccountName: str(),
    serviceAccount: str(),
    automountServiceAccountToken: bool(),
    nodeName: str(),
    hostNetwork: bool(),
    hostPID: bool(),
    hostIPC: bool(),
    shareProcessNamespace: bool(),
    securityContext: PodSecurityContext,
    imagePullSecrets: keyedList(LocalObjectReference, 'name'),
    hostname: str(),
    subdomain: str(),
    affinity: Affinity,
    schedulerName: str(),
    tolerations: listOf(Toleration),
    hostAliases: keyedList(obj({ ip: str(), hostnames: strList() }, { name: `${CORE}.HostAlias`, required: ['ip'] }), 'ip'),
    priorityClassName: str(),
    priority: int32(),
    dnsConfig: obj(
      { nameservers: strList(), searches: strList(), options: listOf(obj({ name: str(), value: str() })) },
      { name: `${CORE}.PodDNSConfig` },
    ),
    readinessGates: listOf(obj({ conditionType: str() }, { name: `${CORE}.PodReadinessGate`, required: ['conditionType'] })),
    runtimeClassName: str(),
    enableServiceLinks: bool(),
    preemptionPolicy: str({ enum: ['PreemptLowerPriority', 'Never'] }),
    overhead: quantityMap(),
    topologySpreadConstraints: listOf(TopologySpreadConstraint, { mapKeys: ['topologyKey', 'whenUnsatisfiable'], mergeKey: 'topologyKey' }),
    setHostnameAsFQDN: bool(),
    os: obj({ name: str({ enum: ['linux', 'windows'] }) }, { name: `${CORE}.PodOS`, required: ['name'] }),
    hostUsers: bool(),
    schedulingGates: keyedList(obj({ name: str() }, { name: `${CORE}.PodSchedulingGate`, required: ['name'] }), 'name'),
    resourceClaims: keyedList(
      obj({ name: str(), resourceClaimName: str(), resourceClaimTemplateName: str() }, { name: `${CORE}.PodResourceClaim`, required: ['name'] }),
      'name',
    ),
    resources: ResourceRequirements,
  },
  { name: `${CORE}.PodSpec`, required: ['containers'] },
);

export const PodTemplateSpec = obj({ metadata: ObjectMeta, spec: PodSpec }, { name: `${CORE}.PodTemplateSpec` });

export const ContainerState = obj(
  {
    waiting: obj({ reason: str(), message: str() }, { name: `${CORE}.ContainerStateWaiting` }),
    running: obj({ startedAt: time() }, { name: `${CORE}.ContainerStateRunning` }),
    terminated: obj(
      {
        exitCode: int32(),
        signal: int32(),
        reason: str(),
        message: str(),
        startedAt: time(),
        finishedAt: time(),
        containerID: str(),
      },
      { name: `${CORE}.ContainerStateTerminated`, required: ['exitCode'] },
    ),
  },
  { name: `${CORE}.ContainerState` },
);

export const ContainerStatus = obj(
  {
    name: str(),
    state: ContainerState,
    lastState: ContainerState,
    ready: bool(),
    restartCount: int32(),
    image: str(),
    imageID: str(),
    containerID: str(),
    started: bool(),
    allocatedResources: quantityMap(),
    allocatedResourcesStatus: any(),
    resources: ResourceRequirements,
    volumeMounts: listOf(VolumeMount),
    user: any(),
    stopSignal: str(),
  },
  { name: `${CORE}.ContainerStatus`, required: ['name', 'ready', 'restartCount', 'image', 'imageID'] },
);

export const POD_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] as const;

export const PodStatus = obj(
  {
    observedGeneration: int64(),
    phase: str({ enum: POD_PHASES }),
    conditions: conditionsOf(['lastProbeTime']),
    message: str(),
    reason: str(),
    nominatedNodeName: str(),
    hostIP: str(),
    hostIPs: listOf(obj({ ip: str() })),
    podIP: str(),
    podIPs: keyedList(obj({ ip: str() }, { name: `${CORE}.PodIP` }), 'ip'),
    startTime: time(),
    initContainerStatuses: listOf(ContainerStatus),
    containerStatuses: listOf(ContainerStatus),
    ephemeralContainerStatuses: listOf(ContainerStatus),
    qosClass: str({ enum: ['Guaranteed', 'Burstable', 'BestEffort'] }),
    resize: str(),
    resourceClaimStatuses: any(),
    extendedResourceClaimStatus: any(),
  },
  { name: `${CORE}.PodStatus` },
);

export const Pod = kind(`${CORE}.Pod`, { spec: PodSpec, status: PodStatus });


