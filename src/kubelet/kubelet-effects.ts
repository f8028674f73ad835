/**
 * The kubelet machine's effects, as actors it invokes (tests swap them with .provide()):
 * connect (or take the shared client), register the Node, keep the Lease and the node
 * status fresh on the Clock, and follow the pods bound to this node through an informer
 * (fieldSelector spec.nodeName=<node>).
 */
import { fromCallback, fromPromise, type AnyEventObject } from 'xstate';
import type { KubeObject } from '../api/object.ts';
import { loadNodeDnsSettings } from '../net/dns-config.ts';
import { ApiClient } from '../client/api-client.ts';
import { ApiEventRecorder, noopRecorder } from '../controllers/runtime/events.ts';
import type { Clock } from '../informer/clock.ts';
import { isDeletedFinalStateUnknown } from '../informer/deltas.ts';
import { SharedInformerFactory } from '../informer/informer-factory.ts';
import { stripManagedFields } from '../informer/transforms.ts';
import { componentLogger } from '../log.ts';
import { ProcessRuntime } from '../runtime/process-runtime.ts';
import type { ContainerRuntime } from '../runtime/runtime.ts';
import { SimulatedRuntime } from '../runtime/simulated-runtime.ts';
import { nodeConfigFor, resolveKubeletConfig, type KubeletInput } from './kubelet-config.ts';
import { postNodeStatus, registerNode, renewNodeLease } from './node-effects.ts';
import { nodeStatus, nodeStatusChanged, type NodeConfig } from './node-status.ts';
import type { PodWorkerDeps } from './pod-driver.ts';
import { RunningPods } from './running-pods.ts';
import { ResourceSampler } from './resource-metrics.ts';
import { publishNodeUsage } from '../../streams/metrics-stream.ts';
import { serveKubeletStreams } from '../streaming/kubelet-streams.ts';
import { JetStreamLogSink } from '../../streams/logs-stream.ts';
import type { SharedPodFeed } from './shared-pod-feed.ts';

const log = componentLogger('kubelet');

export interface KubeletSession {
  client: ApiClient;
  ownsClient: boolean;
  runtime: ContainerRuntime;
  nodeConfig: NodeConfig;
  deps: PodWorkerDeps;
  recorder: ApiEventRecorder;
  podFeed?: SharedPodFeed;
}

export function runtimeFor(input: KubeletInput, clock: Clock): ContainerRuntime {
  if (input.runtime === 'process') return new ProcessRuntime({ rootDir: input.rootDir });
  if (input.runtime === 'simulated') return new SimulatedRuntime({ clock, failingImages: input.failingImages ?? [] });
  return input.runtime;
}

export type KubeletFeedEvent = { type: 'pod.upserted'; pod: KubeObject } | { type: 'pod.deleted'; pod: KubeObject } | { type: 'node.posted'; node: KubeObject };

