/**
 * core/v1 Container and what it is made of: ports, environment, resources, volume
 * mounts, probes, lifecycle hooks and security context. Enum orders are the orders
 * Kubernetes lists in its "supported values" messages.
 */
import { LocalObjectReference } from './meta.ts';
import {
  bool,
  int32,
  int64,
  intOrString,
  keyedList,
  listOf,
  obj,
  quantity,
  quantityMap,
  str,
  strList,
} from './dsl.ts';

const CORE = 'io.k8s.api.core.v1';

export const PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;

export const ContainerPort = obj(
  {
    name: str(),
    containerPort: int32(),
    hostPort: int32(),
    hostIP: str(),
    protocol: str({ enum: PROTOCOLS }),
  },
  { name: `${CORE}.ContainerPort`, required: ['containerPort'] },
);

export const ObjectFieldSelector = obj({ apiVersion: str(), fieldPath: str() }, { name: `${CORE}.ObjectFieldSelector`, required: ['fieldPath'] });

export const ResourceFieldSelector = obj(
  { containerName: str(), resource: str(), divisor: quantity() },
  { name: `${CORE}.ResourceFieldSelector`, required: ['resource'] },
);

const KeySelector = (name: string) =>
  obj({ name: str(), key: str(), optional: bool() }, { name: `${CORE}.${name}`, required: ['key'] });

export const EnvVarSource = obj(
  {
    fieldRef: ObjectFieldSelector,
    resourceFieldRef: ResourceFieldSelector,
    configMapKeyRef: KeySelector('ConfigMapKeySelector'),
    secretKeyRef: KeySelector('SecretKeySelector'),
  },
  { name: `${CORE}.EnvVarSource` },
);

export const EnvVar = obj({ name: str(), value: str(), valueFrom: EnvVarSource }, { name: `${CORE}.EnvVar`, required: ['name'] });

const EnvSourceRef = (name: string) => obj({ name: str(), optional: bool() }, { name: `${CORE}.${name}` });

export const EnvFromSource = obj(
  { prefix: str(), configMapRef: EnvSourceRef('ConfigMapEnvSource'), secretRef: EnvSourceRef('SecretEnvSource') },
  { name: `${CORE}.EnvFromSource` },
);

export const ResourceRequirements = obj(
  {
    limits: quantityMap(),
    requests: quantityMap(),
    claims: keyedList(obj({ name: str(), request: str() }, { required: ['name'] }), 'name'),
  },
  { name: `${CORE}.ResourceRequirements` },
);

export const VolumeMount = obj(
  {
    name: str(),
    mountPath: str(),
    readOnly: bool(),
    recursiveReadOnly: str({ enum: ['Disabled', 'IfPossible', 'Enabled'] }),
    subPath: str(),
    subPathExpr: str(),
    mountPropagation: str({ enum: ['None', 'HostToContainer', 'Bidirectional'] }),
  },
  { name: `${CORE}.VolumeMount`, required: ['name', 'mountPath'] },
);

export const VolumeDevice = obj({ name: str(), devicePath: str() }, { name: `${CORE}.VolumeDevice`, required: ['name', 'devicePath'] });

export const ExecAction = obj({ command: strList() }, { name: `${CORE}.ExecAction` });

export const HTTPGetAction = obj(
  {
    path: str(),
    port: intOrString(),
    host: str(),
    scheme: str({ enum: ['HTTP', 'HTTPS'] }),
    httpHeaders: listOf(obj({ name: str(), value: str() }, { required: ['name', 'value'] })),
  },
  { name: `${CORE}.HTTPGetAction`, required: ['port'] },
);

export const TCPSocketAction = obj({ port: intOrString(), host: str() }, { name: `${CORE}.TCPSocketAction`, required: ['port'] });

export const GRPCAction = obj({ port: int32(), service: str() }, { name: `${CORE}.GRPCAction`, required: ['port'] });

