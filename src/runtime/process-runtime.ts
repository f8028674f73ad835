/**
 * The process runtime: each container is a real child process of the kubelet's
 * process. What a container runtime gives a container, and what stands in for it here:
 * - image: a local table (images.ts) maps the image to host programs; the pod's
 *   command/args override ENTRYPOINT/CMD as in Kubernetes;
 * - root filesystem: a fresh directory `<pod dir>/containers/<name>/` per start, with
 *   the mounts linked into it (container-root.ts), exported as $JETKUBE_ROOT and used
 *   as the working directory by default;
 * - environment: the kubelet's resolved env, over the image's ENV, with PATH (image
 *   shims, then the host's), HOME (the root dir), HOSTNAME (the pod's name) and
 *   JETKUBE_POD_IP (the sandbox's address) filled in;
 * - PID namespace: a process group of its own (setsid), so that stop() signals the
 *   whole tree and the end of the main process takes the rest of the group with it,
 *   as the end of PID 1 does;
 * - logs: stdout and stderr split into timestamped lines (output-lines.ts);
 * - termination message: `<root>/dev/termination-log`, when the process wrote one.
 * stdin is /dev/null. Nothing isolates the process any further: it runs with the
 * kubelet's user and sees the host's file system.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants, existsSync, statSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { componentLogger } from '../log.ts';
import { prepareContainerRoot, pathInRoot } from './container-root.ts';
import { containerExit } from './exit-status.ts';
import { imageBinDir } from './image-shims.ts';
import { DEFAULT_IMAGES, containerArgv, hostArgv, resolveImage, type ImageTable, type LocalImage } from './images.ts';
import { LineSplitter } from './output-lines.ts';
import { spawnExecSession } from './exec-session.ts';
import {
  ContainerStartError,
  type ContainerConfig,
  type ContainerExit,
  type ContainerRuntime,
  type ExecResult,
  type ExecSession,
  type ExecStreams,
  type ImageInfo,
  type OutputSink,
  type OutputStream,
  type PodSandbox,
  type RunningContainer,
} from './runtime.ts';

const log = componentLogger('process-runtime');

const HOST_PATH = process.env.PATH || '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** How long to wait for the pipes to drain once the main process has ended. */
const DRAIN_MS = 2_000;
/** Exec output kept per stream; more is cut off. */
const EXEC_OUTPUT_LIMIT = 1024 * 1024;
/** What a runtime reports when an exec'd command cannot be started. */
const EXEC_START_FAILED = 126;
/** Kubernetes caps a termination message at 4096 bytes. */
const TERMINATION_MESSAGE_LIMIT = 4096;

export interface ProcessRuntimeOptions {
  /** Where the runtime keeps its own files (image shims); pod dirs must lie below it to be removed. */
  rootDir: string;
  images?: ImageTable;
}

export class ProcessRuntime implements ContainerRuntime {
  readonly name = 'process' as const;
  private readonly rootDir: string;
  private readonly images: ImageTable;
  /** Running containers by pod uid. */
  private readonly pods = new Map<string, Set<ProcessContainer>>();

  constructor(options: ProcessRuntimeOptions) {
    this.rootDir = resolve(options.rootDir);
    this.images = options.images ?? DEFAULT_IMAGES;
  }

  async pullImage(image: string): Promise<ImageInfo> {
    return resolveImage(this.images, image).info;
  }

  async startContainer(sandbox: PodSandbox, config: ContainerConfig, output: OutputSink): Promise<RunningContainer> {
    const { image, info } = resolveImage(this.images, config.image);
    const root = join(sandbox.dir, 'containers', config.name);
    for (const previous of this.pods.get(sandbox.uid) ?? []) {
      if (previous.containerName !== config.name) continue;
      log.warn({ pod: `${sandbox.namespace}/${sandbox.name}`, container: config.name }, 'container started again while still running; killing the old one');
      await previous.kill();
    }
    await prepareContainerRoot(root, config.mounts, sandbox);
    const cwd = config.workingDir ? pathInRoot(root, config.workingDir) : root;
    if (!cwd) throw new ContainerStartError('CreateContainerError', `invalid working directory "${config.workingDir}"`);
    await mkdir(cwd, { recursive: true });

    const argv = containerArgv(image, config.command, config.args);
    if (argv.length === 0) throw new ContainerStartError('CreateContainerError', 'no command specified');
    const env = containerEnv(sandbox, config, image, root, await imageBinDir(this.rootDir, image));
    const id = `process://${sandbox.uid}/${config.name}/${config.attempt}`;
    const child = await spawnProcess(argv, root, cwd, env);
    const container = new ProcessContainer(id, config.name, child, root, cwd, env, image, output);

    let running = this.pods.get(sandbox.uid);
    if (!running) this.pods.set(sandbox.uid, (running = new Set()));
    running.add(container);
    void container.exited.then(() => {
      running.delete(container);
      if (running.size === 0 && this.pods.get(sandbox.uid) === running) this.pods.delete(sandbox.uid);
    });
    log.debug({ id, pid: child.pid, argv, imageID: info.imageID }, 'container started');
    return container;
  }

