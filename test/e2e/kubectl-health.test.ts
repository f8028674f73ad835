// kubectl get --raw on the health and metrics endpoints of a live API server.
import { requestSnapshot } from '../../streams/snapshot-store.ts';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { kubectlOk, startHttpTestCluster, type HttpTestCluster } from '../support/http-cluster.ts';

describe('health and metrics endpoints through kubectl', { timeout: 60_000 }, () => {
  let cluster: HttpTestCluster;
  before(async () => {
    cluster = await startHttpTestCluster();
  });
  after(() => cluster?.dispose());

  it('readyz, livez and healthz pass, verbosely with every check named', async () => {
    assert.equal((await kubectlOk(cluster, 'get', '--raw', '/readyz')).stdout, 'ok');
    const verbose = (await kubectlOk(cluster, 'get', '--raw', '/readyz?verbose')).stdout;
    assert.equal(verbose, '[+]ping ok\n[+]log ok\n[+]store-caught-up ok\n[+]shutdown ok\nreadyz check passed\n');
    assert.equal((await kubectlOk(cluster, 'get', '--raw', '/livez?verbose')).stdout, '[+]ping ok\n[+]log ok\nlivez check passed\n');
    assert.equal((await kubectlOk(cluster, 'get', '--raw', '/healthz/log')).stdout, 'ok');
  });

  it('/metrics counts and times requests of both faces, by Kubernetes\' names and labels', async () => {
    await kubectlOk(cluster, 'get', 'pods', '-n', 'default');
    await cluster.client.list('configmaps', 'kube-system');
    await cluster.kubectl('get', 'configmap', 'missing');
    const text = (await kubectlOk(cluster, 'get', '--raw', '/metrics')).stdout;
    const sample = (name: string, labels: Record<string, string>) =>
      text.split('\n').find((line) => line.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)));
    assert.ok(sample('apiserver_request_total', { verb: 'LIST', resource: 'pods', scope: 'namespace', code: '200' }), 'kubectl\'s list of pods');
    assert.ok(sample('apiserver_request_total', { verb: 'LIST', resource: 'configmaps', code: '200' }), 'the NATS face\'s list');
    assert.ok(sample('apiserver_request_total', { verb: 'GET', resource: 'configmaps', scope: 'resource', code: '404' }), 'the 404');
    assert.ok(sample('apiserver_request_duration_seconds_bucket', { verb: 'LIST', resource: 'pods', le: '0.005' }));
    assert.match(text, /^jetkube_store_replay_lag 0$/m);
    assert.match(text, /^process_cpu_seconds_total /m);
  });

  it('/metrics tells how old the newest snapshot is and how many revisions a restart would replay', async () => {
    const gauge = (text: string, name: string) => text.split('\n').find((line) => line.startsWith(`${name} `))?.split(' ')[1];
    const before = (await kubectlOk(cluster, 'get', '--raw', '/metrics')).stdout;
    // prom-client writes NaN as "Nan"; Prometheus reads either (Go's ParseFloat).
    assert.match(gauge(before, 'jetkube_snapshot_age_seconds') ?? '', /^nan$/i, 'no snapshot yet: no age');
    assert.ok(Number(gauge(before, 'jetkube_snapshot_revisions_behind')) > 0, 'every revision would be replayed');
    const revision = await requestSnapshot(cluster.client.nc, 30_000);
    const after = (await kubectlOk(cluster, 'get', '--raw', '/metrics')).stdout;
    assert.ok(Number(gauge(after, 'jetkube_snapshot_age_seconds')) < 60, `a fresh snapshot at ${revision}`);
    assert.ok(Number(gauge(after, 'jetkube_snapshot_revisions_behind')) <= Number(gauge(before, 'jetkube_snapshot_revisions_behind')));
  });
});
