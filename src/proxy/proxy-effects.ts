/**
 * The kube-proxy machine's effects, as actors it invokes (tests swap them with
 * .provide()): connect (client, informers on Services and EndpointSlices of every
 * namespace, the ListenerSet), watch (informer events become `proxy.changed`),
 * syncCaches, apply (the pure plan of the caches, applied to the sockets; a port that
 * cannot be opened becomes a Warning Event on its Service) and close.
 */
import { fromCallback, fromPromise, type AnyEventObject } from 'xstate';
import type { KubeObject } from '../api/object.ts';
import { ApiClient } from '../client/api-client.ts';
import { ApiEventRecorder, noopRecorder, type EventRecorder } from '../controllers/runtime/events.ts';
import { SharedInformerFactory } from '../informer/informer-factory.ts';
import { stripManagedFields } from '../informer/transforms.ts';
import type { SharedInformer } from '../informer/shared-informer.ts';
import { componentLogger } from '../log.ts';
import { desiredProxyState, SERVICE_PROXY_NAME_LABEL } from './desired-state.ts';
import type { KubeProxyMetrics } from '../metrics/kube-proxy-metrics.ts';
import { ListenerSet } from './listener-set.ts';
import { resolveKubeProxyConfig, type KubeProxyConfig, type KubeProxyInput } from './proxy-config.ts';

const log = componentLogger('kube-proxy');

export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
/** As kube-proxy's informers: Services another proxy serves and headless ones are not listed at all. */
export const PROXIED_SELECTOR = `!${SERVICE_PROXY_NAME_LABEL},!${HEADLESS_LABEL}`;
/** The Event reason when a Service's port cannot be listened on. */
export const PORT_UNAVAILABLE_REASON = 'FailedToListen';

export interface KubeProxySession {
  client: ApiClient;
  ownsClient: boolean;
  factory: SharedInformerFactory;
  services: SharedInformer;
  slices: SharedInformer;
  listeners: ListenerSet;
  recorder: EventRecorder & { flush?: () => Promise<void> };
  config: KubeProxyConfig;
  metrics?: KubeProxyMetrics;
  /** The oldest slice trigger time no apply has taken in yet (for the network programming metric). */
  pendingTriggeredAt?: number;
}

/**
 * Set by the EndpointSlice controller to when the change that produced a slice (a pod's
 * readiness, say) happened; kube-proxy's network programming latency counts from it.
 */
export const LAST_CHANGE_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';

/** at: when the informer delivered the change; triggeredAt: the slice's trigger time, if it has one. */
export type KubeProxyFeedEvent = { type: 'proxy.changed'; at: number; triggeredAt?: number };

export function triggerTimeOf(object: unknown): number | undefined {
  const annotation = (object as KubeObject | undefined)?.metadata?.annotations?.[LAST_CHANGE_TRIGGER_TIME];
  const ms = annotation ? Date.parse(annotation) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

export interface ApplyOutput {
  frontends: number;
  backends: number;
  failing: number;
  opened: number;
  closed: number;
}

export const kubeProxyEffects = {
  connect: fromPromise<KubeProxySession, { input: KubeProxyInput }>(async ({ input: { input } }) => {
    const config = resolveKubeProxyConfig(input);
    const client = input.client ?? (await ApiClient.connect(input.natsUrl, `kube-proxy-${config.hostname}`, { fieldManager: 'kube-proxy' }));
    const factory = new SharedInformerFactory(client, { transform: stripManagedFields });
    const recorder = config.recordEvents
      ? new ApiEventRecorder(client, 'kube-proxy', { now: config.now }, componentLogger('events', { source: 'kube-proxy' }), config.hostname)
      : noopRecorder;
    return {
      client,
      ownsClient: !input.client,
      factory,
      services: factory.informerFor({ resource: 'services', labelSelector: PROXIED_SELECTOR }),
      slices: factory.informerFor({ resource: 'endpointslices.discovery.k8s.io', labelSelector: PROXIED_SELECTOR }),
      listeners: new ListenerSet({ now: config.now, log, connectTimeoutMs: config.connectTimeoutMs, udpIdleTimeoutMs: config.udpIdleTimeoutMs }),
      recorder,
      config,
      ...(input.metrics ? { metrics: input.metrics } : {}),
    };
  }),

  /** Every change of a Service or an EndpointSlice, as `proxy.changed` (the sync reads the caches). */
  watch: fromCallback<AnyEventObject, { session: KubeProxySession }>(({ input: { session }, sendBack }) => {
    const changed = (object?: unknown) => {
      const triggeredAt = triggerTimeOf(object);
      if (triggeredAt !== undefined) session.pendingTriggeredAt = Math.min(triggeredAt, session.pendingTriggeredAt ?? triggeredAt);
      sendBack({ type: 'proxy.changed', at: session.config.now(), ...(triggeredAt !== undefined ? { triggeredAt } : {}) } satisfies KubeProxyFeedEvent);
    };
    const serviceHandler = { onAdd: () => changed(), onUpdate: () => changed(), onDelete: () => changed() };
    const sliceHandler = { onAdd: (slice: KubeObject) => changed(slice), onUpdate: (_old: KubeObject, slice: KubeObject) => changed(slice), onDelete: () => changed() };
    const registrations = [session.services.addEventHandler(serviceHandler), session.slices.addEventHandler(sliceHandler)];
    session.factory.start();
    return () => registrations.forEach((r) => r.remove());
  }),

  syncCaches: fromPromise<void, { session: KubeProxySession }>(async ({ input: { session } }) => {
    if (!(await session.factory.waitForCacheSync(session.config.syncTimeoutMs))) throw new Error('Services and EndpointSlices did not sync');
  }),

  apply: fromPromise<ApplyOutput, { session: KubeProxySession }>(async ({ input: { session } }) => {
    const started = performance.now();
    const triggeredAt = session.pendingTriggeredAt;
    session.pendingTriggeredAt = undefined;
    const plan = desiredProxyState(session.services.indexer.list(), session.slices.indexer.list(), { nodePortAddresses: session.config.nodePortAddresses });
    const report = await session.listeners.apply(plan);
    const now = session.config.now();
    session.metrics?.synced((performance.now() - started) / 1000, now, triggeredAt === undefined ? undefined : (now - triggeredAt) / 1000);
    for (const failure of report.newlyFailing) {
      const group = plan.servicePorts.find((g) => g.key === failure.frontend.servicePortKey);
      const service = group && session.services.indexer.getBy(group.service.namespace, group.service.name);
      log.warn({ frontend: failure.frontend.key, service: group ? `${group.service.namespace}/${group.service.name}` : undefined, code: failure.code }, failure.message);
      if (service) session.recorder.record(service, 'Warning', PORT_UNAVAILABLE_REASON, failure.message);
    }
    if (report.opened.length > 0 || report.closed.length > 0) log.info({ opened: report.opened, closed: report.closed, listening: report.listening }, 'listeners changed');
    return {
      frontends: report.listening,
      backends: plan.servicePorts.reduce((n, g) => n + g.backends.length, 0),
      failing: report.failing.length,
      opened: report.opened.length,
      closed: report.closed.length,
    };
  }),

  close: fromPromise<void, { session?: KubeProxySession }>(async ({ input: { session } }) => {
    if (!session) return;
    session.factory.shutdown();
    await session.listeners.close();
    await session.recorder.flush?.();
    if (session.ownsClient) await session.client.close();
  }),
};