  async removePod(sandbox: PodSandbox): Promise<void> {
    await Promise.all([...(this.pods.get(sandbox.uid) ?? [])].map((container) => container.kill()));
    this.pods.delete(sandbox.uid);
    const dir = resolve(sandbox.dir);
    if (!dir.startsWith(this.rootDir + sep)) {
      log.warn({ dir, rootDir: this.rootDir }, 'pod dir is outside the runtime root dir; not removed');
      return;
    }
    await rm(dir, { recursive: true, force: true });
  }

  /** SIGKILLs every container this runtime runs (kubelet shutdown). */
  async killAll(): Promise<void> {
    await Promise.all([...this.pods.values()].flatMap((set) => [...set].map((container) => container.kill())));
  }
}

class ProcessContainer implements RunningContainer {
  readonly pid: number;
  readonly startedAt = new Date();
  readonly exited: Promise<ContainerExit>;
  private ended = false;
  private stopping: Promise<ContainerExit> | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  private readonly execs = new Set<number>();
  private readonly attached = new Set<ExecSession>();

  constructor(
    readonly id: string,
    readonly containerName: string,
    child: ChildProcess,
    private readonly root: string,
    private readonly cwd: string,
    private readonly env: Record<string, string>,
    private readonly image: LocalImage,
    output: OutputSink,
  ) {
    this.pid = child.pid!;
    trackGroup(this.pid);
    const drained = Promise.all([
      pipeLines(child.stdout!, 'stdout', output),
      pipeLines(child.stderr!, 'stderr', output),
    ]);
    this.exited = new Promise((resolveExit) => {
      child.once('exit', (code, signal) => {
        this.ended = true;
        clearTimeout(this.killTimer);
        // The main process is PID 1 of the container: whatever it leaves behind goes with it.
        signalGroup(this.pid, 'SIGKILL');
        untrackGroup(this.pid);
        for (const execGroup of this.execs) signalGroup(execGroup, 'SIGKILL');
        for (const session of this.attached) session.kill();
        const finishedAt = new Date();
        const drainedOrTimedOut = Promise.race([drained, delay(DRAIN_MS)]).then(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
        });
        void drainedOrTimedOut
          .then(() => this.terminationMessage())
          .then((message) => resolveExit(containerExit(code, signal, this.startedAt, finishedAt, message)));
      });
    });
  }

  stop(graceMs: number): Promise<ContainerExit> {
    if (this.ended) return this.exited;
    this.stopping ??= (() => {
      signalGroup(this.pid, 'SIGTERM');
      this.killTimer = setTimeout(() => signalGroup(this.pid, 'SIGKILL'), Math.max(0, graceMs));
      return this.exited;
    })();
    return this.stopping;
  }

  kill(): Promise<ContainerExit> {
    if (!this.ended) signalGroup(this.pid, 'SIGKILL');
    return this.exited;
  }

  async exec(command: string[], options: { timeoutMs: number }): Promise<ExecResult> {
    if (this.ended) throw new Error(`cannot exec in a stopped container: ${this.id}`);
    const argv = hostArgv(this.image, command);
    if (argv.length === 0) throw new Error('exec: no command specified');
    let child: ChildProcess;
    try {
      child = await spawnProcess(argv, this.root, this.cwd, this.env);
    } catch (error) {
      const message = error instanceof ContainerStartError ? error.message : String(error);
      return { exitCode: EXEC_START_FAILED, stdout: '', stderr: `OCI runtime exec failed: exec failed: ${message}: unknown`, timedOut: false };
    }
    const group = child.pid!;
    this.execs.add(group);
    trackGroup(group);
    const stdout = collect(child.stdout!);
    const stderr = collect(child.stderr!);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      signalGroup(group, 'SIGKILL');
    }, options.timeoutMs);
    const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
      child.once('exit', (code, signal) => done({ code, signal })),
    );
    clearTimeout(timer);
    // An exec'd command's leftovers would otherwise outlive the container: take them down with it.
    signalGroup(group, 'SIGKILL');
    untrackGroup(group);
    this.execs.delete(group);
    await Promise.race([Promise.all([stdout.done, stderr.done]), delay(DRAIN_MS)]);
    child.stdout?.destroy();
    child.stderr?.destroy();
    const exit = containerExit(code, signal, new Date(), new Date());
    return { exitCode: exit.exitCode, stdout: stdout.text(), stderr: stderr.text(), timedOut };
  }

  /** kubectl exec: the command with its streams attached, in the container's env and working dir; it dies with the container. */
  execStream(command: string[], streams: ExecStreams): ExecSession {
    if (this.ended) throw new ContainerStartError('RunContainerError', `cannot exec in a stopped container: ${this.id}`);
    const session = spawnExecSession(hostArgv(this.image, command), { cwd: this.cwd, env: this.env }, streams);
    this.attached.add(session);
    void session.exited.finally(() => this.attached.delete(session));
    return session;
  }

  private async terminationMessage(): Promise<string | undefined> {
    const content = await readFile(join(this.root, 'dev', 'termination-log')).catch(() => undefined);
    if (!content || content.length === 0) return undefined;
    return content.subarray(0, TERMINATION_MESSAGE_LIMIT).toString('utf8');
  }
}

