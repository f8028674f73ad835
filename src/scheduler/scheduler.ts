/**
 * The scheduler's wiring: informers (pods in every namespace, nodes) feed the cache and
 * the queue; one loop pops a pod, decides with schedulePod (pure, over the cache),
 * assumes the pod on the chosen node and starts its binding without waiting for it
 * (kube-scheduler's binding cycle), with at most maxBindingsInFlight bindings pending.
 * A pod that fits nowhere gets a FailedScheduling Warning event and PodScheduled=False
 * (Unschedulable, the FitError message), written pinned to its resourceVersion. Handlers
 * only touch the cache and the queue; the loop is the one place decisions are made.
 */
import { StatusError } from '../api/errors.ts';
import type { KubeObject } from '../api/object.ts';
import type { ApiClient } from '../client/api-client.ts';
import { ApiEventRecorder, type EventRecorder } from '../controllers/runtime/events.ts';
import { realClock, type Clock } from '../informer/clock.ts';
import { isDeletedFinalStateUnknown, type DeletedFinalStateUnknown } from '../informer/deltas.ts';
import type { HandlerRegistration } from '../informer/event-handlers.ts';
import type { SharedInformerFactory } from '../informer/informer-factory.ts';
import type { SharedInformer } from '../informer/shared-informer.ts';
import { componentLogger } from '../log.ts';
import type { SchedulerMetrics } from '../metrics/scheduler-metrics.ts';
import { SchedulerCache } from './cache.ts';
import { writeUnschedulableCondition } from './pod-status.ts';
import { SchedulingQueue, type QueuedPodInfo, type QueueOptions } from './queue.ts';
import { schedulePod } from './schedule-pod.ts';
import { DEFAULT_SCHEDULER_NAME, isAssigned, isPendingFor, isTerminal, podKey } from './views.ts';

const log = componentLogger('scheduler');

export interface SchedulerOptions {
  schedulerName?: string;
  clock?: Clock;
  /** Tie-breaking between equally scored nodes (seed it in tests). */
  random?: () => number;
  maxBindingsInFlight?: number;
  percentageOfNodesToScore?: number;
  assumedPodTtlMs?: number;
  queue?: QueueOptions;
  recorder?: EventRecorder;
  /** Called when the informer shows a pod this scheduler bound: ms from first sight to confirmation. */
  onBound?: (pod: KubeObject, latencyMs: number) => void;
  /** Where attempts are counted (the component's registry outlives each term's Scheduler). */
  metrics?: SchedulerMetrics;
}

const nodeSchedulingProperties = (node: KubeObject) =>
  JSON.stringify([node.metadata.labels, node.spec, (node.status as { allocatable?: unknown } | undefined)?.allocatable]);

export class Scheduler {
  readonly cache: SchedulerCache;
  readonly queue: SchedulingQueue;
  readonly recorder: EventRecorder;
  private readonly pods: SharedInformer;
  private readonly nodes: SharedInformer;
  private readonly clock: Clock;
  private readonly name: string;
  private readonly maxBindings: number;
  private readonly registrations: HandlerRegistration[] = [];
  private readonly firstSeen = new Map<string, number>();
  private readonly bindings = new Set<Promise<void>>();
  private slotWaiter?: () => void;
  private startIndex = 0;
  private loop?: Promise<void>;
  private cancelCleanup?: () => void;
  private stopped = false;
  scheduledCount = 0;
  failedCount = 0;

  constructor(
    private readonly client: ApiClient,
    factory: SharedInformerFactory,
    private readonly options: SchedulerOptions = {},
  ) {
    this.clock = options.clock ?? realClock;
    this.name = options.schedulerName ?? DEFAULT_SCHEDULER_NAME;
    this.maxBindings = options.maxBindingsInFlight ?? 64;
    this.cache = new SchedulerCache(options.assumedPodTtlMs);
    this.queue = new SchedulingQueue({ clock: this.clock, ...options.queue });
    options.metrics?.attach(this.queue);
    // Events name the profile's scheduler as their source, as kube-scheduler's per-profile recorders.
    this.recorder = options.recorder ?? new ApiEventRecorder(client, this.name, this.clock);
    this.pods = factory.informerFor('pods');
    this.nodes = factory.informerFor('nodes');
    this.registrations.push(
      this.nodes.addEventHandler({
        onAdd: (node) => {
          this.cache.addNode(node);
          this.queue.moveAllToActiveOrBackoff();
        },
        onUpdate: (old, node) => {
          this.cache.updateNode(node);
          if (nodeSchedulingProperties(old) !== nodeSchedulingProperties(node)) this.queue.moveAllToActiveOrBackoff();
        },
        onDelete: (node) => this.cache.removeNode(unwrap(node).metadata.name ?? ''),
      }),
      this.pods.addEventHandler({
        onAdd: (pod) => this.podSeen(pod),
        onUpdate: (old, pod) => this.podSeen(pod, old),
        onDelete: (pod) => this.podDeleted(unwrap(pod)),
      }),
    );
  }

