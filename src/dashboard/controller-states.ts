/**
 * The controller managers' machine states the dashboard shows: the latest report of each
 * manager (streams/controller-states.ts), forgotten after a silence longer than a few
 * heartbeats (a manager that stopped), and listeners told of every change so the page
 * follows them live. `stateText` is how a machine's state value reads: "running.syncing".
 */
import type { StateValue } from 'xstate';
import type { ControllerStatesReport } from '../../streams/controller-states.ts';

/** Managers publish every few seconds; three missed heartbeats and one is gone. */
export const FORGET_AFTER_MS = 20_000;

export function stateText(value: StateValue): string {
  if (typeof value === 'string') return value;
  return Object.entries(value)
    .map(([key, inner]) => (inner === undefined || (typeof inner === 'object' && Object.keys(inner).length === 0) ? key : `${key}.${stateText(inner as StateValue)}`))
    .join(',');
}

export class ControllerStatesBoard {
  private readonly latest = new Map<string, ControllerStatesReport>();
  private readonly listeners = new Set<(reports: ControllerStatesReport[]) => void>();

  constructor(private readonly now: () => number = Date.now) {}

  record(report: ControllerStatesReport): void {
    this.latest.set(report.identity, report);
    const reports = this.reports();
    for (const listener of this.listeners) listener(reports);
  }

  reports(): ControllerStatesReport[] {
    const now = this.now();
    for (const [identity, report] of this.latest) if (now - report.time > FORGET_AFTER_MS) this.latest.delete(identity);
    return [...this.latest.values()].sort((a, b) => a.identity.localeCompare(b.identity));
  }

  listen(listener: (reports: ControllerStatesReport[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
