/**
 * The I/O of one pod worker: carries out the commands of pod-actions.ts against the
 * container runtime, the probes and the API, and reports what happened as facts
 * (pod-state.ts). It decides nothing: which container, when, and whether to restart is
 * the worker machine's (actors/pod-worker.machine.ts) through the pure decider.
 * Status writes go through pod-status-writer.ts (pinned, coalesced, re-read on 409).
 */
import { join } from 'node:path';
import { StatusError } from '../api/errors.ts';
import { isPlainObject, type KubeObject } from '../api/object.ts';
import { formPodDns, type NodeDnsSettings } from '../net/dns-config.ts';
import type { ApiClient } from '../client/api-client.ts';
import type { EventRecorder } from '../controllers/runtime/events.ts';
import type { Clock } from '../informer/clock.ts';
import type { Logger } from '../log.ts';
import { referencedObjects, resolveEnv } from '../runtime/env.ts';
import { claimNamesOf, mountsFor, prepareVolumes, readOnlyVolumeNames, type VolumeSources } from '../runtime/volumes.ts';
import { ContainerStartError, ImagePullError, type ContainerExit, type ContainerRuntime, type PodSandbox, type RunningContainer } from '../runtime/runtime.ts';
import type { ContainerLogSink } from './log-sink.ts';
import { serviceAccountTokenSource } from './service-account-token.ts';
import type { RunningPods } from './running-pods.ts';
import type { PodCommand } from './pod-actions.ts';
import { PodStatusWriter } from './pod-status-writer.ts';
import type { PodFact, TerminatedState } from './pod-state.ts';
import { PodProber, type ProbeRun } from './pod-prober.ts';
import { goDuration, rfc3339 } from './time-format.ts';

/** What every pod worker of one kubelet shares. */
export interface PodWorkerDeps {
  client: ApiClient;
  runtime: ContainerRuntime;
  recorder: EventRecorder;
  logs?: ContainerLogSink;
  clock: Clock;
  rootDir: string;
  nodeName: string;
  hostIP: string;
  /** Images pulled on this node (IfNotPresent skips the pull). */
  pulledImages: Set<string>;
  log: Logger;
  /** What runs here, for the streaming server (exec, port-forward). */
  running?: RunningPods;
  /** --cluster-dns, --cluster-domain and the host's resolv.conf; absent: pods get no resolv.conf. */
  dns?: NodeDnsSettings;
}

export type DriverReport = PodFact | { type: 'finalized' } | { type: 'removed' };

const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

export class PodDriver {
  private readonly status: PodStatusWriter;
  private readonly running = new Map<string, RunningContainer>();
  private readonly prober: PodProber;
  private cancelWake?: () => void;
  private volumePaths = new Map<string, string>();
  private disposed = false;

  constructor(
    private readonly deps: PodWorkerDeps,
    pod: KubeObject,
    readonly sandbox: PodSandbox,
    private readonly report: (fact: DriverReport) => void,
  ) {
    this.status = new PodStatusWriter(deps.client, pod, deps.log);
    this.prober = new PodProber(deps.clock, sandbox.ip, deps.runtime.name === 'simulated', (run) => this.probed(run));
    deps.running?.podStarted(sandbox);
  }

  /** The newest pod object seen. */
  private get pod(): KubeObject {
    return this.status.pod;
  }

  static sandboxFor(deps: Pick<PodWorkerDeps, 'rootDir' | 'dns'>, pod: KubeObject, podIP: string): PodSandbox {
    const uid = pod.metadata.uid ?? '';
    const dns = deps.dns ? { dns: formPodDns(pod, deps.dns).dns } : {};
    return { uid, namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name ?? '', dir: join(deps.rootDir, 'pods', uid), ip: podIP, ...dns };
  }

  /** The newest pod object wins; the informer and our own status writes both bring them. */
  observePod(pod: KubeObject): void {
    this.status.observe(pod);
  }

  private get now(): number {
    return this.deps.clock.now();
  }

  private emit(fact: DriverReport): void {
    if (!this.disposed) this.report(fact);
  }

  async prepare(): Promise<void> {
    try {
      if (this.deps.runtime.name !== 'simulated') {
        const sources = { ...(await this.fetchReferenced()), ...(await this.fetchClaims()), serviceAccountToken: serviceAccountTokenSource(this.deps.client, this.pod) };
        this.volumePaths = await prepareVolumes(this.pod, this.sandbox.dir, sources);
      }
      this.emit({ type: 'prepared', at: this.now });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.deps.recorder.record(this.pod, 'Warning', 'FailedMount', message);
      this.emit({ type: 'prepare.failed', message, at: this.now });
    }
  }

