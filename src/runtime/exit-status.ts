/**
 * How a process's end reads as Kubernetes' terminated state: exit 0 is Completed, any
 * other code is Error, and death by a signal is the shell's convention, 128 + the
 * signal's number (137 for SIGKILL, 143 for SIGTERM), with the signal's name kept.
 */
import { constants } from 'node:os';
import type { ContainerExit } from './runtime.ts';

export function containerExit(
  code: number | null,
  signal: NodeJS.Signals | null,
  startedAt: Date,
  finishedAt: Date,
  message?: string,
): ContainerExit {
  const base = { startedAt, finishedAt, ...(message ? { message } : {}) };
  if (signal) {
    const number = constants.signals[signal] ?? 0;
    return { ...base, exitCode: 128 + number, signal, reason: 'Error' };
  }
  const exitCode = code ?? 0;
  return { ...base, exitCode, reason: exitCode === 0 ? 'Completed' : 'Error' };
}
