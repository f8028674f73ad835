/**
 * What runs on this node right now, by pod uid: the pod's address and its running
 * containers. The pod drivers keep it current; the kubelet's streaming server reads it to
 * find the container of a kubectl exec and the address of a port-forward.
 */
import type { PodSandbox, RunningContainer } from '../runtime/runtime.ts';

interface RunningPod {
  namespace: string;
  name: string;
  ip: string;
  containers: Map<string, RunningContainer>;
  /** When its sandbox was made; cleared once its first container runs (for the start metric). */
  sandboxAt?: number;
}

export class RunningPods {
  private readonly pods = new Map<string, RunningPod>();
  /** Told the seconds from a pod's sandbox to its first running container (kubelet_pod_start_duration_seconds). */
  onPodRunning?: (seconds: number) => void;

  podStarted(sandbox: PodSandbox): void {
    if (!this.pods.has(sandbox.uid)) this.pods.set(sandbox.uid, { namespace: sandbox.namespace, name: sandbox.name, ip: sandbox.ip, containers: new Map(), sandboxAt: performance.now() });
  }

  containerStarted(uid: string, name: string, container: RunningContainer): void {
    const pod = this.pods.get(uid);
    pod?.containers.set(name, container);
    if (pod?.sandboxAt !== undefined) {
      this.onPodRunning?.((performance.now() - pod.sandboxAt) / 1000);
      pod.sandboxAt = undefined;
    }
  }

  containerExited(uid: string, name: string, container: RunningContainer): void {
    const containers = this.pods.get(uid)?.containers;
    if (containers?.get(name) === container) containers.delete(name);
  }

  /** Every pod running here, with its running containers (a copy: the caller may iterate at leisure). */
  list(): Array<{ uid: string; namespace: string; name: string; containers: Array<[string, RunningContainer]> }> {
    return [...this.pods].map(([uid, p]) => ({ uid, namespace: p.namespace, name: p.name, containers: [...p.containers] }));
  }

  podRemoved(uid: string): void {
    this.pods.delete(uid);
  }

  /** The running container of a pod on this node: the pod named must be the one with this uid (when given). */
  findContainer = (namespace: string, pod: string, uid: string, container: string): RunningContainer | undefined => {
    const found = this.lookup(namespace, pod, uid);
    return found?.containers.get(container);
  };

  podAddress = (namespace: string, pod: string, uid: string): string | undefined => this.lookup(namespace, pod, uid)?.ip;

  private lookup(namespace: string, pod: string, uid: string): RunningPod | undefined {
    const byUid = uid ? this.pods.get(uid) : [...this.pods.values()].find((p) => p.namespace === namespace && p.name === pod);
    return byUid && byUid.namespace === namespace && byUid.name === pod ? byUid : undefined;
  }
}
