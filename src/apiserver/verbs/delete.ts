/**
 * delete: check preconditions, then either remove the object (a tombstone in the log) or,
 * when finalizers hold it (including those the propagation policy adds), mark it with a
 * deletionTimestamp and leave the removal to whoever takes the last finalizer away.
 * deletecollection deletes each listed object the same way.
 */
import { isDeepStrictEqual } from 'node:util';
import { conflict, notFound, StatusError } from '../../api/errors.ts';
import type { KubeObject, ObjectKey } from '../../api/object.ts';
import { prepareDelete } from '../../api/metadata.ts';
import type { ResourceType } from '../../api/resource-type.ts';
import { timestamp, type ApiDeps } from '../deps.ts';
import type { ApiReply, ApiRequest, ObjectList, RequestOptions } from '../request.ts';
import { objectKey, resolveResource } from '../resolve.ts';
import { appendChange, MAX_WRITE_ATTEMPTS } from '../write.ts';
import { releaseUnheld } from '../service-allocation.ts';
import { listObjects } from './list.ts';
import type { UserInfo } from '../../auth/attributes.ts';

export async function remove(deps: ApiDeps, request: ApiRequest): Promise<ApiReply> {
  const rt = resolveResource(request);
  const key = objectKey(rt, request);
  await deps.reads.consistent();
  const result = await deleteOne(deps, rt, key, request.options ?? {}, request.requestId, request.user);
  return { ok: true, body: result.object, code: result.removed ? 200 : 202 };
}

export async function removeCollection(deps: ApiDeps, request: ApiRequest): Promise<ApiReply> {
  const rt = resolveResource(request);
  const listed = await listObjects(deps, rt, { ...request, verb: 'list', options: { ...request.options, limit: undefined, continue: undefined } });
  const deleted: KubeObject[] = [];
  for (const item of listed.items) {
    const key = objectKey(rt, request, item.metadata.name);
    try {
      deleted.push((await deleteOne(deps, rt, { ...key, namespace: item.metadata.namespace ?? '' }, request.options ?? {}, undefined, request.user)).object);
    } catch (error) {
      if (!(error instanceof StatusError && error.code === 404)) throw error;
    }
  }
  const body: ObjectList = { ...listed, items: deleted };
  return { ok: true, body };
}

export async function deleteOne(
  deps: ApiDeps,
  rt: ResourceType,
  key: ObjectKey,
  options: RequestOptions,
  requestId?: string,
  user?: UserInfo,
): Promise<{ object: KubeObject; removed: boolean }> {
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    const current = deps.store.get(key.resource, key.namespace, key.name);
    if (!current) throw notFound(rt.plural, rt.group, key.name);
    checkPreconditions(rt, current, options);
    await admitDelete(deps, rt, current, options, user);
    const currentSeq = Number(current.metadata.resourceVersion);
    const decision = prepareDelete(rt, current, {
      now: timestamp(deps.now()),
      propagationPolicy: options.propagationPolicy,
      gracePeriodSeconds: options.gracePeriodSeconds,
    });
    const removed = decision.action === 'remove';
    const next = decision.action === 'remove' ? current : decision.object;
    // Deleting an object that is already marked changes nothing: no write.
    const unchanged = !removed && isDeepStrictEqual(next, current);
    if (options.dryRun || unchanged) return { object: next, removed };
    const { resourceVersion: _rv, ...metadata } = next.metadata;
    const outcome = await appendChange(deps, key, removed ? 'DELETED' : 'MODIFIED', { ...next, metadata }, currentSeq, requestId);
    if (outcome.written) {
      // A removed Service gives its ClusterIP and NodePorts back at once (the repair loop is the fallback).
      if (removed && rt.key === 'services') await releaseUnheld(deps, current, undefined);
      return { object: outcome.stored, removed };
    }
    if (options.preconditions?.resourceVersion) throw conflict(rt.plural, rt.group, key.name, 'the object has been modified');
    await deps.reads.atLeast(outcome.currentSeq);
  }
  throw conflict(rt.plural, rt.group, key.name, 'too many concurrent writers; try again');
}

/** The validating plugins see a delete too (NamespaceLifecycle keeps the system namespaces). */
function admitDelete(deps: ApiDeps, rt: ResourceType, current: KubeObject, options: RequestOptions, user: UserInfo | undefined): void | Promise<void> {
  return deps.admission.validate(
    {
      operation: 'DELETE',
      resource: rt,
      namespace: current.metadata.namespace ?? '',
      name: current.metadata.name ?? '',
      object: current,
      user,
      dryRun: options.dryRun === true,
    },
    deps,
  );
}

function checkPreconditions(rt: ResourceType, current: KubeObject, options: RequestOptions): void {
  const wanted = options.preconditions;
  if (!wanted) return;
  const name = current.metadata.name ?? '';
  if (wanted.uid && wanted.uid !== current.metadata.uid) {
    throw conflict(rt.plural, rt.group, name, `Precondition failed: UID in precondition: ${wanted.uid}, UID in object meta: ${current.metadata.uid}`);
  }
  if (wanted.resourceVersion && wanted.resourceVersion !== current.metadata.resourceVersion) {
    throw conflict(
      rt.plural,
      rt.group,
      name,
      `Precondition failed: ResourceVersion in precondition: ${wanted.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
    );
  }
}
