/**
 * A command run with its streams attached, as a child process: what a runtime's
 * execStream does when its containers are processes. Its own process group, so kill()
 * ends whatever the command started; without stdin the child reads /dev/null. A tty is
 * not emulated (no pty without a native module): output is unbuffered bytes either way.
 */
import { spawn } from 'node:child_process';
import type { ExecSession, ExecStreams } from './runtime.ts';
import { ContainerStartError } from './runtime.ts';

export interface SpawnPlace {
  cwd: string;
  env: Record<string, string>;
}

export function spawnExecSession(command: string[], place: SpawnPlace, streams: ExecStreams): ExecSession {
  const [file, ...args] = command;
  if (!file) throw new ContainerStartError('RunContainerError', 'no command given');
  const child = spawn(file, args, { cwd: place.cwd, env: place.env, detached: true, stdio: [streams.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => streams.onOutput('stdout', new Uint8Array(chunk)));
  child.stderr?.on('data', (chunk: Buffer) => streams.onOutput('stderr', new Uint8Array(chunk)));
  child.stdin?.on('error', () => {});
  const exited = new Promise<number>((resolve) => {
    child.on('error', (error: NodeJS.ErrnoException) => {
      const message = error.code === 'ENOENT' ? `exec: "${file}": executable file not found in $PATH` : error.message;
      streams.onOutput('stderr', new TextEncoder().encode(`${message}\n`));
      resolve(error.code === 'ENOENT' ? 127 : 126);
    });
    // 'close' waits for the output pipes to drain, so no byte comes after the exit code.
    child.on('close', (code, signal) => resolve(code ?? 128 + signalNumber(signal)));
  });
  return {
    write: (data) => {
      if (child.stdin && !child.stdin.destroyed) child.stdin.write(data);
    },
    endInput: () => child.stdin?.end(),
    kill: () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    },
    exited,
  };
}

function signalNumber(signal: NodeJS.Signals | null): number {
  const numbers: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
  return signal ? (numbers[signal] ?? 1) : 1;
}
