/**
 * The downward API: what a pod may learn about itself, through env (valueFrom) and
 * through downwardAPI volume files. Values are formatted as kubelet formats them
 * (fieldpath.ExtractFieldPathAsString, resource.ExtractContainerResourceValue): whole
 * label and annotation maps as sorted `key="value"` lines, CPU rounded up to the
 * divisor in millicores, memory and storage rounded up to the divisor in bytes, and a
 * limit the container leaves unset reported as the node's allocatable amount.
 */
import { cpus, totalmem } from 'node:os';
import { statfsSync } from 'node:fs';
import { isPlainObject, type KubeObject } from '../api/object.ts';
import { parseQuantity } from '../api/quantity.ts';
import { ContainerStartError } from './runtime.ts';

export interface PodAddresses {
  podIP: string;
  hostIP: string;
  nodeName: string;
}

/** Quantities standing for a node's allocatable resources, e.g. { cpu: '4', memory: '8Gi' }. */
export type NodeAllocatable = Record<string, string>;

export function fieldRefValue(pod: KubeObject, fieldPath: string, addresses: PodAddresses): string {
  const spec = isPlainObject(pod.spec) ? pod.spec : {};
  const status = isPlainObject(pod.status) ? pod.status : {};
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'metadata.labels':
      return formatMap(pod.metadata.labels ?? {});
    case 'metadata.annotations':
      return formatMap(pod.metadata.annotations ?? {});
    case 'spec.nodeName':
      return addresses.nodeName || String(spec.nodeName ?? '');
    case 'spec.serviceAccountName':
      return String(spec.serviceAccountName ?? '');
    case 'status.podIP':
      return addresses.podIP || String(status.podIP ?? '');
    case 'status.podIPs':
      return ipList(status.podIPs, addresses.podIP || String(status.podIP ?? ''));
    case 'status.hostIP':
      return addresses.hostIP || String(status.hostIP ?? '');
    case 'status.hostIPs':
      return ipList(status.hostIPs, addresses.hostIP || String(status.hostIP ?? ''));
  }
  const subscript = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(fieldPath);
  if (subscript) {
    const map = subscript[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations;
    return map?.[subscript[2]!] ?? '';
  }
  throw new ContainerStartError('CreateContainerConfigError', `unsupported fieldPath: ${fieldPath}`);
}

export function resourceFieldRefValue(
  ref: Record<string, unknown>,
  container: Record<string, unknown>,
  allocatable: NodeAllocatable = hostAllocatable(),
): string {
  const resource = String(ref.resource ?? '');
  const divisorText = ref.divisor === undefined || ref.divisor === null ? '1' : String(ref.divisor);
  const divisor = parseQuantity(divisorText);
  const [kind, name = ''] = resource.split(/\.(.*)/s, 2) as [string, string?];
  if ((kind !== 'limits' && kind !== 'requests') || !isSupportedResource(name) || divisor === undefined || divisor <= 0n) {
    throw new ContainerStartError('CreateContainerConfigError', `unsupported container resource : ${resource}`);
  }
  const resources = isPlainObject(container.resources) ? container.resources : {};
  const declared = isPlainObject(resources[kind]) ? (resources[kind] as Record<string, unknown>) : {};
  let text = declared[name] === undefined ? undefined : String(declared[name]);
  if (text === undefined && kind === 'limits') text = allocatable[name];
  const value = parseQuantity(text ?? '0') ?? 0n;
  if (name === 'cpu') return String(ceilDiv(ceilDiv(value, 1_000_000n), ceilDiv(divisor, 1_000_000n)));
  return String(ceilDiv(ceilDiv(value, 1_000_000_000n), ceilDiv(divisor, 1_000_000_000n)));
}

function isSupportedResource(name: string): boolean {
  return name === 'cpu' || name === 'memory' || name === 'ephemeral-storage' || name.startsWith('hugepages-');
}

/** The host's capacity, standing in for node allocatable when the kubelet gives none. */
export function hostAllocatable(): NodeAllocatable {
  let storage = '0';
  try {
    const stats = statfsSync('/');
    storage = String(BigInt(stats.blocks) * BigInt(stats.bsize));
  } catch {
    // no statfs: report 0, which is what an unknown capacity is
  }
  return { cpu: String(cpus().length), memory: String(totalmem()), 'ephemeral-storage': storage };
}

/** Go's FormatMap: sorted `key="value"` lines. */
export function formatMap(map: Record<string, string>): string {
  return Object.keys(map)
    .sort()
    .map((key) => `${key}=${JSON.stringify(map[key])}`)
    .join('\n');
}

function ipList(list: unknown, fallback: string): string {
  const ips = Array.isArray(list) ? list.filter(isPlainObject).map((entry) => String(entry.ip ?? '')).filter(Boolean) : [];
  return ips.length > 0 ? ips.join(',') : fallback;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  if (b === 0n) return 0n;
  return a >= 0n ? (a + b - 1n) / b : a / b;
}
