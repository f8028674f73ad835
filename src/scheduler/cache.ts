/**
 * The scheduler's cache (kube-scheduler's internal/cache): nodes and the pods placed on
 * them, bound pods as the informer shows them and assumed pods the scheduler placed
 * itself before its binding returned, so the next decision already counts them and a
 * burst never overcommits a node. An assumed pod is confirmed when the informer shows it
 * bound (on whichever node the informer says), forgotten when its binding fails, and
 * expires ttl after its binding finished if the informer never confirmed it.
 */
import type { KubeObject } from '../api/object.ts';
import { NodeInfo, newPodInfo, type PodInfo } from './node-info.ts';
import { podKey, podSpec } from './views.ts';

interface PodState {
  info: PodInfo;
  nodeName: string;
  assumed: boolean;
  /** When an assumed pod expires (set once its binding finished). */
  deadline?: number;
}

export class SchedulerCache {
  private readonly nodeInfos = new Map<string, NodeInfo>();
  private readonly podStates = new Map<string, PodState>();
  private nodeList?: NodeInfo[];

  constructor(readonly assumedPodTtlMs = 30_000) {}

  /** The nodes that exist (a deleted node whose pods are still cached is left out). */
  nodes(): NodeInfo[] {
    this.nodeList ??= [...this.nodeInfos.values()].filter((n) => n.node !== undefined);
    return this.nodeList;
  }

  nodeInfo(name: string): NodeInfo | undefined {
    return this.nodeInfos.get(name);
  }

  addNode(node: KubeObject): void {
    const name = node.metadata.name ?? '';
    const info = this.nodeInfos.get(name) ?? new NodeInfo(name);
    if (!info.node) this.nodeList = undefined;
    info.setNode(node);
    this.nodeInfos.set(name, info);
  }

  updateNode(node: KubeObject): void {
    this.addNode(node);
  }

  removeNode(name: string): void {
    const info = this.nodeInfos.get(name);
    if (!info) return;
    info.node = undefined;
    if (info.pods.size === 0) this.nodeInfos.delete(name);
    this.nodeList = undefined;
  }

  isAssumed(key: string): boolean {
    return this.podStates.get(key)?.assumed === true;
  }

  /** Where the cache has the pod, assumed or bound. */
  nodeOf(key: string): string | undefined {
    return this.podStates.get(key)?.nodeName;
  }

  /** Places the pod on nodeName now, before the binding is written. */
  assumePod(pod: KubeObject, nodeName: string): KubeObject {
    const assumed: KubeObject = { ...pod, spec: { ...podSpec(pod), nodeName } };
    const key = podKey(pod);
    if (this.podStates.has(key)) throw new Error(`pod ${key} is already in the scheduler cache`);
    this.place(key, newPodInfo(assumed), nodeName, true);
    return assumed;
  }

  /** The binding was written: the assumption now expires if the informer never confirms it. */
  finishBinding(key: string, now: number): void {
    const state = this.podStates.get(key);
    if (state?.assumed) state.deadline = now + this.assumedPodTtlMs;
  }

  /** The binding failed: take the assumed pod off its node. */
  forgetPod(key: string): void {
    const state = this.podStates.get(key);
    if (state?.assumed) this.unplace(key, state);
  }

  /** The informer shows the pod bound (confirms an assumption, or a pod bound by someone else). */
  addPod(pod: KubeObject): void {
    const key = podKey(pod);
    const nodeName = podSpec(pod).nodeName ?? '';
    const state = this.podStates.get(key);
    if (state) this.unplace(key, state);
    this.place(key, newPodInfo(pod), nodeName, false);
  }

  updatePod(pod: KubeObject): void {
    this.addPod(pod);
  }

  removePod(key: string): void {
    const state = this.podStates.get(key);
    if (state) this.unplace(key, state);
  }

  /** Drops assumed pods whose binding finished more than ttl ago unconfirmed; answers them. */
  cleanupExpiredAssumedPods(now: number): KubeObject[] {
    const expired: KubeObject[] = [];
    for (const [key, state] of this.podStates) {
      if (state.assumed && state.deadline !== undefined && now >= state.deadline) {
        this.unplace(key, state);
        expired.push(state.info.pod);
      }
    }
    return expired;
  }

  get podCount(): number {
    return this.podStates.size;
  }

  private place(key: string, info: PodInfo, nodeName: string, assumed: boolean): void {
    let node = this.nodeInfos.get(nodeName);
    if (!node) {
      // A pod can arrive before its node: keep a placeholder that holds its pods.
      node = new NodeInfo(nodeName);
      this.nodeInfos.set(nodeName, node);
    }
    node.addPod(info);
    this.podStates.set(key, { info, nodeName, assumed });
  }

  private unplace(key: string, state: PodState): void {
    this.podStates.delete(key);
    const node = this.nodeInfos.get(state.nodeName);
    if (!node) return;
    node.removePod(key);
    if (!node.node && node.pods.size === 0) this.nodeInfos.delete(state.nodeName);
  }
}