  run(command: PodCommand): void {
    switch (command.type) {
      case 'start':
        void this.start(command);
        return;
      case 'kill':
        this.kill(command);
        return;
      case 'probe':
        this.armProbes(command.name, command.containerID, command.phase);
        return;
      case 'wakeAt':
        this.cancelWake?.();
        this.cancelWake = this.deps.clock.setTimer(() => this.emit({ type: 'wake', at: this.now }), Math.max(0, command.at - this.now));
        return;
      case 'finalize':
        void this.finalize();
        return;
      default: {
        const never: never = command;
        throw new Error(`unknown command ${JSON.stringify(never)}`);
      }
    }
  }

  private containerSpec(name: string): Record<string, unknown> {
    const spec = isPlainObject(this.pod.spec) ? this.pod.spec : {};
    const all = [...(Array.isArray(spec.initContainers) ? spec.initContainers : []), ...(Array.isArray(spec.containers) ? spec.containers : [])];
    return (all.find((c) => isPlainObject(c) && c.name === name) as Record<string, unknown> | undefined) ?? { name };
  }

  private async fetchReferenced(): Promise<{ configMaps: Map<string, KubeObject>; secrets: Map<string, KubeObject> }> {
    const namespace = this.sandbox.namespace;
    const refs = referencedObjects(this.pod);
    const fetch = async (resource: string, names: string[]) => {
      const found = new Map<string, KubeObject>();
      for (const name of names) {
        try {
          found.set(name, await this.deps.client.get(resource, namespace, name));
        } catch (error) {
          if (!(error instanceof StatusError && error.code === 404)) throw error;
        }
      }
      return found;
    };
    return { configMaps: await fetch('configmaps', refs.configMaps), secrets: await fetch('secrets', refs.secrets) };
  }

  /** The pod's claims and the volumes they are bound to, as they are now (missing ones are left out: prepareVolumes says what is missing). */
  private async fetchClaims(): Promise<Pick<VolumeSources, 'persistentVolumeClaims' | 'persistentVolumes'>> {
    const persistentVolumeClaims = new Map<string, KubeObject>();
    const persistentVolumes = new Map<string, KubeObject>();
    const getOrUndefined = (resource: string, namespace: string | undefined, name: string) =>
      this.deps.client.get(resource, namespace, name).catch((error: unknown) => {
        if (error instanceof StatusError && error.code === 404) return undefined;
        throw error;
      });
    for (const claimName of new Set(claimNamesOf(this.pod))) {
      const claim = await getOrUndefined('persistentvolumeclaims', this.sandbox.namespace, claimName);
      if (!claim) continue;
      persistentVolumeClaims.set(claimName, claim);
      const volumeName = isPlainObject(claim.spec) ? claim.spec.volumeName : undefined;
      if (typeof volumeName !== 'string' || !volumeName || persistentVolumes.has(volumeName)) continue;
      const volume = await getOrUndefined('persistentvolumes', undefined, volumeName);
      if (volume) persistentVolumes.set(volumeName, volume);
    }
    return { persistentVolumeClaims, persistentVolumes };
  }

