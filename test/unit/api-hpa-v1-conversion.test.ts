import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BEHAVIOR_ANNOTATION, CONDITIONS_ANNOTATION, hpaFromV1, hpaToV1, METRICS_ANNOTATION } from '../../src/api/conversion/autoscaling-v1.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { apiGroup, apiResourceList } from '../../src/http/discovery.ts';
import { openApiDocumentAt } from '../../src/http/openapi.ts';
import { resourceOf } from '../../src/http/to-request.ts';

const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };
const cpu = (n: number) => ({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: n } } });

function v2(spec: Record<string, unknown>, status?: Record<string, unknown>): KubeObject {
  return { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'default', resourceVersion: '7' }, spec, ...(status ? { status } : {}) };
}

describe('autoscaling/v1 <-> v2 HorizontalPodAutoscaler', () => {
  it('the CPU utilisation metric is targetCPUUtilizationPercentage, the current one currentCPUUtilizationPercentage', () => {
    const out = hpaToV1(v2({ scaleTargetRef: ref, minReplicas: 1, maxReplicas: 5, metrics: [cpu(50)] }, { currentReplicas: 2, desiredReplicas: 3, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 12 } } }] }));
    assert.equal(out.apiVersion, 'autoscaling/v1');
    assert.deepEqual(out.spec, { scaleTargetRef: ref, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 50 });
    assert.deepEqual(out.status, { currentReplicas: 2, desiredReplicas: 3, currentCPUUtilizationPercentage: 12 });
    assert.equal(out.metadata.annotations?.[METRICS_ANNOTATION], undefined, 'the CPU metric needs no annotation');
  });

  it('a v1 body without a target gets v1 implicit 80% CPU', () => {
    const stored = hpaFromV1({ apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web' }, spec: { scaleTargetRef: ref, maxReplicas: 3 } }) as KubeObject;
    assert.equal(stored.apiVersion, 'autoscaling/v2');
    assert.deepEqual(stored.spec, { scaleTargetRef: ref, maxReplicas: 3, metrics: [cpu(80)] });
  });

  it('other metrics, behavior and conditions survive a v1 round trip, in Kubernetes v1 annotation form', () => {
    const memory = { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } };
    const pods = { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } };
    const external = { type: 'External', external: { metric: { name: 'queue', selector: { matchLabels: { q: 'a' } } }, target: { type: 'Value', value: '30' } } };
    const behavior = { scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 1, periodSeconds: 15 }] } };
    const conditions = [{ type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale', lastTransitionTime: '2026-11-25T20:00:00Z' }];
    const original = v2({ scaleTargetRef: ref, minReplicas: 2, maxReplicas: 9, metrics: [memory, pods, external, cpu(60)], behavior }, { currentReplicas: 2, desiredReplicas: 2, conditions });
    const served = hpaToV1(original);
    assert.deepEqual(JSON.parse(served.metadata.annotations![METRICS_ANNOTATION]!), [
      { type: 'Resource', resource: { name: 'memory', targetAverageValue: '100Mi' } },
      { type: 'Pods', pods: { metricName: 'qps', targetAverageValue: '10' } },
      { type: 'External', external: { metricName: 'queue', metricSelector: { matchLabels: { q: 'a' } }, targetValue: '30' } },
    ]);
    assert.deepEqual(JSON.parse(served.metadata.annotations![BEHAVIOR_ANNOTATION]!), behavior);
    assert.deepEqual(JSON.parse(served.metadata.annotations![CONDITIONS_ANNOTATION]!), conditions);
    const back = hpaFromV1(served) as KubeObject;
    assert.deepEqual(back.spec, original.spec);
    assert.deepEqual((back.status as Record<string, unknown>).conditions, conditions);
    assert.equal(back.metadata.annotations, undefined);
  });

  it('a round-trip annotation that is not JSON is a 400', () => {
    assert.throws(() => hpaFromV1({ metadata: { annotations: { [METRICS_ANNOTATION]: '{' } }, spec: {} }), (e: { code?: number }) => e.code === 400);
  });

  it('is served: discovery lists v2 (preferred) then v1, the URL resolves, OpenAPI has the v1 schema', () => {
    const group = apiGroup('autoscaling')!;
    assert.deepEqual(group.versions.map((v) => v.version), ['v2', 'v1']);
    assert.equal(group.preferredVersion.version, 'v2');
    assert.ok(apiResourceList('autoscaling', 'v1')!.resources.some((r) => r.name === 'horizontalpodautoscalers'));
    const rt = resourceOf({ kind: 'resource', group: 'autoscaling', version: 'v1', plural: 'horizontalpodautoscalers', watchPrefix: false });
    assert.equal(rt.key, 'horizontalpodautoscalers.autoscaling');
    assert.equal(rt.apiVersion, 'autoscaling/v1');
    const doc = openApiDocumentAt('/openapi/v3/apis/autoscaling/v1') as { components: { schemas: Record<string, { properties?: Record<string, unknown> }> } };
    assert.ok(doc.components.schemas['io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerSpec']?.properties?.targetCPUUtilizationPercentage);
  });
});
