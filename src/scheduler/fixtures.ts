/**
 * Builders of plain Node and Pod objects, for tests and the bench: what a kubelet would
 * register (allocatable, the hostname label) and what a user would create (requests,
 * selectors, tolerations, affinity), with nothing else filled in.
 */
import type { KubeObject } from '../api/object.ts';
import type { AffinityView, Quantities, TaintView, TolerationView, TopologySpreadConstraintView } from './views.ts';

export interface NodeFixture {
  cpu?: string;
  memory?: string;
  pods?: number;
  extended?: Quantities;
  labels?: Record<string, string>;
  taints?: TaintView[];
  unschedulable?: boolean;
}

export function makeNode(name: string, f: NodeFixture = {}): KubeObject {
  const allocatable: Quantities = { cpu: f.cpu ?? '4', memory: f.memory ?? '8Gi', pods: String(f.pods ?? 110), ...f.extended };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...f.labels } },
    spec: { ...(f.taints ? { taints: f.taints } : {}), ...(f.unschedulable ? { unschedulable: true } : {}) },
    status: { capacity: allocatable, allocatable },
  };
}

export interface PodFixture {
  namespace?: string;
  cpu?: string;
  memory?: string;
  extended?: Quantities;
  labels?: Record<string, string>;
  nodeSelector?: Record<string, string>;
  tolerations?: TolerationView[];
  affinity?: AffinityView;
  topologySpreadConstraints?: TopologySpreadConstraintView[];
  hostPort?: number;
  priority?: number;
  nodeName?: string;
  schedulerName?: string;
  creationTimestamp?: string;
  uid?: string;
}

export function makePod(name: string, f: PodFixture = {}): KubeObject {
  const requests: Quantities = { ...(f.cpu ? { cpu: f.cpu } : {}), ...(f.memory ? { memory: f.memory } : {}), ...f.extended };
  const container = {
    name: 'app',
    image: 'app:1',
    ...(Object.keys(requests).length > 0 ? { resources: { requests } } : {}),
    ...(f.hostPort ? { ports: [{ containerPort: f.hostPort, hostPort: f.hostPort, protocol: 'TCP' }] } : {}),
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: f.namespace ?? 'default',
      ...(f.labels ? { labels: f.labels } : {}),
      ...(f.uid ? { uid: f.uid } : {}),
      ...(f.creationTimestamp ? { creationTimestamp: f.creationTimestamp } : {}),
    },
    spec: {
      containers: [container],
      ...(f.nodeSelector ? { nodeSelector: f.nodeSelector } : {}),
      ...(f.tolerations ? { tolerations: f.tolerations } : {}),
      ...(f.affinity ? { affinity: f.affinity } : {}),
      ...(f.topologySpreadConstraints ? { topologySpreadConstraints: f.topologySpreadConstraints } : {}),
      ...(f.priority !== undefined ? { priority: f.priority } : {}),
      ...(f.nodeName ? { nodeName: f.nodeName } : {}),
      ...(f.schedulerName ? { schedulerName: f.schedulerName } : {}),
    },
    status: { phase: 'Pending' },
  };
}
