/**
 * A pod's quality-of-service class (Kubernetes' GetPodQOS): Guaranteed when every
 * container limits CPU and memory and requests exactly its limits, BestEffort when no
 * container requests or limits either, Burstable otherwise. Requests a container leaves
 * out default to its limits, as Pod defaulting makes them.
 */
import { isPlainObject } from './object.ts';
import { parseQuantity } from './quantity.ts';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const QOS_RESOURCES = ['cpu', 'memory'] as const;

const quantitiesOf = (value: unknown): Record<string, unknown> => (isPlainObject(value) ? value : {});

function positive(value: unknown): bigint | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const nanos = parseQuantity(value);
  return nanos !== undefined && nanos > 0n ? nanos : undefined;
}

export function podQOSClass(spec: unknown): QOSClass {
  const podSpec = quantitiesOf(spec);
  const containers = [podSpec.initContainers, podSpec.containers].flatMap((list) => (Array.isArray(list) ? list.filter(isPlainObject) : []));
  const requests = new Map<string, bigint>();
  const limits = new Map<string, bigint>();
  let guaranteed = true;
  for (const container of containers) {
    const resources = quantitiesOf(container.resources);
    const containerLimits = quantitiesOf(resources.limits);
    const containerRequests = { ...containerLimits, ...quantitiesOf(resources.requests) };
    const limited = new Set<string>();
    for (const name of QOS_RESOURCES) {
      const request = positive(containerRequests[name]);
      if (request !== undefined) requests.set(name, (requests.get(name) ?? 0n) + request);
      const limit = positive(containerLimits[name]);
      if (limit !== undefined) {
        limited.add(name);
        limits.set(name, (limits.get(name) ?? 0n) + limit);
      }
    }
    if (limited.size < QOS_RESOURCES.length) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed && [...requests].every(([name, request]) => limits.get(name) === request) && requests.size === limits.size) return 'Guaranteed';
  return 'Burstable';
}
