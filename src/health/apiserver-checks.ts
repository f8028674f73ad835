/**
 * The API server's health checks: `ping` (the process answers), `log` (JetStream answers
 * for the REGISTRY stream within 2 s: the store etcd would be), and the readiness checks
 * `store-caught-up` (the store has applied what the log held when it was asked, within
 * 5 s) and `shutdown` (not draining).
 */
import type { ObjectStore } from '../store/object-store.ts';
import { within, type HealthCheck } from './checks.ts';

export interface ApiServerHealthDeps {
  store: Pick<ObjectStore, 'revision' | 'waitForRevision'>;
  /** The log's newest sequence. */
  lastSeq(): Promise<number>;
  draining(): boolean;
}

export function apiServerChecks(deps: ApiServerHealthDeps): HealthCheck[] {
  return [
    { name: 'ping', run: () => {} },
    { name: 'log', run: () => within(2_000, deps.lastSeq(), 'the JetStream REGISTRY stream').then(() => {}) },
    {
      name: 'store-caught-up',
      readinessOnly: true,
      run: async () => {
        const last = await within(2_000, deps.lastSeq(), 'the JetStream REGISTRY stream');
        await deps.store.waitForRevision(last, 5_000);
      },
    },
    {
      name: 'shutdown',
      readinessOnly: true,
      run: () => {
        if (deps.draining()) throw new Error('the API server is shutting down');
      },
    },
  ];
}
