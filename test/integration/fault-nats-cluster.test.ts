/**
 * kill -9 one nats-server of three under a steady write load. Expected, as for etcd
 * losing one member of three:
 * - the REGISTRY stream is replicated R3 on the cluster (no configuration needed);
 * - after the kill of the server leading the stream, and then of the server the API
 *   server is connected to, writes go on (a new stream leader, a reconnect);
 * - the killed server, started again, rejoins and catches up (its replica current);
 * - nothing acknowledged was lost: every create the API answered is in the store once.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Actor } from 'xstate';
import type { apiServerMachine } from '../../actors/apiserver.machine.ts';
import { ApiClient } from '../../src/client/api-client.ts';
import { connectNats, drainNats, type NatsConnection } from '../../streams/connection.ts';
import { REGISTRY } from '../../streams/subjects.ts';
import { eventually, startApiServer, stopApiServer } from '../support/cluster.ts';
import { startTestNatsCluster, type TestNatsCluster } from '../support/nats-cluster.ts';

let cluster: TestNatsCluster;
let apiserver: Actor<typeof apiServerMachine>;
let client: ApiClient;
let admin: NatsConnection;

before(async () => {
  cluster = await startTestNatsCluster(3);
  apiserver = await startApiServer(cluster.url);
  client = await ApiClient.connect(cluster.url, 'cluster-load', { timeoutMs: 5_000, writeAttempts: 6 });
  admin = await connectNats(cluster.url, 'cluster-admin');
});

after(async () => {
  await client?.close();
  if (admin) await drainNats(admin);
  if (apiserver) await stopApiServer(apiserver);
  await cluster?.dispose();
});

async function registryCluster() {
  const info = await (await admin.jetstreamManager()).streams.info(REGISTRY.stream);
  return { replicas: info.config.num_replicas, leader: info.cluster?.leader, peers: info.cluster?.replicas ?? [] };
}

it('keeps writing through the loss of the stream leader and loses nothing acknowledged', { timeout: 180_000 }, async () => {
  const before = await registryCluster();
  assert.equal(before.replicas, 3, 'the log is kept on all three servers');
  assert.ok(before.leader, 'the stream has a leader');

  // A steady load: 4 writers, each creating ConfigMaps one after another.
  const acknowledged: string[] = [];
  const failures: string[] = [];
  let running = true;
  let sequence = 0;
  const writer = async () => {
    while (running) {
      const name = `load-${sequence++}`;
      try {
        await client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { n: name } });
        acknowledged.push(name);
      } catch (error) {
        failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  const writers = Array.from({ length: 4 }, writer);

  await eventually(() => acknowledged.length >= 100 || undefined, 60_000, '100 writes before the kill');
  // First the server leading the log's stream, then the one the API server is connected to.
  const leaderMoved = await killAndRecover(before.leader!);
  assert.notEqual(leaderMoved, before.leader, 'a new stream leader took over');
  const apiServerOn = apiserver.getSnapshot().context.connection!.nc.info!.server_name;
  await killAndRecover(apiServerOn);

  /** kill -9 one server, see writes go on, start it again and wait until its copy is current; the leader after the kill. */
  async function killAndRecover(serverName: string): Promise<string | undefined> {
    const member = cluster.members.find((m) => m.serverName === serverName)!;
    await member.kill();
    const ackedAtKill = acknowledged.length;
    const afterKill = await eventually(async () => {
      const now = await registryCluster().catch(() => undefined);
      return now?.leader && now.leader !== serverName ? now : undefined;
    }, 30_000, `a stream leader other than ${serverName}`);
    await eventually(() => acknowledged.length >= ackedAtKill + 200 || undefined, 60_000, `200 more writes after killing ${serverName}`);
    await cluster.restart(serverName);
    await eventually(async () => {
      const now = await registryCluster().catch(() => undefined);
      if (now?.leader === serverName) return true;
      const peer = now?.peers.find((p) => p.name === serverName);
      return peer?.current && (peer.lag ?? 0) === 0 ? true : undefined;
    }, 60_000, `${serverName} rejoined and caught up`);
    return afterKill.leader;
  }

  running = false;
  await Promise.all(writers);
  // The API server's store follows the log again: it reaches the log's last revision.
  const lastSeq = (await (await admin.jetstreamManager()).streams.info(REGISTRY.stream)).state.last_seq;
  await eventually(() => apiserver.getSnapshot().context.connection!.store.revision >= lastSeq || undefined, 30_000, 'the store following the log again');
  const stored = new Map<string, number>();
  for (const item of (await client.listAll('configmaps', 'default')).items) {
    const name = item.metadata.name!;
    if (name.startsWith('load-')) stored.set(name, (stored.get(name) ?? 0) + 1);
  }
  const lost = acknowledged.filter((name) => !stored.has(name));
  assert.deepEqual(lost, [], 'every acknowledged create is stored');
  assert.ok([...stored.values()].every((n) => n === 1));
  assert.ok(acknowledged.length >= 500, `${acknowledged.length} writes acknowledged across two kills (${failures.length} refused meanwhile)`);
});
