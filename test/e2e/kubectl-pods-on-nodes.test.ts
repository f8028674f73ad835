// Issue 5's done-when, with the real kubectl against a whole cluster (API server,
// controller manager, scheduler, and a kubelet running containers as processes): the
// seed nginx Deployment ends with Running pods whose processes answer HTTP on their pod
// IPs; kubectl run, logs -f, get -o wide, describe (events in order), exec, and a
// crashing container in CrashLoopBackOff.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/object.ts';
import { eventually } from '../support/cluster.ts';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/natsd/server.ts';
import { kubectlOk } from '../support/http-cluster.ts';
import { startNodeCluster, type NodeTestCluster } from '../support/node-cluster.ts';

const NS = 'default';

describe('pods on a real node', { timeout: 180_000 }, () => {
  let cluster: NodeTestCluster;
  before(async () => {
    cluster = await startNodeCluster();
  });
  after(() => cluster?.dispose());

  const ok = async (...args: string[]) => (await kubectlOk(cluster, ...args)).stdout;
  const inCidr = (ip: string) => ip.startsWith(cluster.podCIDR.replace(/\.0\/24$/, '.'));

  it('the kubelet registers its node, Ready', async () => {
    await ok('wait', '--for=condition=Ready', `node/${cluster.nodeName}`, '--timeout=60s');
    const out = await ok('get', 'nodes');
    assert.match(out, new RegExp(`^${cluster.nodeName}\\s+Ready\\s+<none>\\s+\\S+\\s+v1\\.32`, 'm'));
  });

  it('the seed nginx Deployment (examples/nginx-deployment.yaml) gets 3 Running pods whose nginx answers on the pod IP', async () => {
    await ok('apply', '-f', join(PROJECT_ROOT, 'examples', 'nginx-deployment.yaml'));
    await ok('rollout', 'status', 'deployment/nginx-deployment', '--timeout=90s');
    const wide = (await ok('get', 'pods', '-l', 'app=nginx', '-o', 'wide', '--no-headers')).trim().split('\n').map((l) => l.split(/\s+/));
    assert.equal(wide.length, 3);
    for (const [name, ready, status, , , ip, node] of wide) {
      assert.equal(ready, '1/1', `${name} ready`);
      assert.equal(status, 'Running');
      assert.equal(node, cluster.nodeName);
      assert.ok(inCidr(ip!), `${ip} is in ${cluster.podCIDR}`);
      // Ready without a readiness probe means started, not listening yet (as in Kubernetes).
      const page = await eventually(
        () => fetch(`http://${ip}:80/`).then((r) => r.text(), () => fetch(`http://${ip}:8080/`).then((r) => r.text(), () => undefined)),
        10_000,
        `nginx on ${ip}`,
      );
      assert.match(page, /Welcome to nginx!/);
    }
  });

  it('kubectl exec runs a command in a pod of the Deployment', async () => {
    const pods = (await cluster.client.list('pods', NS, { labelSelector: 'app=nginx' })).items;
    const out = await ok('exec', pods[0]!.metadata.name!, '--', 'sh', '-c', 'echo "I am $HOSTNAME"');
    assert.equal(out, `I am ${pods[0]!.metadata.name}\n`);
  });

  it('kubectl run, then logs -f follows the container to its end', async () => {
    await ok('run', 'hello', '--image=busybox', '--restart=Never', '--', 'sh', '-c', 'echo hello; sleep 2; echo bye');
    await ok('wait', '--for=jsonpath={.status.phase}=Running', 'pod/hello', '--timeout=60s');
    assert.equal(await ok('logs', '-f', 'hello'), 'hello\nbye\n');
    await ok('wait', '--for=jsonpath={.status.phase}=Succeeded', 'pod/hello', '--timeout=60s');
    const pod = (await cluster.client.get('pods', NS, 'hello')) as KubeObject & { status: { containerStatuses: Array<{ state: { terminated?: { exitCode: number; reason: string } } }> } };
    assert.deepEqual(
      { exitCode: pod.status.containerStatuses[0]!.state.terminated?.exitCode, reason: pod.status.containerStatuses[0]!.state.terminated?.reason },
      { exitCode: 0, reason: 'Completed' },
    );
  });

  it('kubectl describe shows the pod\'s events in order: scheduled, pulled, created, started', async () => {
    const out = await ok('describe', 'pod', 'hello');
    const events = out.slice(out.indexOf('Events:'));
    const order = ['Scheduled', 'Pulling', 'Pulled', 'Created', 'Started'].map((reason) => events.indexOf(`  ${reason}  `));
    assert.ok(order.every((at) => at > 0), `every event is shown:\n${events}`);
    assert.deepEqual([...order].sort((a, b) => a - b), order, `in order:\n${events}`);
    assert.match(events, /Successfully assigned default\/hello to node-1/);
    assert.match(out, /^Node:\s+node-1\/127\.0\.0\.1$/m);
    assert.match(out, /^IP:\s+127\.\d+\.\d+\.\d+$/m);
  });

  it('a container that exits 1 under restartPolicy Always goes into CrashLoopBackOff with growing restarts', async () => {
    await ok('run', 'crash', '--image=busybox', '--', 'sh', '-c', 'echo failing; exit 1');
    const restarts = await eventually(async () => {
      const row = (await ok('get', 'pod', 'crash', '--no-headers')).trim().split(/\s+/);
      return (row[2] === 'CrashLoopBackOff' || row[2] === 'Error') && Number(row[3]) >= 2 ? Number(row[3]) : undefined;
    }, 60_000, 'two restarts');
    assert.ok(restarts >= 2);
    const pod = (await cluster.client.get('pods', NS, 'crash')) as KubeObject & { status: { containerStatuses: Array<{ lastState: { terminated?: { exitCode: number } } }> } };
    assert.equal(pod.status.containerStatuses[0]!.lastState.terminated?.exitCode, 1);
    assert.match(await ok('logs', 'crash', '--previous'), /^failing\n$/);
  });

  it('deleting the Deployment stops its processes and removes the pods', async () => {
    const ips = (await cluster.client.list('pods', NS, { labelSelector: 'app=nginx' })).items.map((p) => (p.status as { podIP: string }).podIP);
    await ok('delete', 'deployment', 'nginx-deployment', '--wait=true', '--timeout=60s');
    await eventually(async () => ((await cluster.client.list('pods', NS, { labelSelector: 'app=nginx' })).items.length === 0 ? true : undefined), 60_000, 'pods gone');
    for (const ip of ips) {
      await assert.rejects(fetch(`http://${ip}:80/`, { signal: AbortSignal.timeout(2_000) }), `${ip} no longer answers`);
    }
  });
});
