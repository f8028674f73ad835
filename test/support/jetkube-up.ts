/**
 * `jetkube up` as its own process group for an end-to-end test: a fresh data dir, its
 * output collected, kubectl with the kubeconfig it writes, and a Ctrl-C stop that waits
 * for it to drain. (The dashboard's done-when test runs `npm start` itself, on purpose.)
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../src/natsd/server.ts';
import { eventually } from './cluster.ts';
import { KUBECTL } from './http-cluster.ts';

const run = promisify(execFile);

export interface RunningUp {
  readonly dataDir: string;
  readonly process: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  kubectl(...args: string[]): Promise<{ stdout: string; stderr: string }>;
  /** Ctrl-C to the group; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** stop() if still running, then remove the data dir. */
  dispose(): Promise<void>;
}

/** Starts `jetkube up <args> --data-dir <fresh dir>` and resolves once it printed "jetkube is up.". */
export async function startJetkubeUp(args: string[], options: { prefix?: string; timeoutMs?: number } = {}): Promise<RunningUp> {
  const dataDir = await mkdtemp(join(tmpdir(), options.prefix ?? 'jetkube-up-'));
  const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'src/cli/main.ts'), 'up', '--data-dir', dataDir, ...args], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'warn', JETKUBE_NATS_CREDENTIALS: '' },
    detached: true,
  });
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGINT');
    return exited;
  };
  await eventually(
    () => (output.includes('jetkube is up.') ? true : child.exitCode !== null ? assert.fail(`jetkube up exited: ${output}`) : undefined),
    options.timeoutMs ?? 90_000,
    'jetkube up',
  ).catch((error: Error) => {
    process.kill(-child.pid!, 'SIGKILL');
    throw new Error(`${error.message}; it printed, last: ${output.slice(-6000)}`);
  });
  return {
    dataDir,
    process: child,
    output: () => output,
    kubectl: (...kubectlArgs) => run(KUBECTL, ['--kubeconfig', join(dataDir, 'kubeconfig'), ...kubectlArgs], { timeout: 30_000 }),
    stop,
    async dispose() {
      await stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
