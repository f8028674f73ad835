/**
 * The status this controller writes on an Ingress it serves:
 * status.loadBalancer.ingress = [{ ip: <the address it listens on> }], as ingress-nginx
 * publishes its own address. A wildcard listen address (0.0.0.0, ::) is published as
 * 127.0.0.1, the address a local client reaches. Pure: answers the new status, or
 * undefined when the Ingress already says so (an unchanged status is never rewritten).
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../api/object.ts';
import type { Ingress } from '../api/types.ts';

export type IngressStatus = NonNullable<Ingress['status']>;

export function publishedAddress(listenHost: string): string {
  return listenHost === '0.0.0.0' || listenHost === '::' || listenHost === '' ? '127.0.0.1' : listenHost;
}

export function desiredIngressStatus(ingress: KubeObject, address: string): IngressStatus | undefined {
  const current = ((ingress as Ingress).status ?? {}) as IngressStatus;
  const wanted = [{ ip: address }];
  if (isDeepStrictEqual(current.loadBalancer?.ingress ?? [], wanted)) return undefined;
  return { ...current, loadBalancer: { ...current.loadBalancer, ingress: wanted } };
}