  /**
   * Starts the informers and waits for both caches (throws when they do not sync in time),
   * then for this Scheduler's handlers to have seen them: a later leadership term's
   * Scheduler is fed the kept caches' contents, and must not place a pod before it knows
   * every pod already on the nodes.
   */
  async startAndSync(factory: SharedInformerFactory, timeoutMs = 60_000): Promise<void> {
    factory.start();
    if (!(await factory.waitForCacheSync(timeoutMs))) throw new Error('the scheduler caches did not sync');
    await Promise.all(this.registrations.map((r) => r.synced));
  }

  run(): void {
    if (this.loop) return;
    this.queue.run();
    this.armCleanup();
    this.loop = this.scheduleLoop();
  }

  /** Stops taking pods, lets bindings in flight finish, flushes events. */
  async shutDown(): Promise<void> {
    this.stopped = true;
    this.queue.close();
    this.cancelCleanup?.();
    this.slotWaiter?.();
    await this.loop;
    await Promise.allSettled([...this.bindings]);
    for (const r of this.registrations) r.remove();
    if (this.recorder instanceof ApiEventRecorder) await this.recorder.flush();
  }

  private podSeen(pod: KubeObject, old?: KubeObject): void {
    const key = podKey(pod);
    if (isAssigned(pod)) {
      this.queue.delete(pod);
      if (isTerminal(pod)) {
        if (this.cache.nodeOf(key) !== undefined) {
          this.cache.removePod(key);
          this.queue.moveAllToActiveOrBackoff();
        }
      } else {
        this.cache.addPod(pod);
      }
      const seen = this.firstSeen.get(key);
      if (seen !== undefined) {
        this.firstSeen.delete(key);
        this.options.onBound?.(pod, this.clock.now() - seen);
      }
      return;
    }
    if (!isPendingFor(pod, this.name)) {
      this.queue.delete(pod);
      this.firstSeen.delete(key);
      return;
    }
    // Our own status writes come back as updates: an assumed pod is already placed.
    if (this.cache.isAssumed(key)) return;
    if (!this.firstSeen.has(key)) this.firstSeen.set(key, this.clock.now());
    if (old) this.queue.update(old, pod);
    else this.queue.add(pod);
  }

  private podDeleted(pod: KubeObject): void {
    const key = podKey(pod);
    this.queue.delete(pod);
    this.firstSeen.delete(key);
    if (this.cache.nodeOf(key) !== undefined) {
      this.cache.removePod(key);
      this.queue.moveAllToActiveOrBackoff();
    }
  }

  private async scheduleLoop(): Promise<void> {
    let lastYield = performance.now();
    for (;;) {
      while (this.bindings.size >= this.maxBindings && !this.stopped) await new Promise<void>((resolve) => (this.slotWaiter = resolve));
      if (this.stopped) return;
      const info = await this.queue.pop();
      if (!info || this.stopped) return;
      try {
        this.scheduleOne(info);
      } catch (err) {
        log.error({ err, pod: info.key }, 'scheduling failed with an error; retrying after backoff');
        this.options.metrics?.attempt('error', this.name, 0);
        this.queue.addUnschedulable(info, false);
      }
      // Let informer events and binding replies in between, without a turn per pod.
      if (performance.now() - lastYield > 5) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
    }
  }

