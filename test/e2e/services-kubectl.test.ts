// Issue 6 items 1-3 with the real kubectl against a whole cluster: `kubectl expose
// deployment web --port 80 --type NodePort` gives a ClusterIP of 127.96.0.0/16 and a
// NodePort; the Endpoints and the EndpointSlice list both pods' addresses on port 80;
// scaling to 0 empties them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../support/cluster.ts';
import { kubectlOk, writeManifest } from '../support/http-cluster.ts';
import { nginx } from '../support/manifests.ts';
import { startNodeCluster, type NodeTestCluster } from '../support/node-cluster.ts';

describe('kubectl expose, endpoints and endpoint slices', { timeout: 180_000 }, () => {
  let cluster: NodeTestCluster;
  before(async () => {
    cluster = await startNodeCluster();
  });
  after(() => cluster?.dispose());

  const ok = async (...args: string[]) => (await kubectlOk(cluster, ...args)).stdout;
  const podIPs = async () =>
    (await ok('get', 'pods', '-l', 'app=nginx', '-o', 'jsonpath={range .items[*]}{.status.podIP}{"\\n"}{end}'))
      .trim()
      .split('\n')
      .filter(Boolean)
      .sort();

  it('exposes a Deployment as a NodePort Service with a ClusterIP in 127.96.0.0/16', async () => {
    await ok('apply', '-f', await writeManifest(cluster, 'nginx.yaml', nginx('web', { replicas: 2 })));
    await ok('rollout', 'status', 'deployment/web', '--timeout=90s');
    await ok('expose', 'deployment', 'web', '--port', '80', '--type', 'NodePort');
    const row = (await ok('get', 'service', 'web', '--no-headers')).trim().split(/\s+/);
    const [name, type, clusterIP, , ports] = row;
    assert.equal(name, 'web');
    assert.equal(type, 'NodePort');
    assert.match(clusterIP!, /^127\.96\.\d+\.\d+$/);
    const nodePort = Number(/^80:(\d+)\/TCP$/.exec(ports!)?.[1]);
    assert.ok(nodePort >= 30000 && nodePort <= 32767, `a NodePort in ${ports}`);
    // Each allocation is an object of its own, readable with kubectl.
    assert.equal(await ok('get', 'ipaddresses', clusterIP!, '-o', 'jsonpath={.spec.parentRef.name}'), 'web');
    assert.equal(await ok('get', 'nodeportallocations', String(nodePort), '-o', 'jsonpath={.spec.parentRef.name}'), 'web');
  });

  it('kubectl get endpoints and endpointslices list both pods on port 80', async () => {
    const ips = await podIPs();
    assert.equal(ips.length, 2);
    const expected = ips.map((ip) => `${ip}:80`).join(',');
    const endpoints = await eventually(async () => {
      const out = (await ok('get', 'endpoints', 'web', '--no-headers')).trim().split(/\s+/);
      return out[1]?.split(',').sort().join(',') === expected ? out : undefined;
    }, 15_000, 'the Endpoints');
    assert.equal(endpoints[0], 'web');
    const slice = await eventually(async () => {
      const rows = (await ok('get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '--no-headers')).trim().split('\n');
      const cols = rows[0]?.split(/\s+/) ?? [];
      return rows.length === 1 && cols[3]?.split(',').sort().join(',') === ips.join(',') ? cols : undefined;
    }, 15_000, 'the EndpointSlice');
    assert.equal(slice[1], 'IPv4');
    assert.equal(slice[2], '80');
  });

  it('scaling to 0 empties them', async () => {
    await ok('scale', 'deployment', 'web', '--replicas=0');
    await eventually(async () => ((await ok('get', 'endpoints', 'web', '--no-headers')).trim().split(/\s+/)[1] === '<none>' ? true : undefined), 60_000, 'empty Endpoints');
    await eventually(async () => {
      const cols = (await ok('get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '--no-headers')).trim().split(/\s+/);
      return cols[3] === '<unset>' || cols[3] === '<none>' ? true : undefined;
    }, 60_000, 'empty EndpointSlice');
  });
});
