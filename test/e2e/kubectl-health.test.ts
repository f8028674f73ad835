// kubectl get --raw on the health endpoints of a live API server.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { kubectlOk, startHttpTestCluster, type HttpTestCluster } from '../support/http-cluster.ts';

describe('health endpoints through kubectl', { timeout: 60_000 }, () => {
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
});