  /** One scheduling cycle: decide, then assume and bind, or record why not. */
  scheduleOne(info: QueuedPodInfo): void {
    const pod = this.pods.indexer.get(info.key);
    // skipPodSchedule: gone, bound or being deleted meanwhile, or already placed by us.
    if (!pod || !isPendingFor(pod, this.name) || this.cache.nodeOf(info.key) !== undefined) return;
    info.pod = pod;
    const attemptStarted = performance.now();
    const result = schedulePod(pod, this.cache.nodes(), {
      random: this.options.random,
      startIndex: this.startIndex,
      percentageOfNodesToScore: this.options.percentageOfNodesToScore,
    });
    this.startIndex = result.nextStartIndex;
    if ('failure' in result) {
      this.failedCount++;
      this.options.metrics?.attempt('unschedulable', this.name, (performance.now() - attemptStarted) / 1000);
      log.debug({ pod: info.key, message: result.failure.message }, 'unable to schedule pod');
      this.handleFailure(info, result.failure.message, 'Unschedulable', true);
      return;
    }
    this.cache.assumePod(pod, result.node);
    const binding = this.bind(info, pod, result.node, attemptStarted).finally(() => {
      this.bindings.delete(binding);
      const wake = this.slotWaiter;
      this.slotWaiter = undefined;
      wake?.();
    });
    this.bindings.add(binding);
  }

  private async bind(info: QueuedPodInfo, pod: KubeObject, nodeName: string, attemptStarted: number): Promise<void> {
    const { namespace = '', name = '', uid } = pod.metadata;
    // The event says when the pod was bound: the kubelet may have started it before the answer came back.
    const bindingAt = this.clock.now();
    try {
      await this.client.bind(namespace, name, nodeName, uid ? { uid } : {});
      this.cache.finishBinding(info.key, this.clock.now());
      this.scheduledCount++;
      this.options.metrics?.attempt('scheduled', this.name, (performance.now() - attemptStarted) / 1000);
      this.recorder.record(pod, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${nodeName}`, bindingAt);
    } catch (err) {
      this.cache.forgetPod(info.key);
      this.queue.moveAllToActiveOrBackoff(); // what it held on the node is free again
      if (err instanceof StatusError && (err.code === 404 || err.code === 409)) {
        // Deleted, bound by someone else, or replaced by a pod of the same name: the informer will say which.
        log.debug({ pod: info.key, err: err.message }, 'binding refused');
        const live = this.pods.indexer.get(info.key);
        if (live && isPendingFor(live, this.name) && live.metadata.uid !== uid) this.queue.add(live);
        return;
      }
      this.options.metrics?.attempt('error', this.name, (performance.now() - attemptStarted) / 1000);
      log.warn({ pod: info.key, node: nodeName, err }, 'binding failed; retrying after backoff');
      this.handleFailure(info, `Binding rejected: ${err instanceof Error ? err.message : String(err)}`, 'SchedulerError', false);
    }
  }

  private handleFailure(info: QueuedPodInfo, message: string, reason: string, unschedulable: boolean): void {
    const live = this.pods.indexer.get(info.key);
    if (!live || !isPendingFor(live, this.name)) return;
    info.pod = live;
    this.queue.addUnschedulable(info, unschedulable);
    this.recorder.record(live, 'Warning', 'FailedScheduling', message);
    const stillPending = (pod: KubeObject) => isPendingFor(pod, this.name);
    void writeUnschedulableCondition(this.client, live, reason, message, this.clock.now(), stillPending).catch((err: unknown) =>
      log.warn({ pod: info.key, err }, 'could not write the PodScheduled condition'),
    );
  }

  private armCleanup(): void {
    this.cancelCleanup = this.clock.setTimer(() => {
      if (this.stopped) return;
      const expired = this.cache.cleanupExpiredAssumedPods(this.clock.now());
      for (const pod of expired) {
        log.warn({ pod: podKey(pod) }, 'assumed pod expired without its binding being seen');
        const live = this.pods.indexer.get(podKey(pod));
        if (live && isPendingFor(live, this.name)) this.queue.add(live);
      }
      if (expired.length > 0) this.queue.moveAllToActiveOrBackoff();
      this.armCleanup();
    }, 1_000);
  }
}

function unwrap(object: KubeObject | DeletedFinalStateUnknown): KubeObject {
  return isDeletedFinalStateUnknown(object) ? object.object : object;
}
