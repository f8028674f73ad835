// A Deployment's life through the real kubectl, with the Deployment, ReplicaSet and
// garbage collector controllers running: `describe` shows the Events the controllers
// recorded, `rollout pause` holds a template change until `rollout resume`, and
// `delete --cascade=background|orphan|foreground` leaves what a real cluster leaves.
// The test stands in for a kubelet by making pending pods Running and Ready.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { StatusError } from '../../src/api/errors.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { eventually } from '../support/cluster.ts';
import { kubectlOk, startHttpTestCluster, type HttpTestCluster } from '../support/http-cluster.ts';
import { startWorkloadControllers, type WorkloadControllers } from '../support/workload-controllers.ts';

describe('kubectl: a Deployment from describe to delete', { timeout: 240_000 }, () => {
  let cluster: HttpTestCluster;
  let controllers: WorkloadControllers | undefined;

  before(async () => {
    cluster = await startHttpTestCluster();
    controllers = await startWorkloadControllers(cluster.client);
  });
  after(async () => {
    await controllers?.stop();
    await cluster?.dispose();
  });

  const ok = async (...args: string[]) => (await kubectlOk(cluster, ...args)).stdout.trim();
  const list = async (resource: string, app: string) => (await cluster.client.list(resource, 'default', { labelSelector: `app=${app}` })).items;
  const get = (resource: string, name: string) => cluster.client.get(resource, 'default', name);
  const gone = async (resource: string, name: string) => get(resource, name).then(
    () => false,
    (e: unknown) => e instanceof StatusError && e.code === 404,
  );
  const spec = (o: KubeObject) => o.spec as { replicas?: number; template: { spec: { containers: { image: string }[] } } };
  const deploy = async (name: string) => {
    await ok('create', 'deployment', name, '--image=nginx:1', '--replicas=2');
    assert.match(await ok('rollout', 'status', `deployment/${name}`, '--timeout=60s'), /successfully rolled out/);
  };

  it('describe deployment shows the ScalingReplicaSet event; describe rs shows SuccessfulCreate', async () => {
    await deploy('web');
    const [rs] = await list('replicasets.apps', 'web');
    const described = await eventually(async () => {
      const out = await ok('describe', 'deployment', 'web');
      return /ScalingReplicaSet/.test(out) ? out : undefined;
    }, 20_000, 'the ScalingReplicaSet event in describe');
    assert.match(described, /Events:\s*\n\s*Type\s+Reason\s+Age\s+From\s+Message/);
    assert.match(described, new RegExp(`Normal\\s+ScalingReplicaSet\\s+.*deployment-controller\\s+Scaled up replica set ${rs!.metadata.name} from 0 to 2`));

    const rsDescribed = await eventually(async () => {
      const out = await ok('describe', 'rs', rs!.metadata.name!);
      return (out.match(/SuccessfulCreate/g) ?? []).length >= 2 ? out : undefined;
    }, 20_000, 'two SuccessfulCreate events in describe rs');
    assert.match(rsDescribed, /Normal\s+SuccessfulCreate\s+.*replicaset-controller\s+Created pod: web-/);
  });

  it('rollout pause holds set image; rollout resume rolls it out', async () => {
    assert.match(await ok('rollout', 'pause', 'deployment/web'), /deployment.apps\/web paused/);
    await ok('set', 'image', 'deployment/web', 'nginx=nginx:2');
    // The controller has seen the change once it acknowledges the generation, and says it is paused.
    await eventually(async () => {
      const d = await get('deployments.apps', 'web');
      const status = d.status as { observedGeneration?: number; conditions?: { type: string; reason: string }[] };
      const paused = status.conditions?.find((c) => c.type === 'Progressing')?.reason === 'DeploymentPaused';
      return status.observedGeneration === d.metadata.generation && paused ? true : undefined;
    }, 20_000, 'the paused Deployment to be observed');
    const held = await list('replicasets.apps', 'web');
    assert.equal(held.length, 1, 'no new ReplicaSet while paused');
    assert.equal(spec(held[0]!).template.spec.containers[0]!.image, 'nginx:1');
    for (const pod of await list('pods', 'web')) assert.equal((pod.spec as { containers: { image: string }[] }).containers[0]!.image, 'nginx:1');

    assert.match(await ok('rollout', 'resume', 'deployment/web'), /deployment.apps\/web resumed/);
    assert.match(await ok('rollout', 'status', 'deployment/web', '--timeout=60s'), /successfully rolled out/);
    const rss = await list('replicasets.apps', 'web');
    assert.equal(rss.length, 2);
    const byImage = new Map(rss.map((rs) => [spec(rs).template.spec.containers[0]!.image, spec(rs).replicas]));
    assert.deepEqual(Object.fromEntries(byImage), { 'nginx:1': 0, 'nginx:2': 2 });
    const old = rss.find((rs) => spec(rs).replicas === 0)!;
    await eventually(async () => {
      const out = await ok('describe', 'deployment', 'web');
      return new RegExp(`Scaled down replica set ${old.metadata.name} from \\d+ to 0`).test(out) || undefined;
    }, 20_000, 'the scale-down event in describe');
  });

  it('delete --cascade=background removes the Deployment, then its ReplicaSets and pods', async () => {
    assert.match(await ok('delete', 'deployment', 'web', '--cascade=background'), /deployment.apps "web" deleted/);
    assert.ok(await gone('deployments.apps', 'web'));
    await eventually(async () => ((await list('replicasets.apps', 'web')).length === 0 && (await list('pods', 'web')).length === 0) || undefined, 30_000, 'web\'s ReplicaSets and pods to be collected');
    assert.match((await cluster.kubectl('get', 'rs,pods', '-l', 'app=web')).stderr, /No resources found/);
  });

  it('delete --cascade=orphan leaves the ReplicaSet and its pods, the ReplicaSet without its owner', async () => {
    await deploy('orphan');
    const [rs] = await list('replicasets.apps', 'orphan');
    assert.match(await ok('delete', 'deployment', 'orphan', '--cascade=orphan'), /deployment.apps "orphan" deleted/);
    assert.ok(await gone('deployments.apps', 'orphan'));
    const left = await get('replicasets.apps', rs!.metadata.name!);
    assert.equal(left.metadata.uid, rs!.metadata.uid);
    assert.deepEqual(left.metadata.ownerReferences ?? [], []);
    assert.equal(spec(left).replicas, 2);
    const pods = await list('pods', 'orphan');
    assert.equal(pods.length, 2);
    for (const pod of pods) {
      assert.equal(pod.metadata.deletionTimestamp, undefined);
      // The pods' own owner, the ReplicaSet, was not deleted: they keep it.
      assert.deepEqual(pod.metadata.ownerReferences?.map((r) => r.uid), [rs!.metadata.uid]);
    }
    assert.match(await ok('get', 'rs', '-l', 'app=orphan'), new RegExp(`${rs!.metadata.name}\\s+2\\s+2\\s+2`));
  });

  it('delete --cascade=foreground returns once the ReplicaSet and pods are gone', async () => {
    await deploy('fg');
    const [rs] = await list('replicasets.apps', 'fg');
    const pods = await list('pods', 'fg');
    assert.equal(pods.length, 2);
    // Without waiting, the Deployment is seen held by the foregroundDeletion finalizer...
    assert.match(await ok('delete', 'deployment', 'fg', '--cascade=foreground', '--wait=false'), /deployment.apps "fg" deleted/);
    const held = await get('deployments.apps', 'fg').catch(() => undefined);
    if (held) {
      assert.ok(held.metadata.deletionTimestamp);
      assert.ok(held.metadata.finalizers?.includes('foregroundDeletion'));
    }
    // ...and `delete --wait` (what kubectl does by default) returns once it is gone.
    const again = await cluster.kubectl('delete', 'deployment', 'fg', '--cascade=foreground', '--timeout=60s');
    assert.ok(again.code === 0 || /NotFound/.test(again.stderr), again.stderr);
    assert.ok(await gone('deployments.apps', 'fg'));
    assert.ok(await gone('replicasets.apps', rs!.metadata.name!), 'the ReplicaSet is deleted before its owner');
    for (const pod of pods) assert.ok(await gone('pods', pod.metadata.name!), `pod ${pod.metadata.name} is deleted before the Deployment`);
  });
});
