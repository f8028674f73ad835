/**
 * Which endpoints of a Service port kube-proxy sends traffic to, pure: the
 * discovery.k8s.io/v1 EndpointSlices labelled kubernetes.io/service-name=<service>, the
 * slice port whose name and protocol match the Service port, and the endpoints that are
 * ready (a missing `ready` counts as ready, as kube-proxy reads it). When none is ready,
 * the endpoints that are terminating but still serving take the traffic, so a rolling
 * update's last pod keeps answering while it drains (ProxyTerminatingEndpoints, GA in
 * 1.28). Only an endpoint's first address is used, as kube-proxy does; an address that
 * appears in two slices is counted once.
 */
import type { KubeObject } from '../api/object.ts';
import type { EndpointSlice } from '../api/types.ts';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export type Protocol = 'TCP' | 'UDP';

export interface Backend {
  ip: string;
  port: number;
}

export const backendKey = (backend: Backend) => `${backend.ip}:${backend.port}`;

interface EndpointState {
  backend: Backend;
  ready: boolean;
  servingTerminating: boolean;
}

/** The slices of each Service, keyed `namespace/service-name`. */
export function slicesByService(slices: readonly KubeObject[]): Map<string, KubeObject[]> {
  const byService = new Map<string, KubeObject[]>();
  for (const slice of slices) {
    const service = slice.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!service) continue;
    const key = `${slice.metadata.namespace ?? ''}/${service}`;
    const list = byService.get(key);
    if (list) list.push(slice);
    else byService.set(key, [slice]);
  }
  return byService;
}

function endpointStates(port: { name: string; protocol: Protocol }, slices: readonly KubeObject[]): EndpointState[] {
  const states = new Map<string, EndpointState>();
  // Slices in name order, so which duplicate wins does not depend on informer order.
  const ordered = [...slices].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  for (const object of ordered) {
    const slice = object as unknown as EndpointSlice;
    if (slice.addressType !== 'IPv4') continue;
    const slicePort = (slice.ports ?? []).find((p) => (p.name ?? '') === port.name && (p.protocol ?? 'TCP') === port.protocol);
    if (slicePort?.port === undefined) continue;
    for (const endpoint of slice.endpoints ?? []) {
      const ip = endpoint.addresses?.[0];
      if (!ip) continue;
      const ready = endpoint.conditions?.ready ?? true;
      const serving = endpoint.conditions?.serving ?? ready;
      const terminating = endpoint.conditions?.terminating ?? false;
      const state: EndpointState = { backend: { ip, port: slicePort.port }, ready, servingTerminating: serving && terminating };
      const key = backendKey(state.backend);
      const seen = states.get(key);
      if (!seen || (state.ready && !seen.ready)) states.set(key, state);
    }
  }
  return [...states.values()];
}

/** The backends a Service port balances over, in address order. */
export function backendsFor(port: { name: string; protocol: Protocol }, slices: readonly KubeObject[]): Backend[] {
  const states = endpointStates(port, slices);
  let chosen = states.filter((s) => s.ready);
  if (chosen.length === 0) chosen = states.filter((s) => s.servingTerminating);
  return chosen.map((s) => s.backend).sort(compareBackends);
}

function ipNumber(ip: string): number {
  return ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

export function compareBackends(a: Backend, b: Backend): number {
  return ipNumber(a.ip) - ipNumber(b.ip) || a.port - b.port;
}
