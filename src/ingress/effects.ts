/**
 * The ingress controller's I/O as actors its machine invokes: open a connection, the
 * informers (Ingresses, IngressClasses, Services, EndpointSlices in every namespace),
 * the routing state, the proxy server and the status controller; sync the caches and
 * make sure our IngressClass exists; bind the proxy's address; serve; drain; close.
 * Tests swap these with .provide().
 */
import { fromCallback, fromPromise } from 'xstate';
import { StatusError } from '../api/errors.ts';
import { ApiClient } from '../client/api-client.ts';
import type { Controller } from '../controllers/runtime/controller.ts';
import { SharedInformerFactory } from '../informer/informer-factory.ts';
import { stripManagedFields } from '../informer/transforms.ts';
import { componentLogger, type Logger } from '../log.ts';
import { RoundRobinBalancer } from './balancer.ts';
import { INGRESS_CLASS_NAME, INGRESS_CONTROLLER_NAME, newIngressClass } from './ingress-class.ts';
import { publishedAddress } from './ingress-status.ts';
import { listenWithFallback, type BoundAddress, type ListenOptions } from './listen.ts';
import { createIngressProxy, type IngressProxy } from './proxy-server.ts';
import { RoutingState, type RoutingInformers } from './routing-state.ts';
import { INGRESS_CLASSES, INGRESSES, newIngressStatusController } from './status-controller.ts';

export interface IngressControllerOptions extends ListenOptions {
  /** spec.controller of the IngressClasses we serve (default jetkube.io/ingress-controller). */
  controllerName?: string;
  /** The IngressClass created at start when missing (default `jetkube`). */
  className?: string;
  /** Mark that class as the cluster's default when we create it (default true: the only ingress controller here). */
  defaultClass?: boolean;
  /** The address written to status.loadBalancer.ingress (default: the listen address). */
  statusAddress?: string;
  upstreamTimeoutMs?: number;
  trustForwardedHeaders?: boolean;
}

export interface IngressSet {
  client: ApiClient;
  factory: SharedInformerFactory;
  informers: RoutingInformers;
  balancer: RoundRobinBalancer;
  routing: RoutingState;
  proxy: IngressProxy;
  statusController: Controller;
  options: IngressControllerOptions;
  log: Logger;
  bound?: BoundAddress;
}

export async function openIngressSet(natsUrl: string, options: IngressControllerOptions = {}): Promise<IngressSet> {
  const log = componentLogger('ingress');
  const controllerName = options.controllerName ?? INGRESS_CONTROLLER_NAME;
  const client = await ApiClient.connect(natsUrl, 'ingress-controller', { fieldManager: 'jetkube-ingress-controller' });
  const factory = new SharedInformerFactory(client, { transform: stripManagedFields });
  const informers: RoutingInformers = {
    ingresses: factory.informerFor(INGRESSES),
    ingressClasses: factory.informerFor(INGRESS_CLASSES),
    services: factory.informerFor('services'),
    endpointSlices: factory.informerFor('endpointslices.discovery.k8s.io'),
  };
  const balancer = new RoundRobinBalancer();
  const routing = new RoutingState(informers, controllerName, balancer, log);
  const proxy = createIngressProxy({
    table: () => routing.table,
    balancer,
    log,
    ...(options.upstreamTimeoutMs !== undefined ? { upstreamTimeoutMs: options.upstreamTimeoutMs } : {}),
    ...(options.trustForwardedHeaders !== undefined ? { trustForwardedHeaders: options.trustForwardedHeaders } : {}),
  });
  // The address to publish is known once the proxy is bound (see bindIngressSet).
  const address = () => (set.bound ? (options.statusAddress ?? publishedAddress(set.bound.host)) : undefined);
  const statusController = newIngressStatusController(client, informers, controllerName, address, log);
  const set: IngressSet = { client, factory, informers, balancer, routing, proxy, statusController, options, log };
  return set;
}

/** Creates our IngressClass unless one of that name exists (whoever's it is). */
export async function ensureIngressClass(set: IngressSet): Promise<void> {
  const name = set.options.className ?? INGRESS_CLASS_NAME;
  const controllerName = set.options.controllerName ?? INGRESS_CONTROLLER_NAME;
  const existing = set.informers.ingressClasses.indexer.get(name);
  if (existing) {
    const owner = (existing.spec as { controller?: string } | undefined)?.controller;
    if (owner !== controllerName) set.log.warn({ ingressClass: name, controller: owner }, 'the IngressClass of our name belongs to another controller');
    return;
  }
  try {
    await set.client.create(INGRESS_CLASSES, newIngressClass(name, controllerName, set.options.defaultClass ?? true));
    set.log.info({ ingressClass: name, controller: controllerName }, 'created the IngressClass');
  } catch (err) {
    if (!(err instanceof StatusError && err.code === 409)) throw err;
  }
}

export async function syncIngressSet(set: IngressSet, timeoutMs: number): Promise<void> {
  set.factory.start();
  if (!(await set.factory.waitForCacheSync(timeoutMs))) throw new Error(`ingress controller: caches did not sync in ${timeoutMs} ms`);
  await ensureIngressClass(set);
  set.routing.rebuild();
}

export async function bindIngressSet(set: IngressSet): Promise<BoundAddress> {
  const { host, port, defaultPort, fallbackPort } = set.options;
  set.bound = await listenWithFallback(set.proxy.server, { host, port, defaultPort, fallbackPort }, set.log);
  set.log.info({ host: set.bound.host, port: set.bound.port }, `ingress proxy listening on ${set.bound.host}:${set.bound.port}`);
  return set.bound;
}

export async function closeIngressSet(set: IngressSet): Promise<void> {
  set.routing.dispose();
  if (set.proxy.server.listening) await set.proxy.close(0);
  set.factory.shutdown();
  await set.client.close();
}

export const ingressEffects = {
  open: fromPromise<IngressSet, { natsUrl: string; options: IngressControllerOptions }>(({ input }) => openIngressSet(input.natsUrl, input.options)),
  syncCaches: fromPromise<void, { set: IngressSet; timeoutMs: number }>(({ input }) => syncIngressSet(input.set, input.timeoutMs)),
  listen: fromPromise<BoundAddress, { set: IngressSet }>(({ input }) => bindIngressSet(input.set)),
  serve: fromCallback<{ type: string }, { set: IngressSet }>(({ input }) => {
    input.set.statusController.runWorkers();
    return () => {};
  }),
  drain: fromPromise<void, { set?: IngressSet; graceMs: number }>(async ({ input }) => {
    if (!input.set) return;
    await Promise.all([input.set.statusController.shutDown(), input.set.proxy.close(input.graceMs)]);
  }),
  close: fromPromise<void, { set?: IngressSet }>(async ({ input }) => {
    if (input.set) await closeIngressSet(input.set);
  }),
};
