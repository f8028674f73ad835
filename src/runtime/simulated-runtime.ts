/**
 * The simulated runtime: no process, no files. A container "runs" until it is stopped,
 * or until the pod's annotations end it, as kwok's stages move pods:
 *  - `jetkube.io/simulate-exit-after-ms`: the container exits that long after it starts,
 *  - `jetkube.io/simulate-exit-code`: with this code (default 0),
 *  - `jetkube.io/simulate-exec-exit-code`: what every exec (exec probes) returns (default 0),
 *  - `jetkube.io/simulate-log`: lines written to stdout when the container starts (`\n`-separated).
 * Pulls succeed unless the image is in failingImages. Timers go through a Clock (tests
 * step a FakeClock) and exist only for containers that will exit on their own, so an idle
 * simulated container costs a few objects and no timer: thousands of nodes with
 * thousands of pods fit in one process.
 */
import { createHash } from 'node:crypto';
import { realClock, type Clock } from '../informer/clock.ts';
import {
  ImagePullError,
  type ContainerConfig,
  type ContainerExit,
  type ContainerRuntime,
  type ExecResult,
  type ImageInfo,
  type OutputSink,
  type PodSandbox,
  type RunningContainer,
} from './runtime.ts';

export const SIMULATE_EXIT_AFTER_MS = 'jetkube.io/simulate-exit-after-ms';
export const SIMULATE_EXIT_CODE = 'jetkube.io/simulate-exit-code';
export const SIMULATE_EXEC_EXIT_CODE = 'jetkube.io/simulate-exec-exit-code';
export const SIMULATE_LOG = 'jetkube.io/simulate-log';

export interface SimulatedRuntimeOptions {
  clock?: Clock;
  /** Images whose pull fails (ErrImagePull); compared as written in the pod spec. */
  failingImages?: Iterable<string>;
}

const SIGNALS: Record<string, number> = { SIGTERM: 143, SIGKILL: 137 };

class SimulatedContainer implements RunningContainer {
  readonly exited: Promise<ContainerExit>;
  private settle!: (exit: ContainerExit) => void;
  private exit?: ContainerExit;
  private cancelTimer?: () => void;

  constructor(
    readonly id: string,
    readonly startedAt: Date,
    private readonly clock: Clock,
    private readonly execExitCode: number,
    private readonly onEnd: () => void,
  ) {
    this.exited = new Promise((resolve) => (this.settle = resolve));
  }

  exitAfter(ms: number, code: number): void {
    this.cancelTimer = this.clock.setTimer(() => this.finish(code), ms);
  }

  finish(exitCode: number, signal?: string): ContainerExit {
    if (this.exit) return this.exit;
    this.cancelTimer?.();
    const exit: ContainerExit = {
      exitCode,
      reason: exitCode === 0 ? 'Completed' : 'Error',
      startedAt: this.startedAt,
      finishedAt: new Date(this.clock.now()),
      ...(signal ? { signal } : {}),
    };
    this.exit = exit;
    this.onEnd();
    this.settle(exit);
    return exit;
  }

  /** A simulated process dies of the SIGTERM at once, so graceMs is never waited out. */
  async stop(graceMs: number): Promise<ContainerExit> {
    void graceMs;
    return this.finish(SIGNALS.SIGTERM!, 'SIGTERM');
  }

  async exec(command: string[], options: { timeoutMs: number }): Promise<ExecResult> {
    void command;
    void options;
    if (this.exit) return { exitCode: 126, stdout: '', stderr: 'container is not running', timedOut: false };
    return { exitCode: this.execExitCode, stdout: '', stderr: this.execExitCode === 0 ? '' : `simulated exec exit code ${this.execExitCode}`, timedOut: false };
  }
}

export class SimulatedRuntime implements ContainerRuntime {
  readonly name = 'simulated' as const;
  private readonly clock: Clock;
  private readonly failing: Set<string>;
  /** Live containers per pod uid, so removePod can end them. */
  private readonly pods = new Map<string, Set<SimulatedContainer>>();

  constructor(options: SimulatedRuntimeOptions = {}) {
    this.clock = options.clock ?? realClock;
    this.failing = new Set(options.failingImages ?? []);
  }

  /** How many containers run now (for scale figures). */
  get runningContainers(): number {
    let n = 0;
    for (const set of this.pods.values()) n += set.size;
    return n;
  }

  /** How many containers of one pod run now. */
  runningContainersOf(podUid: string): number {
    return this.pods.get(podUid)?.size ?? 0;
  }

  async pullImage(image: string): Promise<ImageInfo> {
    if (this.failing.has(image)) throw new ImagePullError(image, `failed to pull and unpack image "${image}": not found (simulated)`);
    const digest = createHash('sha256').update(image).digest('hex');
    return { image, imageID: `simulated://${image}@sha256:${digest}` };
  }

  async startContainer(sandbox: PodSandbox, config: ContainerConfig, output: OutputSink): Promise<RunningContainer> {
    const annotations = config.annotations ?? {};
    const execExitCode = integer(annotations[SIMULATE_EXEC_EXIT_CODE]) ?? 0;
    let set = this.pods.get(sandbox.uid);
    if (!set) {
      set = new Set();
      this.pods.set(sandbox.uid, set);
    }
    const live = set;
    const container: SimulatedContainer = new SimulatedContainer(
      `simulated://${sandbox.uid}/${config.name}/${config.attempt}`,
      new Date(this.clock.now()),
      this.clock,
      execExitCode,
      () => {
        live.delete(container);
        if (live.size === 0 && this.pods.get(sandbox.uid) === live) this.pods.delete(sandbox.uid);
      },
    );
    live.add(container);
    const log = annotations[SIMULATE_LOG];
    if (log) for (const text of log.split('\n')) output({ stream: 'stdout', text, time: new Date(this.clock.now()) });
    const exitAfter = integer(annotations[SIMULATE_EXIT_AFTER_MS]);
    if (exitAfter !== undefined) container.exitAfter(Math.max(0, exitAfter), integer(annotations[SIMULATE_EXIT_CODE]) ?? 0);
    return container;
  }

  async removePod(sandbox: PodSandbox): Promise<void> {
    const set = this.pods.get(sandbox.uid);
    if (!set) return;
    for (const container of [...set]) container.finish(SIGNALS.SIGKILL!, 'SIGKILL');
    this.pods.delete(sandbox.uid);
  }
}

function integer(value: string | undefined): number | undefined {
  if (value === undefined || !/^-?\d+$/.test(value.trim())) return undefined;
  return Number(value);
}
