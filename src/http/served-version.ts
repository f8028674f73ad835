/**
 * The pipeline as a served-only version sees it (autoscaling/v1 HorizontalPodAutoscaler
 * over the stored v2, src/api/served-versions.ts): bodies of creates and updates are
 * converted to the stored version on the way in, every object answered (get, list, watch
 * events, the written object) back to the served one on the way out. A patch is written
 * in the served version's terms, so it is applied here to the served view of the current
 * object, and the change goes to the pipeline as a merge patch of the stored object
 * pinned to the revision it was read at (a lost race re-reads and re-applies, as
 * Kubernetes' GuaranteedUpdate; a patch that pins its own resourceVersion gets the 409).
 */
import { badRequest, isStatus, StatusError, unsupportedMediaType } from '../api/errors.ts';
import { isPlainObject, type KubeObject } from '../api/object.ts';
import { resourceByKey } from '../api/registry.ts';
import { applyJsonPatch, applyMergePatch, createMergePatch } from '../api/patch.ts';
import type { ServedVersion } from '../api/served-versions.ts';
import { applyStrategicMergePatch } from '../api/strategic-merge-patch.ts';
import type { Pipeline } from '../apiserver/pipeline.ts';
import type { ApiReply, ApiRequest, ObjectList, WatchEvent } from '../apiserver/request.ts';
import { checkAccess } from '../auth/access-check.ts';
import { requestAttributes } from '../auth/authorize-request.ts';

const RETRIES = 5;

export function servedVersionPipeline(pipeline: Pipeline, served: ServedVersion): Pipeline {
  const out = (reply: ApiReply): ApiReply => (reply.ok ? { ...reply, body: convertOut(served, reply.body) } : reply);
  return {
    async handle(request) {
      if (request.verb === 'patch') return out(await patchServed(pipeline, served, request));
      if ((request.verb === 'create' || request.verb === 'update') && request.body !== undefined) {
        return out(await pipeline.handle({ ...request, body: served.toStored(request.body) }));
      }
      return out(await pipeline.handle(request));
    },
    watch(request, send, ended) {
      return pipeline.watch(request, (event) => send(convertEvent(served, event)), ended);
    },
  };
}

/** Objects of the kind and lists of them are converted; anything else (a delete's Status) passes unchanged. */
function convertOut(served: ServedVersion, body: KubeObject | ObjectList): KubeObject | ObjectList {
  if (body.kind === `${served.type.kind}List` && Array.isArray((body as ObjectList).items)) {
    return { ...body, apiVersion: served.type.apiVersion, items: (body as ObjectList).items.map((item) => convertObject(served, item)) };
  }
  return convertObject(served, body as KubeObject);
}

const convertObject = (served: ServedVersion, object: KubeObject): KubeObject => (object.kind === served.type.kind ? served.toServed(object) : object);

function convertEvent(served: ServedVersion, event: WatchEvent): WatchEvent {
  if (event.type === 'ERROR' || event.type === 'BOOKMARK' || isStatus(event.object)) return event;
  return { ...event, object: convertObject(served, event.object as KubeObject) };
}

async function patchServed(pipeline: Pipeline, served: ServedVersion, request: ApiRequest): Promise<ApiReply> {
  if (request.patchType === 'apply') {
    throw unsupportedMediaType(`server-side apply of ${served.type.apiVersion} ${served.type.kind} is not supported: apply it as ${storedApiVersion(served)}`);
  }
  // Only the caller's right to patch is asked: the read below is the server's own.
  if (request.user) {
    const { user: _user, ...attributes } = requestAttributes(request, request.user);
    await checkAccess(pipeline, request.user, attributes);
  }
  for (let attempt = 1; ; attempt++) {
    const read = await pipeline.handle({ verb: 'get', resource: request.resource, ...(request.namespace !== undefined ? { namespace: request.namespace } : {}), name: request.name ?? '' });
    if (!read.ok) return read;
    const current = read.body as KubeObject;
    const view = served.toServed(current);
    const patched = applyServedPatch(served, request, view);
    const stored = served.toStored(patched);
    if (!isPlainObject(stored)) throw badRequest(`the patched ${served.type.kind} is not an object`);
    const asked = isPlainObject(patched) && isPlainObject(patched.metadata) ? patched.metadata.resourceVersion : undefined;
    const pinnedByCaller = typeof asked === 'string' && asked !== '' && asked !== view.metadata.resourceVersion;
    const change = createMergePatch(current, stored) as Record<string, unknown>;
    const metadata = isPlainObject(change.metadata) ? change.metadata : {};
    // Pinned: to the caller's revision if the patch names one, else to the one just read.
    change.metadata = { ...metadata, resourceVersion: pinnedByCaller ? asked : current.metadata.resourceVersion };
    const reply = await replyOf(pipeline.handle({ ...request, patchType: 'merge', body: change }));
    if (reply.ok || reply.status.code !== 409 || pinnedByCaller || attempt >= RETRIES) return reply;
  }
}

function applyServedPatch(served: ServedVersion, request: ApiRequest, view: KubeObject): unknown {
  switch (request.patchType ?? 'merge') {
    case 'json':
      return applyJsonPatch(view, request.body);
    case 'strategic':
      return applyStrategicMergePatch(view, request.body, served.schema);
    default:
      return applyMergePatch(view, request.body);
  }
}

const storedApiVersion = (served: ServedVersion) => resourceByKey(served.type.key)?.apiVersion ?? served.type.apiVersion;

/** A lost compare-and-set, whether the pipeline answered it or threw it. */
async function replyOf(pending: Promise<ApiReply>): Promise<ApiReply> {
  try {
    return await pending;
  } catch (error) {
    if (error instanceof StatusError && error.code === 409) return { ok: false, status: error.toStatus() };
    throw error;
  }
}
