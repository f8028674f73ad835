/**
 * The Node a kubelet registers and keeps posting, pure: labels, capacity and
 * allocatable, addresses, nodeInfo, the pressure conditions and Ready (KubeletReady),
 * daemonEndpoints. lastHeartbeatTime moves with every post; lastTransitionTime only when
 * a condition's status changes. nodeStatusChanged ignores heartbeats, so the kubelet
 * posts on a change at once and otherwise every nodeStatusReportFrequency.
 */
import { isPlainObject, type KubeObject } from '../api/object.ts';
import { rfc3339 } from './time-format.ts';

export const KUBELET_VERSION = 'v1.32.4';

export interface NodeResources {
  cpu: string;
  memory: string;
  pods: string;
  'ephemeral-storage': string;
}

export interface HostInfo {
  hostname: string;
  architecture: string;
  kernelVersion: string;
  osImage: string;
  machineID: string;
  bootID: string;
}

export interface NodeConfig {
  nodeName: string;
  hostIP: string;
  runtimeName: string;
  capacity: NodeResources;
  allocatable: NodeResources;
  /** The podCIDR the kubelet starts with (kept when a controller set another). */
  podCIDR?: string;
  labels?: Record<string, string>;
  host: HostInfo;
}

const CONDITIONS: Array<{ type: string; status: 'True' | 'False'; reason: string; message: string }> = [
  { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
  { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
  { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
  { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
];

export function nodeLabels(config: NodeConfig): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': config.host.architecture,
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': config.host.architecture,
    'kubernetes.io/hostname': config.nodeName,
    'kubernetes.io/os': 'linux',
    ...(config.labels ?? {}),
  };
}

/** The Node to create when there is none. */
export function newNode(config: NodeConfig, now: number): KubeObject {
  const node: KubeObject = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: config.nodeName, labels: nodeLabels(config), annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' } },
    spec: config.podCIDR ? { podCIDR: config.podCIDR, podCIDRs: [config.podCIDR] } : {},
  };
  return { ...node, status: nodeStatus(config, node, now) };
}

/** The labels the kubelet owns, merged into an existing Node (undefined when nothing is missing). */
export function labelsToAdd(config: NodeConfig, node: KubeObject): Record<string, string> | undefined {
  const current = node.metadata.labels ?? {};
  const missing = Object.entries(nodeLabels(config)).filter(([k, v]) => current[k] !== v);
  return missing.length === 0 ? undefined : Object.fromEntries(missing);
}

export function nodeStatus(config: NodeConfig, node: KubeObject | undefined, now: number): Record<string, unknown> {
  const previous = node && isPlainObject(node.status) && Array.isArray(node.status.conditions) ? node.status.conditions.filter(isPlainObject) : [];
  const at = rfc3339(now);
  const conditions = CONDITIONS.map((c) => {
    const before = previous.find((p) => p.type === c.type);
    const transition = before && before.status === c.status && typeof before.lastTransitionTime === 'string' ? before.lastTransitionTime : at;
    return { ...c, lastHeartbeatTime: at, lastTransitionTime: transition };
  });
  return {
    capacity: { ...config.capacity },
    allocatable: { ...config.allocatable },
    conditions,
    addresses: [
      { type: 'InternalIP', address: config.hostIP },
      { type: 'Hostname', address: config.nodeName },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: config.host.machineID,
      systemUUID: config.host.machineID,
      bootID: config.host.bootID,
      kernelVersion: config.host.kernelVersion,
      osImage: config.host.osImage,
      containerRuntimeVersion: `jetkube-${config.runtimeName}://0.1`,
      kubeletVersion: KUBELET_VERSION,
      operatingSystem: 'linux',
      architecture: config.host.architecture,
    },
  };
}

/** True when the status differs in more than heartbeat times. */
export function nodeStatusChanged(current: unknown, desired: Record<string, unknown>): boolean {
  return JSON.stringify(withoutHeartbeats(current)) !== JSON.stringify(withoutHeartbeats(desired));
}

function withoutHeartbeats(status: unknown): unknown {
  if (!isPlainObject(status)) return status;
  const conditions = Array.isArray(status.conditions)
    ? status.conditions.filter(isPlainObject).map(({ lastHeartbeatTime: _h, ...rest }) => rest)
    : status.conditions;
  const { capacity, allocatable, addresses, daemonEndpoints, nodeInfo } = status;
  return { capacity, allocatable, conditions, addresses, daemonEndpoints, nodeInfo };
}

/** The node's podCIDR: the one a controller wrote to the Node wins over the kubelet's own. */
export function effectivePodCIDR(node: KubeObject | undefined, fallback: string): string {
  const spec = node && isPlainObject(node.spec) ? node.spec : {};
  return typeof spec.podCIDR === 'string' && spec.podCIDR ? spec.podCIDR : fallback;
}
