/**
 * Resource arithmetic in the scheduler's units: cpu in millicores, every other resource
 * (memory, ephemeral-storage, pods, extended resources) in whole units, as
 * framework.Resource keeps them (MilliValue for cpu, Value for the rest). Numbers, not
 * bigints: a node's bytes stay far below 2^53, and the filter runs per node per pod.
 */
import { parseQuantity } from '../api/quantity.ts';
import type { ContainerView, PodSpecView, Quantities } from './views.ts';

export type ResourceList = Map<string, number>;

export const CPU = 'cpu';
export const MEMORY = 'memory';
export const PODS = 'pods';
/** What a container without a cpu/memory request counts as when scoring (schedutil.DefaultMilliCPURequest, DefaultMemoryRequest). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** One quantity in scheduler units, rounded up (Quantity.MilliValue / Value); 0 when unparsable. */
export function toUnits(resource: string, quantity: string | number): number {
  const nanos = parseQuantity(quantity);
  if (nanos === undefined) return 0;
  const per = resource === CPU ? 1_000_000n : 1_000_000_000n;
  const value = nanos >= 0n ? (nanos + per - 1n) / per : nanos / per;
  return Number(value);
}

export function toResourceList(quantities: Quantities | undefined): ResourceList {
  const list: ResourceList = new Map();
  for (const [name, quantity] of Object.entries(quantities ?? {})) list.set(name, toUnits(name, quantity));
  return list;
}

function add(into: ResourceList, from: ResourceList): void {
  for (const [name, value] of from) into.set(name, (into.get(name) ?? 0) + value);
}

function max(into: ResourceList, from: ResourceList): void {
  for (const [name, value] of from) if (value > (into.get(name) ?? 0)) into.set(name, value);
}

const containerRequests = (c: ContainerView, nonZero: boolean): ResourceList => {
  const list = toResourceList(c.resources?.requests);
  if (nonZero) {
    if (!list.has(CPU)) list.set(CPU, DEFAULT_MILLI_CPU_REQUEST);
    if (!list.has(MEMORY)) list.set(MEMORY, DEFAULT_MEMORY_REQUEST);
  }
  return list;
};

/**
 * A pod's effective request (resourcehelper.PodRequests): the sum of its containers, or
 * the largest init container if bigger (restartable sidecars add up and run alongside
 * later init containers), plus the pod overhead. nonZero counts an absent cpu/memory
 * request as the scoring defaults, as the score plugins do.
 */
export function podRequests(spec: PodSpecView, nonZero = false): ResourceList {
  const requests: ResourceList = new Map();
  for (const c of spec.containers ?? []) add(requests, containerRequests(c, nonZero));
  const initMax: ResourceList = new Map();
  const sidecars: ResourceList = new Map();
  for (const c of spec.initContainers ?? []) {
    const own = containerRequests(c, nonZero);
    let effective: ResourceList;
    if (c.restartPolicy === 'Always') {
      add(requests, own);
      add(sidecars, own);
      effective = sidecars;
    } else {
      effective = new Map(own);
      add(effective, sidecars);
    }
    max(initMax, effective);
  }
  max(requests, initMax);
  add(requests, toResourceList(spec.overhead));
  return requests;
}

export function addInto(into: ResourceList, from: ResourceList, sign: 1 | -1 = 1): void {
  for (const [name, value] of from) into.set(name, (into.get(name) ?? 0) + sign * value);
}
