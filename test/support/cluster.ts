/**
 * A real API server for a test: its own nats-server, the apiserver machine serving on it,
 * and a client. dispose() drains everything and removes the store dir.
 */
import { createActor, waitFor, type Actor } from 'xstate';
import { apiServerMachine } from '../../actors/apiserver.machine.ts';
import { ApiClient } from '../../src/client/api-client.ts';
import { BOOTSTRAP_CLUSTER_ROLE_BINDINGS } from '../../src/auth/bootstrap-policy.ts';
import { SYSTEM_NAMESPACES } from '../../src/apiserver/system-namespaces.ts';
import { startTestNats, type TestNats } from './nats.ts';
import type { AdmissionSelection } from '../../src/admission/plugins.ts';

export interface TestCluster {
  nats: TestNats;
  apiserver: Actor<typeof apiServerMachine>;
  client: ApiClient;
  /** Start another API server on the same NATS (it replays, then serves in the queue group). */
  startApiServer(name: string): Promise<Actor<typeof apiServerMachine>>;
  stopApiServer(actor: Actor<typeof apiServerMachine>): Promise<void>;
  dispose(): Promise<void>;
}

export async function startApiServer(natsUrl: string, name = 'apiserver', options: ClusterOptions = {}): Promise<Actor<typeof apiServerMachine>> {
  // No ServiceAccounts controller runs here, so no "default" account: like Kubernetes' integration test servers, run without the ServiceAccount plugin unless asked.
  const actor = createActor(apiServerMachine, { input: { natsUrl, name, admission: { disable: ['ServiceAccount'] }, ...options } });
  actor.start();
  await waitFor(actor, (s) => s.matches({ online: 'serving' }), { timeout: 30_000 });
  return actor;
}

export async function stopApiServer(actor: Actor<typeof apiServerMachine>): Promise<void> {
  actor.send({ type: 'stop' });
  await waitFor(actor, (s) => s.status === 'done', { timeout: 30_000 });
}

export interface ClusterOptions {
  /** How many recent changes the API server's watch cache keeps. */
  watchCacheSize?: number;
  /** Admission plugins to turn on or off (default: ServiceAccount off). */
  admission?: AdmissionSelection;
  /** Workload requests executing at once before the rest queue (default: the API server's). */
  maxRequestsInflight?: number;
  /** An audit.k8s.io/v1 Policy file. */
  auditPolicyFile?: string;
}

export async function startTestCluster(options: ClusterOptions = {}): Promise<TestCluster> {
  const nats = await startTestNats();
  const apiserver = await startApiServer(nats.url, 'apiserver', options);
  const client = await ApiClient.connect(nats.url, 'test-client', { timeoutMs: 10_000 });
  await systemNamespacesCreated(client);
  const extra: Actor<typeof apiServerMachine>[] = [];
  return {
    nats,
    apiserver,
    client,
    async startApiServer(name) {
      const actor = await startApiServer(nats.url, name);
      extra.push(actor);
      return actor;
    },
    stopApiServer,
    async dispose() {
      await client.close();
      for (const actor of [apiserver, ...extra]) {
        if (actor.getSnapshot().status === 'active') await stopApiServer(actor);
      }
      await nats.dispose();
    },
  };
}

/** Waits until a condition holds, checking after every event loop turn, with a deadline. */
export async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The API server creates the system namespaces right after it starts serving; tests start after that. */
/** The API server's start-up writes: the system namespaces, then the bootstrap RBAC policy (its last binding last). */
async function systemNamespacesCreated(client: ApiClient): Promise<void> {
  await eventually(async () => {
    const names = new Set((await client.list('namespaces')).items.map((n) => n.metadata.name));
    return SYSTEM_NAMESPACES.every((n) => names.has(n)) || undefined;
  }, 10_000, 'the system namespaces');
  const bindings = BOOTSTRAP_CLUSTER_ROLE_BINDINGS.map((b) => b.metadata.name);
  await eventually(async () => {
    const names = new Set((await client.list('clusterrolebindings.rbac.authorization.k8s.io')).items.map((b) => b.metadata.name));
    return bindings.every((n) => names.has(n)) || undefined;
  }, 10_000, 'the bootstrap RBAC policy');
}
