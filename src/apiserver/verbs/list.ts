/**
 * list: every object of a resource that passes the request's selection, read from the
 * store at one revision. resourceVersion "" asks for a consistent read (the log's newest
 * revision), "0" takes whatever the store has, N anything not older than N. A limit cuts
 * pages; each continue token carries the first page's revision, and later pages come from
 * the items kept at that revision (list-snapshots.ts), or, on an API server that does not
 * have them, from the store as it was then (undoing newer changes from the watch cache),
 * answered 410 Expired once the cache no longer reaches back that far, as Kubernetes does.
 * remainingItemCount is exact without selectors and left out with them, as Kubernetes
 * does, so a page costs O(log n + page), not O(n).
 */
import { badRequest, expired } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import type { ResourceType } from '../../api/resource-type.ts';
import { parseResourceVersion } from '../../api/resource-version.ts';
import type { ApiDeps } from '../deps.ts';
import { decodeContinue, encodeContinue, type ContinueToken } from '../continue-token.ts';
import { objectFilter } from '../object-filter.ts';
import type { ApiReply, ApiRequest, ObjectList } from '../request.ts';
import { resolveResource } from '../resolve.ts';

export async function list(deps: ApiDeps, request: ApiRequest): Promise<ApiReply> {
  const rt = resolveResource(request);
  return { ok: true, body: await listObjects(deps, rt, request) };
}

export async function listObjects(deps: ApiDeps, rt: ResourceType, request: ApiRequest): Promise<ObjectList> {
  const options = request.options ?? {};
  const token = options.continue ? decodeContinue(options.continue) : undefined;
  const limit = options.limit ?? 0;
  if (!Number.isSafeInteger(limit) || limit < 0) throw badRequest(`limit must be a non-negative integer: ${limit}`);
  if (token && options.resourceVersion) {
    throw badRequest('specifying resource version is not allowed when using continue');
  }

  const namespace = namespaceOf(rt, request);
  const { items, revision } = token ? pagedSnapshot(deps, rt, request, token) : await currentSnapshot(deps, rt, request);
  const filter = objectFilter(rt, request);
  const selecting = Boolean(options.labelSelector || options.fieldSelector);
  const selected: KubeObject[] = [];
  let index = token ? firstAfter(items, token.after) : 0;
  for (; index < items.length && (limit === 0 || selected.length < limit); index++) {
    if (filter(items[index]!)) selected.push(items[index]!);
  }
  // More to come? Without selectors every item left is one; with them, find the next match.
  while (selecting && index < items.length && !filter(items[index]!)) index++;
  const metadata: ObjectList['metadata'] = { resourceVersion: String(revision) };
  const last = selected[selected.length - 1];
  if (index < items.length && last) {
    metadata.continue = encodeContinue({ revision, after: itemKey(last) });
    if (!selecting) metadata.remainingItemCount = items.length - index;
    if (!token) deps.listSnapshots.put(rt.key, namespace, revision, items);
  }
  return { apiVersion: rt.apiVersion, kind: `${rt.kind}List`, metadata, items: selected };
}

function pagedSnapshot(deps: ApiDeps, rt: ResourceType, request: ApiRequest, token: ContinueToken) {
  const namespace = namespaceOf(rt, request);
  const kept = deps.listSnapshots.get(rt.key, namespace, token.revision);
  if (kept) return { items: kept, revision: token.revision };
  const rebuilt = snapshotAt(deps, rt, request, token);
  deps.listSnapshots.put(rt.key, namespace, token.revision, rebuilt.items);
  return rebuilt;
}

/** The index of the first item after `after` ("namespace/name") in items sorted by compareItems. */
function firstAfter(items: readonly KubeObject[], after: string): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (isAfter(items[mid]!, after)) high = mid;
    else low = mid + 1;
  }
  return low;
}

async function currentSnapshot(deps: ApiDeps, rt: ResourceType, request: ApiRequest) {
  const version = request.options?.resourceVersion;
  if (version === undefined || version === '') await deps.reads.consistent();
  else if (version !== '0') await deps.reads.atLeast(parseResourceVersion(version));
  return deps.store.list(rt.key, namespaceOf(rt, request));
}

function snapshotAt(deps: ApiDeps, rt: ResourceType, request: ApiRequest, token: ContinueToken) {
  const current = deps.store.list(rt.key, namespaceOf(rt, request));
  if (current.revision === token.revision) return current;
  const changes = deps.watchCache.changesSince(token.revision, rt.key);
  if (!changes) {
    throw expired(
      'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
    );
  }
  return { items: undoChanges(current.items, changes, namespaceOf(rt, request)), revision: token.revision };
}

/**
 * The objects as they were before `changes` (oldest first): for each key the first change
 * after the revision holds the object as it was then (undefined when it did not exist).
 */
export function undoChanges(
  items: readonly KubeObject[],
  changes: readonly { key: { namespace: string; name: string }; previous?: KubeObject }[],
  namespace?: string,
): KubeObject[] {
  const byKey = new Map(items.map((item) => [itemKey(item), item] as const));
  const undone = new Set<string>();
  for (const change of changes) {
    if (namespace !== undefined && change.key.namespace !== namespace) continue;
    const key = `${change.key.namespace}/${change.key.name}`;
    if (undone.has(key)) continue;
    undone.add(key);
    if (change.previous) byKey.set(key, change.previous);
    else byKey.delete(key);
  }
  return [...byKey.values()].sort(compareItems);
}

function namespaceOf(rt: ResourceType, request: ApiRequest): string | undefined {
  return rt.namespaced && request.namespace ? request.namespace : undefined;
}

function itemKey(item: KubeObject): string {
  return `${item.metadata.namespace ?? ''}/${item.metadata.name ?? ''}`;
}

/** Lists are ordered by namespace, then name (plain code-unit order, as the store keeps them). */
export function compareItems(a: KubeObject, b: KubeObject): number {
  const an = a.metadata.namespace ?? '';
  const bn = b.metadata.namespace ?? '';
  if (an !== bn) return an < bn ? -1 : 1;
  const a2 = a.metadata.name ?? '';
  const b2 = b.metadata.name ?? '';
  return a2 < b2 ? -1 : a2 > b2 ? 1 : 0;
}

function isAfter(item: KubeObject, after: string): boolean {
  const slash = after.indexOf('/');
  const ns = after.slice(0, slash);
  const name = after.slice(slash + 1);
  const itemNs = item.metadata.namespace ?? '';
  return itemNs > ns || (itemNs === ns && (item.metadata.name ?? '') > name);
}
