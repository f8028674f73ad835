/**
 * The probe loops of one pod, as kubelet's prober workers: per running container and
 * probe kind, a first run initialDelaySeconds after the container started, then one
 * every periodSeconds, on the Clock; a container's loops end when it exits or is
 * killed, or when its probes change phase (startup, then liveness and readiness). Each
 * run's outcome goes to onResult; what it means is decided by the pod state.
 */
import type { Clock } from '../informer/clock.ts';
import type { RunningContainer } from '../runtime/runtime.ts';
import { probeSpec, type ProbeSpec } from './probe-spec.ts';
import type { ProbeKind } from './probe-tracker.ts';
import { runProbe } from './probes.ts';

export interface ProbeRun {
  name: string;
  containerID: string;
  kind: ProbeKind;
  ok: boolean;
  message?: string;
}

interface Loop {
  cancel: () => void;
  stopped: boolean;
}

export class PodProber {
  private readonly loops = new Map<string, Loop[]>();

  constructor(
    private readonly clock: Clock,
    private readonly podIP: string,
    private readonly simulated: boolean,
    private readonly onResult: (run: ProbeRun) => void,
  ) {}

  arm(name: string, running: RunningContainer, container: Record<string, unknown>, phase: 'startup' | 'main'): void {
    this.stop(running.id);
    const kinds: ProbeKind[] = phase === 'startup' ? ['startup'] : ['liveness', 'readiness'];
    const loops: Loop[] = [];
    this.loops.set(running.id, loops);
    for (const kind of kinds) {
      const spec = probeSpec(container, kind);
      if (!spec) continue;
      const loop: Loop = { cancel: () => {}, stopped: false };
      loops.push(loop);
      const firstAt = running.startedAt.getTime() + spec.initialDelayMs;
      this.schedule(loop, name, running, container, spec, Math.max(0, firstAt - this.clock.now()));
    }
  }

  private schedule(loop: Loop, name: string, running: RunningContainer, container: Record<string, unknown>, spec: ProbeSpec, delayMs: number): void {
    loop.cancel = this.clock.setTimer(() => {
      void runProbe(spec.handler, { podIP: this.podIP, container, running, simulated: this.simulated }, spec.timeoutMs).then((outcome) => {
        if (loop.stopped) return;
        this.onResult({ name, containerID: running.id, kind: spec.kind, ok: outcome.ok, ...(outcome.message !== undefined ? { message: outcome.message } : {}) });
        if (!loop.stopped) this.schedule(loop, name, running, container, spec, spec.periodMs);
      });
    }, delayMs);
  }

  stop(containerID: string): void {
    const loops = this.loops.get(containerID);
    if (!loops) return;
    this.loops.delete(containerID);
    for (const loop of loops) {
      loop.stopped = true;
      loop.cancel();
    }
  }

  stopAll(): void {
    for (const id of [...this.loops.keys()]) this.stop(id);
  }
}
