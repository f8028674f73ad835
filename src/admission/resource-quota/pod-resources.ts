/**
 * A pod's total requests and limits, as Kubernetes' resourcehelper.PodRequests/PodLimits
 * (and LimitRanger's copies of them) compute them: the sum over its containers; an init
 * container counts at the moment it runs (its own plus the restartable sidecars started
 * before it), so the total is the larger of the two; sidecars (restartPolicy Always) add
 * to the sum. Overhead, when asked for, adds to every request and to limits that exist.
 * Sums keep the first quantity's format, so they print as Kubernetes prints them. Pure.
 */
import { isPlainObject } from '../../api/object.ts';
import { compare } from './quantity.ts';
import { addLists, resourceList, type ResourceList } from './resource-list.ts';

export interface ContainerView {
  name: string;
  requests: ResourceList;
  limits: ResourceList;
  restartable: boolean;
}

type Field = 'requests' | 'limits';

export function containersOf(pod: unknown, list: 'containers' | 'initContainers'): ContainerView[] {
  const spec = isPlainObject(pod) && isPlainObject(pod.spec) ? pod.spec : {};
  const containers = Array.isArray(spec[list]) ? spec[list].filter(isPlainObject) : [];
  return containers.map((c) => {
    const resources = isPlainObject(c.resources) ? c.resources : {};
    return {
      name: typeof c.name === 'string' ? c.name : '',
      requests: resourceList(resources.requests),
      limits: resourceList(resources.limits),
      restartable: c.restartPolicy === 'Always',
    };
  });
}

function maxLists(a: ResourceList, b: ResourceList): ResourceList {
  const out = { ...a };
  for (const [name, q] of Object.entries(b)) if (!(name in out) || compare(q, out[name]!) > 0) out[name] = q;
  return out;
}

function podTotal(pod: unknown, field: Field): ResourceList {
  let total: ResourceList = {};
  for (const c of containersOf(pod, 'containers')) total = addLists(total, c[field]);
  let sidecars: ResourceList = {};
  let initPeak: ResourceList = {};
  for (const c of containersOf(pod, 'initContainers')) {
    let atStart: ResourceList;
    if (c.restartable) {
      total = addLists(total, c[field]);
      sidecars = addLists(sidecars, c[field]);
      atStart = sidecars;
    } else {
      atStart = addLists(c[field], sidecars);
    }
    initPeak = maxLists(initPeak, atStart);
  }
  return maxLists(total, initPeak);
}

function overheadOf(pod: unknown): ResourceList {
  return isPlainObject(pod) && isPlainObject(pod.spec) ? resourceList(pod.spec.overhead) : {};
}

export function podRequests(pod: unknown, options: { overhead?: boolean } = {}): ResourceList {
  const requests = podTotal(pod, 'requests');
  return options.overhead ? addLists(requests, overheadOf(pod)) : requests;
}

export function podLimits(pod: unknown, options: { overhead?: boolean } = {}): ResourceList {
  const limits = podTotal(pod, 'limits');
  if (!options.overhead) return limits;
  const overhead = overheadOf(pod);
  // Overhead only adds to limits the pod states: no limit stays no limit.
  return addLists(limits, Object.fromEntries(Object.entries(overhead).filter(([name]) => name in limits)));
}
