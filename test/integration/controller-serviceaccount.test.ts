import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, waitFor, type Actor } from 'xstate';
import { controllerMachine } from '../../actors/controllers/controller.machine.ts';
import { SYSTEM_NAMESPACES } from '../../src/apiserver/system-namespaces.ts';
import { newServiceAccountsController } from '../../src/controllers/serviceaccount/controller.ts';
import { SharedInformerFactory } from '../../src/informer/informer-factory.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/cluster.ts';

describe('ServiceAccounts controller against a real cluster', () => {
  let cluster: TestCluster;
  let factory: SharedInformerFactory;
  let actor: Actor<typeof controllerMachine>;

  before(async () => {
    cluster = await startTestCluster();
    factory = new SharedInformerFactory(cluster.client);
    actor = createActor(controllerMachine, { input: { controller: newServiceAccountsController(cluster.client, factory) } });
    actor.start();
    await waitFor(actor, (s) => s.matches('running'), { timeout: 30_000 });
  });

  after(async () => {
    actor.send({ type: 'stop' });
    await waitFor(actor, (s) => s.status === 'done', { timeout: 30_000 });
    factory.shutdown();
    await cluster.dispose();
  });

  const defaultIn = (ns: string) => cluster.client.get('serviceaccounts', ns, 'default').catch(() => undefined);

  it('gives every active namespace a default ServiceAccount, and recreates it when deleted', async () => {
    for (const ns of SYSTEM_NAMESPACES) await eventually(() => defaultIn(ns), 10_000, `default in ${ns}`);
    await cluster.client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
    const first = await eventually(() => defaultIn('team'), 10_000, 'default in team');
    await cluster.client.delete('serviceaccounts', 'team', 'default');
    const again = await eventually(async () => {
      const sa = await defaultIn('team');
      return sa && sa.metadata.uid !== first.metadata.uid ? sa : undefined;
    }, 10_000, 'default recreated');
    assert.equal(again.metadata.namespace, 'team');
  });

  it('gives a terminating namespace none', async () => {
    await cluster.client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'going' } });
    await eventually(() => defaultIn('going'), 10_000, 'default in going');
    await cluster.client.delete('namespaces', undefined, 'going');
    await cluster.client.delete('serviceaccounts', 'going', 'default');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await defaultIn('going'), undefined);
  });
});
