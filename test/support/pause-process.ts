/**
 * Pausing a process (SIGSTOP) for fault tests. kill() returns before the signal has taken
 * effect: on a loaded machine a paused nats-server still answered a request sent right
 * after it. pauseProcess resolves only once every thread of the process is stopped.
 */
import { readdir, readFile } from 'node:fs/promises';

const POLL_MS = 2;

export async function pauseProcess(pid: number, timeoutMs = 5_000): Promise<void> {
  process.kill(pid, 'SIGSTOP');
  const deadline = performance.now() + timeoutMs;
  while (!(await allThreadsStopped(pid))) {
    if (performance.now() > deadline) throw new Error(`process ${pid} did not stop within ${timeoutMs} ms of SIGSTOP`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export function resumeProcess(pid: number): void {
  process.kill(pid, 'SIGCONT');
}

/** /proc/<pid>/task/<tid>/stat: "tid (comm) S ...", S is T when stopped by a signal. */
async function allThreadsStopped(pid: number): Promise<boolean> {
  const tids = await readdir(`/proc/${pid}/task`);
  const states = await Promise.all(tids.map(async (tid) => (await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8')).replace(/^.*\) /s, '')[0]));
  return states.every((state) => state === 'T');
}