function containerEnv(sandbox: PodSandbox, config: ContainerConfig, image: LocalImage, root: string, binDir: string): Record<string, string> {
  const env: Record<string, string> = {
    PATH: `${binDir}:${HOST_PATH}`,
    HOME: root,
    HOSTNAME: sandbox.name,
    ...(image.env ?? {}),
  };
  if (sandbox.ip) env.JETKUBE_POD_IP = sandbox.ip;
  for (const { name, value } of config.env) {
    // A pod's PATH names the image's directories; the host programs standing in for them come after.
    env[name] = name === 'PATH' ? `${value}:${binDir}:${HOST_PATH}` : value;
  }
  env.JETKUBE_ROOT = root;
  return env;
}

/**
 * Starts argv[0] in a new process group. An absolute path that exists inside the
 * container root (a script in a mounted volume) runs from there; anything else is the
 * host's, a bare name looked up on the container's PATH as runc does (a directory it
 * cannot read is skipped, not an error). Failures read as runc reports them.
 */
async function spawnProcess(argv: string[], root: string, cwd: string, env: Record<string, string>): Promise<ChildProcess> {
  const [file, ...args] = argv as [string, ...string[]];
  const fail = (detail: string) => new ContainerStartError('RunContainerError', `unable to start container process: ${detail}`);
  let executable: string;
  if (file.includes('/')) {
    const inRoot = isAbsolute(file) ? pathInRoot(root, file) : undefined;
    executable = inRoot && existsSync(inRoot) ? inRoot : file;
  } else {
    const found = lookPath(file, env.PATH ?? '');
    if (!found) throw fail(`exec: "${file}": executable file not found in $PATH`);
    executable = found;
  }
  const child = spawn(executable, args, { argv0: file, cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    await new Promise<void>((ready, failed) => {
      child.once('spawn', ready);
      child.once('error', failed);
    });
  } catch (error) {
    throw fail(execFailure(file, error));
  }
  child.on('error', (error) => log.warn({ err: error, file }, 'container process error'));
  return child;
}

/** Go's exec.LookPath: the first regular, executable file of that name on PATH. */
function lookPath(file: string, path: string): string | undefined {
  for (const dir of path.split(':')) {
    const candidate = join(dir || '.', file);
    try {
      if (statSync(candidate).isFile()) {
        accessSync(candidate, fsConstants.X_OK);
        return candidate;
      }
    } catch {
      // missing, unreadable or not executable: try the next directory
    }
  }
  return undefined;
}

function execFailure(file: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    return file.includes('/') ? `exec: "${file}": stat ${file}: no such file or directory` : `exec: "${file}": executable file not found in $PATH`;
  }
  if (code === 'EACCES') return `exec: "${file}": permission denied`;
  return `exec: "${file}": ${(error as Error).message}`;
}

function pipeLines(stream: NodeJS.ReadableStream, name: OutputStream, output: OutputSink): Promise<void> {
  const splitter = new LineSplitter((text, time) => {
    try {
      output({ stream: name, text, time });
    } catch (error) {
      log.warn({ err: error }, 'output sink failed');
    }
  });
  stream.on('data', (chunk: Buffer) => splitter.push(chunk));
  return new Promise((done) => {
    stream.once('close', () => {
      splitter.end();
      done();
    });
  });
}

function collect(stream: NodeJS.ReadableStream): { done: Promise<void>; text: () => string } {
  const chunks: Buffer[] = [];
  let size = 0;
  stream.on('data', (chunk: Buffer) => {
    if (size >= EXEC_OUTPUT_LIMIT) return;
    chunks.push(chunk.subarray(0, EXEC_OUTPUT_LIMIT - size));
    size += chunk.length;
  });
  const done = new Promise<void>((resolveDone) => stream.once('close', () => resolveDone()));
  return { done, text: () => Buffer.concat(chunks).toString('utf8') };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is gone already
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms).unref());
}

/**
 * Process groups still alive, SIGKILLed when the kubelet's process exits: detached
 * groups would otherwise outlive it (their parent gone, nobody would ever stop them).
 */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function trackGroup(pid: number): void {
  liveGroups.add(pid);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const group of liveGroups) signalGroup(group, 'SIGKILL');
    });
  }
}

function untrackGroup(pid: number): void {
  liveGroups.delete(pid);
}
