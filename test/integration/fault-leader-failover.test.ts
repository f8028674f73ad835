/**
 * kill -9 the leading scheduler and the leading controller manager while a Deployment of
 * 40 replicas is being rolled out. Expected, as with kube-scheduler and
 * kube-controller-manager under leader election:
 * - the standby of each takes the Lease within the lease duration (plus one retry period)
 *   of the leader's last renewal;
 * - no pod is created twice (exactly 40 pods were ever added) and none is bound twice
 *   (a pod's nodeName, once set, never changes), and in the end all 40 run.
 * Each candidate is its own process (test/support/leader-candidate.ts) so the kill is real.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { createActor, waitFor, type Actor } from 'xstate';
import type { apiServerMachine } from '../../actors/apiserver.machine.ts';
import { simulatedFleetMachine } from '../../actors/simulated-fleet.machine.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { ApiClient } from '../../src/client/api-client.ts';
import { simulatedNodePlan } from '../../src/kubelet/node-plan.ts';
import { PROJECT_ROOT } from '../../src/natsd/server.ts';
import { eventually, startApiServer, stopApiServer } from '../support/cluster.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

const LEASE_MS = 3_000;
const RENEW_MS = 2_000;
const RETRY_MS = 300;
const REPLICAS = 40;

let nats: TestNats;
let apiserver: Actor<typeof apiServerMachine>;
let fleet: Actor<typeof simulatedFleetMachine>;
let client: ApiClient;
let dataDir: string;
const candidates = new Map<string, ChildProcess>();

function startCandidate(component: 'scheduler' | 'controller-manager', identity: string): void {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/support/leader-candidate.ts', component, nats.url, identity, String(LEASE_MS), String(RENEW_MS), String(RETRY_MS)],
    { cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, LOG_LEVEL: 'warn' } },
  );
  candidates.set(identity, child);
}

async function holder(lease: string): Promise<{ identity?: string; renewTime?: string } | undefined> {
  const found = await client.get('leases.coordination.k8s.io', 'kube-system', lease).catch(() => undefined);
  const spec = found?.spec as { holderIdentity?: string; renewTime?: string } | undefined;
  return spec ? { identity: spec.holderIdentity, renewTime: spec.renewTime } : undefined;
}

before(async () => {
  nats = await startTestNats();
  dataDir = await mkdtemp(join(tmpdir(), 'jetkube-failover-'));
  apiserver = await startApiServer(nats.url);
  client = await ApiClient.connect(nats.url, 'failover-test', { timeoutMs: 10_000 });
  fleet = createActor(simulatedFleetMachine, { input: { natsUrl: nats.url, nodes: simulatedNodePlan(3, dataDir) } });
  fleet.start();
  for (const id of ['cm-a', 'cm-b']) startCandidate('controller-manager', id);
  for (const id of ['sched-a', 'sched-b']) startCandidate('scheduler', id);
});

after(async () => {
  for (const child of candidates.values()) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  }
  await client?.close();
  fleet?.send({ type: 'stop' });
  if (fleet) await waitFor(fleet, (s) => s.status === 'done', { timeout: 30_000 }).catch(() => undefined);
  if (apiserver) await stopApiServer(apiserver);
  await nats?.dispose();
  await rm(dataDir, { recursive: true, force: true });
});

it('the standbys take over within the lease duration; no pod is created or bound twice', { timeout: 180_000 }, async () => {
  const cmLeader = await eventually(async () => (await holder('kube-controller-manager'))?.identity || undefined, 60_000, 'a controller manager leading');
  const schedLeader = await eventually(async () => (await holder('kube-scheduler'))?.identity || undefined, 60_000, 'a scheduler leading');
  await eventually(async () => (await client.list('nodes')).items.length === 3 || undefined, 30_000, 'three simulated nodes');

  // Every pod added, and every node a pod was ever bound to.
  const added = new Set<string>();
  let addedEvents = 0;
  const boundTo = new Map<string, Set<string>>();
  const watch = await client.watch('pods', 'default', {}, (event) => {
    const pod = event.object as KubeObject;
    const name = pod.metadata?.name;
    if (!name) return;
    if (event.type === 'ADDED') {
      addedEvents++;
      added.add(name);
    }
    const node = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    if (node) boundTo.set(name, (boundTo.get(name) ?? new Set()).add(node));
  });

  await client.create('deployments.apps', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'many', namespace: 'default' },
    spec: {
      replicas: REPLICAS,
      selector: { matchLabels: { app: 'many' } },
      template: { metadata: { labels: { app: 'many' } }, spec: { containers: [{ name: 'main', image: 'busybox' }] } },
    },
  });
  // Mid-rollout: some pods exist, not all.
  await eventually(() => added.size >= 5 || undefined, 60_000, 'the rollout under way');
  const lastRenewals = { cm: (await holder('kube-controller-manager'))!.renewTime!, sched: (await holder('kube-scheduler'))!.renewTime! };
  const killedAt = Date.now();
  for (const identity of [cmLeader, schedLeader]) candidates.get(identity)!.kill('SIGKILL');

  const cmTakeover = await eventually(async () => {
    const now = await holder('kube-controller-manager');
    return now?.identity && now.identity !== cmLeader ? Date.now() : undefined;
  }, 30_000, 'the standby controller manager leading');
  const schedTakeover = await eventually(async () => {
    const now = await holder('kube-scheduler');
    return now?.identity && now.identity !== schedLeader ? Date.now() : undefined;
  }, 30_000, 'the standby scheduler leading');
  // The lease was valid until last renewal + duration; the standby tries every retry period.
  const bound = LEASE_MS + 2 * RETRY_MS + 1_000;
  assert.ok(cmTakeover - Date.parse(lastRenewals.cm) <= bound + 1_000, `controller manager taken over ${cmTakeover - killedAt} ms after the kill`);
  assert.ok(schedTakeover - Date.parse(lastRenewals.sched) <= bound + 1_000, `scheduler taken over ${schedTakeover - killedAt} ms after the kill`);

  await eventually(async () => {
    const pods = (await client.list('pods', 'default', { labelSelector: 'app=many' })).items;
    return pods.length === REPLICAS && pods.every((p) => (p.status as { phase?: string } | undefined)?.phase === 'Running') ? pods : undefined;
  }, 90_000, `${REPLICAS} pods running`);
  await watch.stop();

  assert.equal(added.size, REPLICAS, 'exactly the wanted pods were ever created');
  assert.equal(addedEvents, REPLICAS, 'no pod was added twice');
  const rebound = [...boundTo].filter(([, nodes]) => nodes.size > 1);
  assert.deepEqual(rebound, [], 'no pod was bound to two nodes');
  assert.equal(boundTo.size, REPLICAS);
});