export const Probe = obj(
  {
    exec: ExecAction,
    httpGet: HTTPGetAction,
    tcpSocket: TCPSocketAction,
    grpc: GRPCAction,
    initialDelaySeconds: int32({ minimum: 0 }),
    timeoutSeconds: int32({ minimum: 0 }),
    periodSeconds: int32({ minimum: 0 }),
    successThreshold: int32({ minimum: 0 }),
    failureThreshold: int32({ minimum: 0 }),
    terminationGracePeriodSeconds: int64(),
  },
  { name: `${CORE}.Probe` },
);

export const LifecycleHandler = obj(
  { exec: ExecAction, httpGet: HTTPGetAction, tcpSocket: TCPSocketAction, sleep: obj({ seconds: int64() }, { required: ['seconds'] }) },
  { name: `${CORE}.LifecycleHandler` },
);

export const Lifecycle = obj(
  { postStart: LifecycleHandler, preStop: LifecycleHandler, stopSignal: str() },
  { name: `${CORE}.Lifecycle` },
);

const PROFILE_TYPES = ['Localhost', 'RuntimeDefault', 'Unconfined'] as const;

export const SeccompProfile = obj(
  { type: str({ enum: PROFILE_TYPES }), localhostProfile: str() },
  { name: `${CORE}.SeccompProfile`, required: ['type'] },
);

export const AppArmorProfile = obj(
  { type: str({ enum: PROFILE_TYPES }), localhostProfile: str() },
  { name: `${CORE}.AppArmorProfile`, required: ['type'] },
);

export const SELinuxOptions = obj({ user: str(), role: str(), type: str(), level: str() }, { name: `${CORE}.SELinuxOptions` });

export const WindowsSecurityContextOptions = obj(
  { gmsaCredentialSpecName: str(), gmsaCredentialSpec: str(), runAsUserName: str(), hostProcess: bool() },
  { name: `${CORE}.WindowsSecurityContextOptions` },
);

export const SecurityContext = obj(
  {
    capabilities: obj({ add: strList(), drop: strList() }, { name: `${CORE}.Capabilities` }),
    privileged: bool(),
    seLinuxOptions: SELinuxOptions,
    windowsOptions: WindowsSecurityContextOptions,
    runAsUser: int64(),
    runAsGroup: int64(),
    runAsNonRoot: bool(),
    readOnlyRootFilesystem: bool(),
    allowPrivilegeEscalation: bool(),
    procMount: str({ enum: ['Default', 'Unmasked'] }),
    seccompProfile: SeccompProfile,
    appArmorProfile: AppArmorProfile,
  },
  { name: `${CORE}.SecurityContext` },
);

export const ContainerResizePolicy = obj(
  { resourceName: str(), restartPolicy: str() },
  { name: `${CORE}.ContainerResizePolicy`, required: ['resourceName', 'restartPolicy'] },
);

export const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;

const containerProperties = {
  name: str(),
  image: str(),
  command: strList(),
  args: strList(),
  workingDir: str(),
  ports: listOf(ContainerPort, { mapKeys: ['containerPort', 'protocol'], mergeKey: 'containerPort' }),
  envFrom: listOf(EnvFromSource),
  env: keyedList(EnvVar, 'name'),
  resources: ResourceRequirements,
  resizePolicy: listOf(ContainerResizePolicy),
  restartPolicy: str(),
  volumeMounts: listOf(VolumeMount, { mapKeys: ['mountPath'], mergeKey: 'mountPath' }),
  volumeDevices: listOf(VolumeDevice, { mapKeys: ['devicePath'], mergeKey: 'devicePath' }),
  livenessProbe: Probe,
  readinessProbe: Probe,
  startupProbe: Probe,
  lifecycle: Lifecycle,
  terminationMessagePath: str(),
  terminationMessagePolicy: str({ enum: ['File', 'FallbackToLogsOnError'] }),
  imagePullPolicy: str({ enum: PULL_POLICIES }),
  securityContext: SecurityContext,
  stdin: bool(),
  stdinOnce: bool(),
  tty: bool(),
};

export const Container = obj(containerProperties, { name: `${CORE}.Container`, required: ['name'] });

export const EphemeralContainer = obj(
  { ...containerProperties, targetContainerName: str() },
  { name: `${CORE}.EphemeralContainer`, required: ['name'] },
);

export const LocalObjectReferenceList = () => keyedList(LocalObjectReference, 'name');
