/**
 * Read-modify-write against the log, as Kubernetes' GuaranteedUpdate: read the current
 * object, compute the next one with a pure function, append it as a compare-and-set on
 * the current resourceVersion. When another writer got there first, re-read and compute
 * again, unless the caller pinned a resourceVersion, in which case the race is the
 * caller's 409. An update that changes nothing writes nothing. An update that leaves a
 * deleting object without finalizers removes it.
 */
import { isDeepStrictEqual } from 'node:util';
import { conflict, notFound, STALE_OBJECT } from '../api/errors.ts';
import type { KubeObject, ObjectKey } from '../api/object.ts';
import { isReadyToRemove } from '../api/metadata.ts';
import type { ResourceType } from '../api/resource-type.ts';
import type { ApiDeps } from './deps.ts';
import { withResourceVersion } from './resolve.ts';
import { appendChange, MAX_WRITE_ATTEMPTS } from './write.ts';

export interface UpdateSpec {
  /** The resourceVersion the caller based its change on; a mismatch is a 409. */
  expectedResourceVersion?: string;
  /** Given the current object, the next one; throws a StatusError to refuse. */
  next(current: KubeObject): KubeObject | Promise<KubeObject>;
  dryRun?: boolean;
  requestId?: string;
}

export interface UpdateResult {
  object: KubeObject;
  /** The change written: undefined when nothing changed or on a dry run. */
  written?: 'MODIFIED' | 'DELETED';
}

export async function guaranteedUpdate(deps: ApiDeps, rt: ResourceType, key: ObjectKey, spec: UpdateSpec): Promise<UpdateResult> {
  // The store's copy is a hint, as Kubernetes' GuaranteedUpdate starts from its cached object:
  // the compare-and-set at the log refuses a stale one, so most writes never ask the log for
  // its newest revision (a round trip that took seconds on a saturated machine). Only what a
  // stale copy could get wrong (not found, a precondition or a check that fails, nothing to
  // change) is confirmed against the log's newest revision before it is answered.
  let confirmed = spec.dryRun === true;
  if (confirmed) await deps.reads.consistent();
  const confirm = async () => {
    await deps.reads.consistent();
    confirmed = true;
  };
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    const current = deps.store.get(key.resource, key.namespace, key.name);
    if (!current) {
      if (confirmed) throw notFound(rt.plural, rt.group, key.name);
      await confirm();
      continue;
    }
    const currentVersion = current.metadata.resourceVersion ?? '0';
    if (spec.expectedResourceVersion !== undefined && spec.expectedResourceVersion !== currentVersion) {
      if (confirmed) throw conflict(rt.plural, rt.group, key.name, STALE_OBJECT);
      await confirm();
      continue;
    }
    let next: KubeObject;
    try {
      next = await spec.next(current);
    } catch (error) {
      if (confirmed) throw error;
      await confirm();
      continue;
    }
    const { resourceVersion: _ignored, ...nextMeta } = next.metadata;
    const unversioned = { ...next, metadata: nextMeta };
    if (isDeepStrictEqual(withResourceVersion(unversioned, Number(currentVersion)), current)) {
      if (confirmed) return { object: current };
      await confirm();
      continue;
    }

    const type = isReadyToRemove(rt, unversioned) ? 'DELETED' : 'MODIFIED';
    if (spec.dryRun) return { object: withResourceVersion(unversioned, Number(currentVersion)) };
    const outcome = await appendChange(deps, key, type, unversioned, Number(currentVersion), spec.requestId);
    if (outcome.written) return { object: outcome.stored, written: type };
    // The log holds a newer version than the one the precondition named: the caller's 409.
    if (spec.expectedResourceVersion !== undefined) throw conflict(rt.plural, rt.group, key.name, STALE_OBJECT);
    await deps.reads.atLeast(outcome.currentSeq);
    confirmed = true;
  }
  throw conflict(rt.plural, rt.group, key.name, 'too many concurrent writers; try again');
}
