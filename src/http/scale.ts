/**
 * The scale subresource (GET/PUT/PATCH .../deployments/x/scale), answered as an
 * autoscaling/v1 Scale and served over the pipeline's get and patch of the workload
 * itself, so the write is one compare-and-set like any other. A PATCH is applied to the
 * current Scale, then the new replica count is written pinned to the resourceVersion it
 * was read at; a lost race re-reads and re-applies (Kubernetes' GuaranteedUpdate).
 */
import { StatusError } from '../api/errors.ts';
import { isPlainObject, type KubeObject } from '../api/object.ts';
import { applyJsonPatch, applyMergePatch } from '../api/patch.ts';
import type { ResourceType } from '../api/resource-type.ts';
import { requestedReplicas, scaleOf, type Scale } from '../api/scale.ts';
import { Scale as ScaleSchema } from '../api/schema/scale.ts';
import { applyStrategicMergePatch } from '../api/strategic-merge-patch.ts';
import type { Pipeline } from '../apiserver/pipeline.ts';
import type { ApiReply, ApiRequest } from '../apiserver/request.ts';

const RETRIES = 5;

/** `request` addresses the workload itself (verb get, update or patch); the answer is its Scale. */
export async function serveScale(pipeline: Pipeline, rt: ResourceType, request: ApiRequest): Promise<{ scale: Scale; warnings: string[] }> {
  const name = request.name ?? '';
  const read = async () => objectOf(await pipeline.handle({ verb: 'get', resource: request.resource, namespace: request.namespace, name }));
  if (request.verb === 'get') return { scale: scaleOf(rt, await read()), warnings: [] };
  if (request.verb === 'update') {
    const replicas = requestedReplicas(name, request.body);
    const metadata = isPlainObject(request.body) && isPlainObject(request.body.metadata) ? request.body.metadata : {};
    const pinned = typeof metadata.resourceVersion === 'string' && metadata.resourceVersion !== '' ? metadata.resourceVersion : undefined;
    return write(pipeline, rt, request, replicas, pinned);
  }
  for (let attempt = 1; ; attempt++) {
    const current = await read();
    const patched = patchScale(request, scaleOf(rt, current));
    try {
      return await write(pipeline, rt, request, requestedReplicas(name, patched), current.metadata.resourceVersion);
    } catch (error) {
      if (!(error instanceof StatusError && error.code === 409) || attempt >= RETRIES) throw error;
    }
  }
}

function patchScale(request: ApiRequest, scale: Scale): unknown {
  switch (request.patchType ?? 'merge') {
    case 'json':
      return applyJsonPatch(scale, request.body);
    case 'merge':
      return applyMergePatch(scale, request.body);
    case 'strategic':
      return applyStrategicMergePatch(scale, request.body, ScaleSchema);
    case 'apply':
      throw new StatusError(415, 'UnsupportedMediaType', 'server-side apply of the scale subresource is not supported; apply the workload');
  }
}

async function write(pipeline: Pipeline, rt: ResourceType, request: ApiRequest, replicas: number, pinned: string | undefined) {
  const reply = await pipeline.handle({
    verb: 'patch',
    resource: request.resource,
    namespace: request.namespace,
    name: request.name,
    patchType: 'merge',
    body: { metadata: pinned ? { resourceVersion: pinned } : {}, spec: { replicas } },
    options: {
      ...(request.options?.dryRun ? { dryRun: true } : {}),
      ...(request.options?.fieldManager ? { fieldManager: request.options.fieldManager } : {}),
    },
    ...(request.requestId ? { requestId: request.requestId } : {}),
  });
  return { scale: scaleOf(rt, objectOf(reply)), warnings: reply.ok ? (reply.warnings ?? []) : [] };
}

function objectOf(reply: ApiReply): KubeObject {
  if (!reply.ok) throw new StatusError(reply.status.code, reply.status.reason as never, reply.status.message ?? '', reply.status.details);
  return reply.body as KubeObject;
}
