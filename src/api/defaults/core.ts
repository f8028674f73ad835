/**
 * Defaults of the other core/v1 kinds: Service (type, affinity, ports, traffic
 * policies, IP families), Secret (type, stringData folded into data), Namespace, PV,
 * PVC, Node, Endpoints and LimitRange.
 */
import { isPlainObject } from '../object.ts';
import { ensureObject, objectAt, objectsAt, setDefault, type Obj } from './kit.ts';

/** Three hours: Kubernetes' ClientIP session affinity timeout. */
const DEFAULT_CLIENT_IP_TIMEOUT_SECONDS = 10800;

export function defaultService(service: Obj): void {
  const spec = ensureObject(service, 'spec');
  if (!spec) return;
  setDefault(spec, 'sessionAffinity', 'None');
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP' && objectAt(spec, 'sessionAffinityConfig', 'clientIP')?.timeoutSeconds === undefined) {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: DEFAULT_CLIENT_IP_TIMEOUT_SECONDS } };
  }
  setDefault(spec, 'type', 'ClusterIP');
  for (const port of objectsAt(spec, 'ports')) {
    setDefault(port, 'protocol', 'TCP');
    const unset = port.targetPort === undefined || port.targetPort === null || port.targetPort === 0 || port.targetPort === '';
    if (unset && typeof port.port === 'number') port.targetPort = port.port;
  }
  const type = spec.type;
  const externalIPs = Array.isArray(spec.externalIPs) ? spec.externalIPs : [];
  const externallyAccessible = type === 'LoadBalancer' || type === 'NodePort' || (type === 'ClusterIP' && externalIPs.length > 0);
  if (externallyAccessible) setDefault(spec, 'externalTrafficPolicy', 'Cluster');
  if (type === 'NodePort' || type === 'LoadBalancer' || type === 'ClusterIP') setDefault(spec, 'internalTrafficPolicy', 'Cluster');
  if (type === 'LoadBalancer') setDefault(spec, 'allocateLoadBalancerNodePorts', true);
  if (type !== 'ExternalName') {
    // clusterIP and clusterIPs name the same allocation: each fills the other.
    const ips = Array.isArray(spec.clusterIPs) ? spec.clusterIPs : [];
    if (typeof spec.clusterIP === 'string' && spec.clusterIP !== '' && ips.length === 0) spec.clusterIPs = [spec.clusterIP];
    else if ((spec.clusterIP === undefined || spec.clusterIP === '') && typeof ips[0] === 'string') spec.clusterIP = ips[0];
    setDefault(spec, 'ipFamilyPolicy', 'SingleStack');
    setDefault(spec, 'ipFamilies', ['IPv4']);
  }
}

/** stringData is write-only sugar: Kubernetes folds it into data (base64) and drops it. */
export function defaultSecret(secret: Obj): void {
  setDefault(secret, 'type', 'Opaque');
  const stringData = objectAt(secret, 'stringData');
  if (!stringData) return;
  const data = ensureObject(secret, 'data');
  if (!data) return;
  for (const [k, v] of Object.entries(stringData)) {
    if (typeof v === 'string') data[k] = Buffer.from(v, 'utf8').toString('base64');
  }
  delete secret.stringData;
}

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export function defaultNamespace(namespace: Obj): void {
  setDefault(ensureObject(namespace, 'status'), 'phase', 'Active');
  const metadata = objectAt(namespace, 'metadata');
  if (metadata && typeof metadata.name === 'string' && metadata.name !== '') {
    const labels = ensureObject(metadata, 'labels');
    if (labels) labels[NAMESPACE_NAME_LABEL] = metadata.name;
  }
}

export function defaultPersistentVolumeClaim(claim: Obj): void {
  setDefault(ensureObject(claim, 'spec'), 'volumeMode', 'Filesystem');
  setDefault(ensureObject(claim, 'status'), 'phase', 'Pending');
}

export function defaultPersistentVolume(volume: Obj): void {
  const spec = ensureObject(volume, 'spec');
  setDefault(spec, 'persistentVolumeReclaimPolicy', 'Retain');
  setDefault(spec, 'volumeMode', 'Filesystem');
  setDefault(ensureObject(volume, 'status'), 'phase', 'Pending');
}

/** A node that reports capacity but no allocatable has all of its capacity allocatable. */
export function defaultNode(node: Obj): void {
  const status = objectAt(node, 'status');
  if (status && isPlainObject(status.capacity) && (status.allocatable === undefined || status.allocatable === null)) {
    status.allocatable = { ...status.capacity };
  }
}

export function defaultEndpoints(endpoints: Obj): void {
  for (const subset of objectsAt(endpoints, 'subsets')) for (const port of objectsAt(subset, 'ports')) setDefault(port, 'protocol', 'TCP');
}

/** Container limits default to the max, default requests to the default limits, then to the min. */
export function defaultLimitRange(limitRange: Obj): void {
  for (const item of objectsAt(objectAt(limitRange, 'spec'), 'limits')) {
    if (item.type !== 'Container') continue;
    const defaults = ensureObject(item, 'default');
    const defaultRequest = ensureObject(item, 'defaultRequest');
    for (const [k, v] of Object.entries(objectAt(item, 'max') ?? {})) setDefault(defaults, k, v);
    for (const [k, v] of Object.entries(defaults ?? {})) setDefault(defaultRequest, k, v);
    for (const [k, v] of Object.entries(objectAt(item, 'min') ?? {})) setDefault(defaultRequest, k, v);
  }
}