export const kubeletEffects = {
  connect: fromPromise<KubeletSession, { input: KubeletInput }>(async ({ input: { input } }) => {
    const resolved = resolveKubeletConfig(input);
    const client = input.client ?? (await ApiClient.connect(input.natsUrl, `kubelet-${resolved.nodeName}`, { fieldManager: 'kubelet' }));
    const runtime = runtimeFor(input, resolved.clock);
    const recorder = new ApiEventRecorder(client, 'kubelet', resolved.clock, componentLogger('events', { source: 'kubelet', node: resolved.nodeName }), resolved.nodeName);
    const deps: PodWorkerDeps = {
      client,
      runtime,
      recorder: input.recordEvents === false ? noopRecorder : recorder,
      // Container output goes to the LOGS stream unless the caller keeps it elsewhere.
      logs: input.logs ?? new JetStreamLogSink(client.nc),
      running: new RunningPods(),
      clock: resolved.clock,
      rootDir: input.rootDir,
      nodeName: resolved.nodeName,
      hostIP: resolved.nodeIP,
      pulledImages: new Set(),
      log: log.child({ node: resolved.nodeName }),
      dns: loadNodeDnsSettings({ ...(input.clusterDNS ? { clusterDNS: input.clusterDNS } : {}), nodeIPs: [resolved.nodeIP] }),
    };
    if (deps.running) input.metrics?.attach(deps.running, resolved.nodeName);
    return { client, ownsClient: !input.client, runtime, nodeConfig: nodeConfigFor(input, resolved, runtime.name), deps, recorder, ...(input.podFeed ? { podFeed: input.podFeed } : {}) };
  }),

  register: fromPromise<KubeObject, { session: KubeletSession; clock: Clock }>(({ input }) => registerNode(input.session.client, input.session.nodeConfig, input.clock.now())),

  /** Renews the Lease every leaseRenewMs; posts the node status when it changed or every reportMs. */
  heartbeat: fromCallback<AnyEventObject, { session: KubeletSession; node: KubeObject; clock: Clock; leaseRenewMs: number; reportMs: number }>(({ input, sendBack }) => {
    const { session, clock } = input;
    let node = input.node;
    let lease: KubeObject | undefined;
    let lastPosted = clock.now();
    let stopped = false;
    let cancel: (() => void) | undefined;
    const tick = async () => {
      const now = clock.now();
      try {
        lease = await renewNodeLease(session.client, node, lease, now);
      } catch (err) {
        lease = undefined;
        log.warn({ err, node: session.nodeConfig.nodeName }, 'could not renew the node lease');
      }
      const desired = nodeStatus(session.nodeConfig, node, now);
      if (!stopped && (nodeStatusChanged(node.status, desired) || now - lastPosted >= input.reportMs)) {
        try {
          node = await postNodeStatus(session.client, session.nodeConfig, node, now);
          lastPosted = now;
          sendBack({ type: 'node.posted', node } satisfies KubeletFeedEvent);
        } catch (err) {
          log.warn({ err, node: session.nodeConfig.nodeName }, 'could not post the node status');
        }
      }
      if (!stopped) cancel = clock.setTimer(() => void tick(), input.leaseRenewMs);
    };
    void tick();
    return () => {
      stopped = true;
      cancel?.();
    };
  }),

  /** The pods bound to this node, as an informer sees them. */
  pods: fromCallback<AnyEventObject, { session: KubeletSession }>(({ input, sendBack }) => {
    const feed = input.session.podFeed;
    if (feed) {
      return feed.subscribe(input.session.nodeConfig.nodeName, {
        upserted: (pod) => sendBack({ type: 'pod.upserted', pod } satisfies KubeletFeedEvent),
        deleted: (pod) => sendBack({ type: 'pod.deleted', pod } satisfies KubeletFeedEvent),
      });
    }
    const factory = new SharedInformerFactory(input.session.client, { transform: stripManagedFields });
    const informer = factory.informerFor({ resource: 'pods', fieldSelector: `spec.nodeName=${input.session.nodeConfig.nodeName}` });
    informer.addEventHandler({
      onAdd: (pod) => sendBack({ type: 'pod.upserted', pod } satisfies KubeletFeedEvent),
      onUpdate: (_old, pod) => sendBack({ type: 'pod.upserted', pod } satisfies KubeletFeedEvent),
      onDelete: (object) => sendBack({ type: 'pod.deleted', pod: isDeletedFinalStateUnknown(object) ? object.object : object } satisfies KubeletFeedEvent),
    });
    factory.start();
    return () => factory.shutdown();
  }),

  /** The streaming server: kubectl exec and port-forward sessions the API server opens on this node. */
  streams: fromCallback<AnyEventObject, { session: KubeletSession }>(({ input }) => {
    const { session } = input;
    const running = session.deps.running;
    if (!running) return () => {};
    const subscription = serveKubeletStreams(session.client.nc, session.nodeConfig.nodeName, {
      findContainer: running.findContainer,
      podAddress: running.podAddress,
      logger: session.deps.log,
    });
    return () => subscription.unsubscribe();
  }),

  /** Resource usage for `kubectl top`: sampled at start, 2 s later, then every 10 s, and published for the API servers. */
  resourceMetrics: fromCallback<AnyEventObject, { session: KubeletSession; clock: Clock }>(({ input }) => {
    const { session, clock } = input;
    const running = session.deps.running;
    if (!running) return () => {};
    const sampler = new ResourceSampler(session.nodeConfig.nodeName, running, session.runtime.name === 'process');
    let stopped = false;
    let cancel: (() => void) | undefined;
    let first = true;
    const tick = async () => {
      try {
        const report = await sampler.sample(clock.now());
        if (report && !stopped) publishNodeUsage(session.client.nc, report);
      } catch (err) {
        log.debug({ err }, 'resource sample failed');
      }
      if (!stopped) cancel = clock.setTimer(() => void tick(), first ? 2_000 : 10_000);
      first = false;
    };
    void tick();
    return () => {
      stopped = true;
      cancel?.();
    };
  }),

  close: fromPromise<void, { session?: KubeletSession; logs?: { flush(): Promise<void> } }>(async ({ input }) => {
    if (!input.session) return;
    await input.session.recorder.flush();
    await (input.logs ?? input.session.deps.logs)?.flush();
    if (input.session.ownsClient) await input.session.client.close();
  }),
};
