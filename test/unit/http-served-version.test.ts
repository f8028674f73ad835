// The pipeline as autoscaling/v1 sees it, over a fake stored-v2 pipeline: bodies in are
// v2, everything out is v1 (objects, lists, watch events), a delete's Status passes
// untouched, and a v1 patch becomes a merge patch of the v2 object pinned to the revision
// read, retried after a lost race unless the caller pinned one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '../../src/api/errors.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { servedVersionFor } from '../../src/api/served-versions.ts';
import type { Pipeline } from '../../src/apiserver/pipeline.ts';
import type { ApiReply, ApiRequest, WatchEvent } from '../../src/apiserver/request.ts';
import { servedVersionPipeline } from '../../src/http/served-version.ts';

const HPA = 'horizontalpodautoscalers.autoscaling';
const served = servedVersionFor('autoscaling', 'v1', 'horizontalpodautoscalers')!;

function stored(rv: string, cpu = 50): KubeObject {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web', namespace: 'default', resourceVersion: rv },
    spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 5, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: cpu } } }], behavior: { scaleUp: { stabilizationWindowSeconds: 0 } } },
  };
}

/** A pipeline that records requests and answers from a script. */
function fake(answer: (request: ApiRequest) => ApiReply, events: WatchEvent[] = []) {
  const seen: ApiRequest[] = [];
  const pipeline: Pipeline = {
    handle: async (request) => {
      seen.push(request);
      return answer(request);
    },
    watch: async (_request, send) => {
      for (const event of events) send(event);
      return { stop() {} };
    },
  };
  return { pipeline, seen };
}

describe('the autoscaling/v1 face over the stored v2', () => {
  it('converts a created body to v2 and the answer back to v1', async () => {
    const { pipeline, seen } = fake((r) => ({ ok: true, code: 201, body: { ...(r.body as KubeObject), metadata: { ...(r.body as KubeObject).metadata, resourceVersion: '3' } } }));
    const reply = await servedVersionPipeline(pipeline, served).handle({ verb: 'create', resource: HPA, namespace: 'default', body: { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 3, targetCPUUtilizationPercentage: 40 } } });
    assert.equal((seen[0]!.body as KubeObject).apiVersion, 'autoscaling/v2');
    assert.deepEqual(((seen[0]!.body as KubeObject).spec as { metrics: unknown[] }).metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 40 } } }]);
    assert.ok(reply.ok);
    assert.equal((reply.body as KubeObject).apiVersion, 'autoscaling/v1');
    assert.equal(((reply.body as KubeObject).spec as { targetCPUUtilizationPercentage: number }).targetCPUUtilizationPercentage, 40);
  });

  it('converts lists and watch events, and lets a Status through', async () => {
    const { pipeline } = fake((r) =>
      r.verb === 'list'
        ? { ok: true, body: { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscalerList', metadata: { resourceVersion: '9' }, items: [stored('4')] } }
        : { ok: true, body: { kind: 'Status', apiVersion: 'v1', status: 'Success' } as unknown as KubeObject },
    );
    const face = servedVersionPipeline(pipeline, served);
    const list = await face.handle({ verb: 'list', resource: HPA });
    assert.ok(list.ok);
    assert.equal(list.body.apiVersion, 'autoscaling/v1');
    assert.equal((list.body as { items: KubeObject[] }).items[0]!.apiVersion, 'autoscaling/v1');
    const deleted = await face.handle({ verb: 'delete', resource: HPA, namespace: 'default', name: 'web' });
    assert.ok(deleted.ok);
    assert.deepEqual(deleted.body, { kind: 'Status', apiVersion: 'v1', status: 'Success' });

    const bookmark = { type: 'BOOKMARK', object: { kind: 'HorizontalPodAutoscaler', apiVersion: 'autoscaling/v2', metadata: { resourceVersion: '10' } } } as WatchEvent;
    const { pipeline: watching } = fake(() => ({ ok: true, body: stored('1') }), [{ type: 'ADDED', object: stored('5') }, bookmark]);
    const got: WatchEvent[] = [];
    await servedVersionPipeline(watching, served).watch({ verb: 'watch', resource: HPA }, (e) => void got.push(e), () => {});
    assert.equal((got[0]!.object as KubeObject).apiVersion, 'autoscaling/v1');
    assert.equal(got[1], bookmark);
  });

  it('patches in v1 terms: a merge patch of the stored object, pinned, retried after a lost race', async () => {
    let reads = 0;
    let writes = 0;
    const { pipeline, seen } = fake((r) => {
      if (r.verb === 'get') return { ok: true, body: stored(String(++reads * 10)) };
      if (++writes === 1) return { ok: false, status: new StatusError(409, 'Conflict', 'lost').toStatus() };
      return { ok: true, body: stored('99', 70) };
    });
    const reply = await servedVersionPipeline(pipeline, served).handle({ verb: 'patch', resource: HPA, namespace: 'default', name: 'web', patchType: 'merge', body: { spec: { targetCPUUtilizationPercentage: 70 } } });
    assert.ok(reply.ok);
    assert.equal(((reply.body as KubeObject).spec as { targetCPUUtilizationPercentage: number }).targetCPUUtilizationPercentage, 70);
    const patches = seen.filter((r) => r.verb === 'patch');
    assert.equal(patches.length, 2, 'one retry after the 409');
    assert.equal(patches[1]!.patchType, 'merge');
    assert.deepEqual(patches[1]!.body, {
      metadata: { resourceVersion: '20' },
      spec: { metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }] },
    }, 'behavior untouched, the revision read the second time pinned');
  });

  it('answers the 409 of a patch that pins its own stale resourceVersion', async () => {
    const { pipeline, seen } = fake((r) => (r.verb === 'get' ? { ok: true, body: stored('10') } : { ok: false, status: new StatusError(409, 'Conflict', 'stale').toStatus() }));
    const reply = await servedVersionPipeline(pipeline, served).handle({ verb: 'patch', resource: HPA, namespace: 'default', name: 'web', patchType: 'merge', body: { metadata: { resourceVersion: '3' }, spec: { maxReplicas: 9 } } });
    assert.equal(reply.ok, false);
    assert.equal(seen.filter((r) => r.verb === 'patch').length, 1);
    assert.equal((seen.find((r) => r.verb === 'patch')!.body as { metadata: { resourceVersion: string } }).metadata.resourceVersion, '3');
  });

  it('refuses server-side apply in v1 with a 415 naming the stored version', async () => {
    const { pipeline } = fake(() => ({ ok: true, body: stored('1') }));
    await assert.rejects(servedVersionPipeline(pipeline, served).handle({ verb: 'patch', resource: HPA, namespace: 'default', name: 'web', patchType: 'apply', body: {} }), (e: StatusError) => e.code === 415 && /autoscaling\/v2/.test(e.message));
  });
});
