/**
 * What the kubelet asks of a container runtime: CRI's role, narrowed to what jetkube's
 * node side needs. The kubelet decides (which container, when, with which env and
 * mounts); a runtime only carries it out and reports what happened. Two runtimes stand
 * behind this one interface: the process runtime (each container a real child process)
 * and the simulated runtime (no process; containers move through their states on timers,
 * for thousands of nodes on one machine, as kwok does).
 */

/** The pod as a runtime sees it: where its files live and which address it has. */
export interface PodSandbox {
  uid: string;
  namespace: string;
  name: string;
  /** The pod's own directory under the kubelet's root dir; volumes and container roots live here. */
  dir: string;
  /** The pod's address (status.podIP). */
  ip: string;
  /** The pod's resolver configuration (src/net/dns-config.ts), written as the container's etc/resolv.conf. */
  dns?: { nameservers: string[]; searches: string[]; options: string[] };
}

/** A volume the kubelet has prepared on the host, to be seen by the container at containerPath. */
export interface Mount {
  /** The volume's directory (or file, for subPath) on the host. */
  hostPath: string;
  /** The absolute path the pod asked for (volumeMounts[].mountPath). */
  containerPath: string;
  readOnly: boolean;
}

/** One container to start, everything already resolved by the kubelet. */
export interface ContainerConfig {
  name: string;
  image: string;
  /** The pod's command/args; when both are absent the image's default command runs. */
  command?: string[];
  args?: string[];
  workingDir?: string;
  /** Resolved env (valueFrom, envFrom and the downward API already applied), in order. */
  env: Array<{ name: string; value: string }>;
  mounts: Mount[];
  /** 0 for the first start, restartCount for later ones: part of the container id. */
  attempt: number;
  /** Simulated runtime only: how the container behaves (see simulated-runtime.ts). */
  annotations?: Record<string, string>;
}

export type OutputStream = 'stdout' | 'stderr';

/** Receives a container's output line by line, as it is written. */
export type OutputSink = (line: { stream: OutputStream; text: string; time: Date }) => void;

/** How a container ended: the data of containerStatuses[].state.terminated. */
export interface ContainerExit {
  exitCode: number;
  /** The signal that ended it, when one did (SIGTERM, SIGKILL). */
  signal?: string;
  /** Kubernetes' reasons: Completed (exit 0), Error, OOMKilled, ContainerCannotRun. */
  reason: string;
  message?: string;
  startedAt: Date;
  finishedAt: Date;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** True when the command was killed for running past its timeout. */
  timedOut: boolean;
}

/** A command started in a running container with its streams attached (kubectl exec). */
export interface ExecSession {
  /** Bytes for the command's stdin (ignored when stdin was not asked for). */
  write(data: Uint8Array): void;
  /** The client closed stdin. */
  endInput(): void;
  /** Ends the command at once (the client went away). */
  kill(): void;
  /** Settles with the command's exit code (128+n when a signal ended it). */
  readonly exited: Promise<number>;
}

export interface ExecStreams {
  stdin: boolean;
  tty: boolean;
  onOutput(stream: OutputStream, data: Uint8Array): void;
}

/** A container the runtime has started. */
export interface RunningContainer {
  /** Unique per start: `<runtime>://<pod uid>/<name>/<attempt>`, shown as containerID. */
  readonly id: string;
  readonly pid?: number;
  readonly startedAt: Date;
  /** Settles once, when the container has ended for any reason. */
  readonly exited: Promise<ContainerExit>;
  /** SIGTERM, then SIGKILL after graceMs; resolves with the exit. Idempotent. */
  stop(graceMs: number): Promise<ContainerExit>;
  /** Runs a command in the container's environment (exec probes, kubectl exec). */
  exec(command: string[], options: { timeoutMs: number }): Promise<ExecResult>;
  /** Runs a command with its streams attached (kubectl exec); throws ContainerStartError when it cannot start. */
  execStream?(command: string[], streams: ExecStreams): ExecSession;
}

/** An image this runtime cannot run: the kubelet reports ErrImagePull, then ImagePullBackOff. */
export class ImagePullError extends Error {
  constructor(
    readonly image: string,
    message: string,
  ) {
    super(message);
    this.name = 'ImagePullError';
  }
}

/** A container that could not be started (bad command, missing working dir, ...): reason is Kubernetes'. */
export class ContainerStartError extends Error {
  constructor(
    readonly reason: 'CreateContainerError' | 'RunContainerError' | 'CreateContainerConfigError',
    message: string,
  ) {
    super(message);
    this.name = 'ContainerStartError';
  }
}

export interface ImageInfo {
  /** The image as given, and the name the runtime resolved it to. */
  image: string;
  imageID: string;
}

export interface ContainerRuntime {
  readonly name: 'process' | 'simulated';
  /** Makes the image available; throws ImagePullError when the runtime does not know it. */
  pullImage(image: string): Promise<ImageInfo>;
  /** Starts one container of the pod; throws ContainerStartError when it cannot. */
  startContainer(sandbox: PodSandbox, config: ContainerConfig, output: OutputSink): Promise<RunningContainer>;
  /** Kills whatever of the pod still runs (SIGKILL) and removes the pod's runtime state. */
  removePod(sandbox: PodSandbox): Promise<void>;
}
