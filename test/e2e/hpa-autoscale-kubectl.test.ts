// autoscaling/v1 next to v2 with the real kubectl: `kubectl autoscale` (a protobuf
// autoscaling/v1 HorizontalPodAutoscaler) creates the HPA, the log stores it as v2, `kubectl
// get hpa` prints Kubernetes' columns, both versions read back as themselves, and v1
// writes (merge patch, client-side apply's strategic merge patch) keep what only v2 can
// say (behavior, other metrics). The version is named in full (horizontalpodautoscalers.v1.autoscaling):
// kubectl's short-name expansion drops the version of "hpa.v1.autoscaling" and asks for the preferred v2.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import type { KubeObject } from '../../src/api/object.ts';
import { kubectlOk, startHttpTestCluster, writeManifest, type HttpTestCluster } from '../support/http-cluster.ts';

const HPA = 'horizontalpodautoscalers.autoscaling';

describe('kubectl autoscale and autoscaling/v1', { timeout: 90_000 }, () => {
  let cluster: HttpTestCluster;
  before(async () => {
    cluster = await startHttpTestCluster();
    await kubectlOk(cluster, 'create', 'deployment', 'web', '--image=busybox:1.36');
  });
  after(async () => cluster?.dispose());

  it('discovery offers autoscaling v2 (preferred) and v1', async () => {
    const { stdout } = await kubectlOk(cluster, 'api-versions');
    assert.match(stdout, /^autoscaling\/v2$/m);
    assert.match(stdout, /^autoscaling\/v1$/m);
    const group = await kubectlOk(cluster, 'get', '--raw', '/apis/autoscaling');
    assert.equal(JSON.parse(group.stdout).preferredVersion.version, 'v2');
  });

  it('kubectl autoscale creates the HPA, stored as v2 with a CPU Utilization metric', async () => {
    const { stdout } = await kubectlOk(cluster, 'autoscale', 'deployment', 'web', '--min=1', '--max=5', '--cpu-percent=50');
    assert.match(stdout, /horizontalpodautoscaler\.autoscaling\/web autoscaled/);
    const stored = await cluster.client.get(HPA, 'default', 'web');
    assert.equal(stored.apiVersion, 'autoscaling/v2');
    const spec = stored.spec as Record<string, unknown>;
    assert.deepEqual(spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' });
    assert.equal(spec.minReplicas, 1);
    assert.equal(spec.maxReplicas, 5);
    assert.deepEqual(spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }]);
  });

  it('kubectl get hpa prints REFERENCE, TARGETS, MINPODS, MAXPODS, REPLICAS in both versions', async () => {
    // What the HPA controller would write: 10% measured over one replica.
    const current = await cluster.client.get(HPA, 'default', 'web');
    await cluster.client.update(
      HPA,
      { ...current, status: { currentReplicas: 1, desiredReplicas: 1, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 10, averageValue: '10m' } } }] } },
      { subresource: 'status' },
    );
    for (const resource of ['hpa', 'horizontalpodautoscalers.v1.autoscaling', 'horizontalpodautoscalers.v2.autoscaling']) {
      const { stdout } = await kubectlOk(cluster, 'get', resource);
      const [header, row] = stdout.trim().split('\n');
      assert.deepEqual(header!.split(/\s{2,}/), ['NAME', 'REFERENCE', 'TARGETS', 'MINPODS', 'MAXPODS', 'REPLICAS', 'AGE'], resource);
      assert.deepEqual(row!.split(/\s{2,}/).slice(0, 6), ['web', 'Deployment/web', 'cpu: 10%/50%', '1', '5', '1'], resource);
    }
  });

  it('kubectl describe hpa reads it (through v2, as kubectl 1.32 does)', async () => {
    const { stdout } = await kubectlOk(cluster, 'describe', 'hpa', 'web');
    assert.match(stdout, /Reference:\s+Deployment\/web/);
    assert.match(stdout, /Min replicas:\s+1/);
    assert.match(stdout, /Max replicas:\s+5/);
  });

  it('reads as v1 and as v2: -o yaml of horizontalpodautoscalers.v1.autoscaling and .v2', async () => {
    const v1 = parse((await kubectlOk(cluster, 'get', 'horizontalpodautoscalers.v1.autoscaling', 'web', '-o', 'yaml')).stdout) as KubeObject;
    assert.equal(v1.apiVersion, 'autoscaling/v1');
    assert.deepEqual(v1.spec, { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 50 });
    assert.equal((v1.status as Record<string, unknown>).currentCPUUtilizationPercentage, 10);
    // What v1 cannot say rides in Kubernetes' annotation: the raw current value too.
    assert.deepEqual(JSON.parse(v1.metadata.annotations!['autoscaling.alpha.kubernetes.io/current-metrics']!), [
      { type: 'Resource', resource: { name: 'cpu', currentAverageUtilization: 10, currentAverageValue: '10m' } },
    ]);
    const v2 = parse((await kubectlOk(cluster, 'get', 'horizontalpodautoscalers.v2.autoscaling', 'web', '-o', 'yaml')).stdout) as KubeObject;
    assert.equal(v2.apiVersion, 'autoscaling/v2');
    assert.equal(v2.metadata.annotations, undefined);
    assert.equal(((v2.spec as { metrics: { resource: { target: { averageUtilization: number } } }[] }).metrics[0]!.resource.target.averageUtilization), 50);
    const list = JSON.parse((await kubectlOk(cluster, 'get', 'horizontalpodautoscalers.v1.autoscaling', '-o', 'json')).stdout) as { items: KubeObject[] };
    assert.equal(list.items[0]!.apiVersion, 'autoscaling/v1');
  });

  it('a v1 patch changes the CPU target and keeps the v2-only behavior and metrics', async () => {
    const current = await cluster.client.get(HPA, 'default', 'web');
    const spec = current.spec as Record<string, unknown>;
    const memory = { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } };
    await cluster.client.update(HPA, { ...current, spec: { ...spec, metrics: [...(spec.metrics as unknown[]), memory], behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } } });
    await kubectlOk(cluster, 'patch', 'horizontalpodautoscalers.v1.autoscaling', 'web', '--type=merge', '-p', '{"spec":{"targetCPUUtilizationPercentage":70,"maxReplicas":7}}');
    const after = await cluster.client.get(HPA, 'default', 'web');
    const afterSpec = after.spec as { maxReplicas: number; metrics: unknown[]; behavior: { scaleDown: Record<string, unknown> } };
    assert.equal(afterSpec.maxReplicas, 7);
    assert.deepEqual(afterSpec.metrics, [memory, { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }]);
    assert.equal(afterSpec.behavior.scaleDown.stabilizationWindowSeconds, 60);
    assert.equal(after.metadata.annotations, undefined, 'round-trip annotations are never stored');
  });

  it('kubectl apply of a v1 manifest creates, then patches through v1', async () => {
    const manifest = (cpu: number) => `apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata:
  name: applied
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 4
  targetCPUUtilizationPercentage: ${cpu}
`;
    await kubectlOk(cluster, 'apply', '-f', await writeManifest(cluster, 'hpa-v1-a.yaml', manifest(40)));
    await kubectlOk(cluster, 'apply', '-f', await writeManifest(cluster, 'hpa-v1-b.yaml', manifest(65)));
    const stored = await cluster.client.get(HPA, 'default', 'applied');
    assert.deepEqual((stored.spec as { metrics: unknown[] }).metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 65 } } }]);
    assert.equal((stored.spec as { minReplicas: number }).minReplicas, 2);
  });

  it('kubectl explain reads the v1 schema from OpenAPI', async () => {
    const { stdout } = await kubectlOk(cluster, 'explain', 'hpa.spec', '--api-version=autoscaling/v1');
    assert.match(stdout, /targetCPUUtilizationPercentage/);
  });
});
