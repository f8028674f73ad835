/**
 * The kubelet's metrics: kubelet_node_name{node} (always 1), kubelet_running_pods and
 * kubelet_running_containers{container_state="running"} read from what runs when
 * scraped, and kubelet_pod_start_duration_seconds: from the pod's sandbox being made
 * (right after the kubelet first acts on it) to its first container running.
 */
import { Gauge, Histogram, type Registry } from 'prom-client';

/** Kubernetes' buckets for kubelet_pod_start_duration_seconds. */
const POD_START_BUCKETS = [0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600];

export interface RunningView {
  list(): Array<{ containers: unknown[] }>;
}

export class KubeletMetrics {
  private readonly nodeName: Gauge<'node'>;
  private readonly podStart: Histogram;
  private running?: RunningView;

  constructor(readonly registry: Registry) {
    const registers = [registry];
    const self = this;
    this.nodeName = new Gauge({ name: 'kubelet_node_name', help: 'The node\'s name. The count is always 1.', labelNames: ['node'], registers });
    new Gauge({
      name: 'kubelet_running_pods',
      help: 'Number of pods that have a running pod sandbox',
      registers,
      collect() {
        this.set(self.running?.list().length ?? 0);
      },
    });
    new Gauge({
      name: 'kubelet_running_containers',
      help: 'Number of containers currently running',
      labelNames: ['container_state'],
      registers,
      collect() {
        this.set({ container_state: 'running' }, (self.running?.list() ?? []).reduce((n, p) => n + p.containers.length, 0));
      },
    });
    this.podStart = new Histogram({ name: 'kubelet_pod_start_duration_seconds', help: 'Duration in seconds from kubelet seeing a pod for the first time to the pod starting to run', buckets: POD_START_BUCKETS, registers });
  }

  /** Follows one kubelet's running pods (a new session of the kubelet attaches again). */
  attach(running: RunningView & { onPodRunning?: (seconds: number) => void }, nodeName: string): void {
    this.running = running;
    this.nodeName.reset();
    this.nodeName.set({ node: nodeName }, 1);
    running.onPodRunning = (seconds) => this.podStart.observe(seconds);
  }
}