  private async pull(image: string, policy: unknown): Promise<string> {
    const { runtime, pulledImages, recorder } = this.deps;
    if (policy !== 'Always' && pulledImages.has(image)) {
      recorder.record(this.pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
      return (await runtime.pullImage(image)).imageID;
    }
    recorder.record(this.pod, 'Normal', 'Pulling', `Pulling image "${image}"`);
    const began = this.now;
    const info = await runtime.pullImage(image);
    const took = goDuration(this.now - began);
    pulledImages.add(image);
    recorder.record(this.pod, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${took} (${took} including waiting)`);
    return info.imageID;
  }

  private async start(command: Extract<PodCommand, { type: 'start' }>): Promise<void> {
    const container = this.containerSpec(command.name);
    const image = String(container.image ?? '');
    const { runtime, recorder } = this.deps;
    let imageID: string;
    try {
      imageID = await this.pull(image, container.imagePullPolicy);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      recorder.record(this.pod, 'Warning', 'Failed', `Failed to pull image "${image}": ${message}`);
      this.emit(error instanceof ImagePullError ? { type: 'pull.failed', name: command.name, message, at: this.now } : { type: 'start.failed', name: command.name, reason: 'ErrImagePull', message, at: this.now });
      return;
    }
    try {
      const simulated = runtime.name === 'simulated';
      const sources = await this.fetchReferenced();
      const env = resolveEnv(this.pod, container, { podIP: this.sandbox.ip, hostIP: this.deps.hostIP, nodeName: this.deps.nodeName, ...sources });
      const mounts = simulated ? [] : mountsFor(container, this.volumePaths, env, readOnlyVolumeNames(this.pod));
      const annotations = this.pod.metadata.annotations ?? {};
      const { logs } = this.deps;
      const attempt = command.attempt;
      const running = await runtime.startContainer(
        this.sandbox,
        {
          name: command.name,
          image,
          ...(Array.isArray(container.command) ? { command: container.command.map(String) } : {}),
          ...(Array.isArray(container.args) ? { args: container.args.map(String) } : {}),
          ...(typeof container.workingDir === 'string' ? { workingDir: container.workingDir } : {}),
          env,
          mounts,
          attempt,
          annotations,
        },
        (line) => logs?.append({ namespace: this.sandbox.namespace, pod: this.sandbox.name, podUid: this.sandbox.uid, container: command.name, attempt, ...line }),
      );
      recorder.record(this.pod, 'Normal', 'Created', `Created container: ${command.name}`);
      recorder.record(this.pod, 'Normal', 'Started', `Started container ${command.name}`);
      this.running.set(command.name, running);
      this.deps.running?.containerStarted(this.sandbox.uid, command.name, running);
      this.emit({ type: 'container.started', name: command.name, containerID: running.id, imageID, at: running.startedAt.getTime() });
      void running.exited.then((exit) => {
        if (this.running.get(command.name) === running) this.running.delete(command.name);
        this.deps.running?.containerExited(this.sandbox.uid, command.name, running);
        this.prober.stop(running.id);
        this.emit({ type: 'container.exited', name: command.name, containerID: running.id, exit: terminatedState(exit, running.id), at: this.now });
      });
    } catch (error) {
      const reason = error instanceof ContainerStartError ? error.reason : 'RunContainerError';
      const message = error instanceof Error ? error.message : String(error);
      this.emit({ type: 'start.failed', name: command.name, reason, message, at: this.now });
    }
  }

  private kill(command: Extract<PodCommand, { type: 'kill' }>): void {
    const running = this.running.get(command.name);
    if (!running || running.id !== command.containerID) return;
    this.deps.recorder.record(this.pod, 'Normal', 'Killing', command.message);
    this.prober.stop(running.id);
    // The exit arrives through running.exited, like any other.
    running.stop(command.graceMs).catch((err: unknown) => this.deps.log.warn({ err, container: command.name }, 'stopping a container failed'));
  }

  private armProbes(name: string, containerID: string, phase: 'startup' | 'main'): void {
    const running = this.running.get(name);
    if (running && running.id === containerID) this.prober.arm(name, running, this.containerSpec(name), phase);
  }

  private probed(run: ProbeRun): void {
    if (!run.ok) {
      const kind = run.kind[0]!.toUpperCase() + run.kind.slice(1);
      this.deps.recorder.record(this.pod, 'Warning', 'Unhealthy', `${kind} probe failed: ${run.message ?? ''}`);
    }
    this.emit({ type: 'probe.result', ...run, at: this.now });
  }

  /** Queues a status write; only the newest queued status is written. */
  writeStatus(status: Record<string, unknown>): void {
    this.status.write(status);
  }

  /** Everything stopped: last status, then the final removal of the API object, then the runtime's state. */
  private async finalize(): Promise<void> {
    await this.status.flush();
    try {
      await this.deps.client.delete('pods', this.sandbox.namespace, this.sandbox.name, { gracePeriodSeconds: 0, preconditions: { uid: this.sandbox.uid } });
    } catch (error) {
      const settled = error instanceof StatusError && (error.code === 404 || error.code === 409);
      if (!settled) this.deps.log.warn({ err: error, pod: `${this.sandbox.namespace}/${this.sandbox.name}` }, 'final pod delete failed');
    }
    await this.teardown();
    this.emit({ type: 'finalized' });
  }

  /** The pod is gone from the API (or the kubelet stops): kill what runs, at once, and write nothing. */
  async removeNow(): Promise<void> {
    this.status.stop();
    await this.teardown();
    this.emit({ type: 'removed' });
  }

  private async teardown(): Promise<void> {
    this.deps.running?.podRemoved(this.sandbox.uid);
    this.cancelWake?.();
    this.prober.stopAll();
    try {
      await this.deps.runtime.removePod(this.sandbox);
    } catch (error) {
      this.deps.log.warn({ err: error, pod: `${this.sandbox.namespace}/${this.sandbox.name}` }, 'removing the pod from the runtime failed');
    }
  }

  dispose(): void {
    this.disposed = true;
    this.deps.running?.podRemoved(this.sandbox.uid);
    this.cancelWake?.();
    this.prober.stopAll();
  }
}

export function terminatedState(exit: ContainerExit, containerID: string): TerminatedState {
  return {
    exitCode: exit.exitCode,
    ...(exit.signal && SIGNAL_NUMBERS[exit.signal] !== undefined ? { signal: SIGNAL_NUMBERS[exit.signal] } : {}),
    reason: exit.reason,
    ...(exit.message ? { message: exit.message } : {}),
    startedAt: rfc3339(exit.startedAt.getTime()),
    finishedAt: rfc3339(exit.finishedAt.getTime()),
    containerID,
  };
}
