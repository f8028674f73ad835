/**
 * ControllerRevisions, as Kubernetes' controller/history package keeps them for
 * StatefulSets and DaemonSets: a revision holds the strategic-merge patch that restores
 * its parent's pod template (`{"spec":{"template":{..., "$patch":"replace"}}}`, the
 * shape `kubectl rollout history/undo` reads and applies), is named `<parent>-<hash>`,
 * wears the template's labels plus controller-revision-hash, is controlled by its
 * parent, and carries a revision number that only grows. The hash is FNV-1a over the
 * data with the collision count, so two templates never share a name unless they
 * collide, and a collision moves the name. Pure.
 */
import type { KubeObject } from '../../api/object.ts';
import { canonicalJson, computeHash } from '../deployment/hash.ts';
import { controllerRef, newControllerRef } from '../runtime/owner.ts';

export const CONTROLLER_REVISIONS = 'controllerrevisions.apps';
export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';
const MAX_PREFIX = 223;

export interface RevisionData {
  spec: { template: Record<string, unknown> };
}

interface ParentSpec {
  template?: { metadata?: { labels?: Record<string, string> } } & Record<string, unknown>;
}

const specOf = (parent: KubeObject) => (parent.spec ?? {}) as ParentSpec;

/** getPatch: the patch that puts the parent's current template back, replacing it whole. */
export function revisionData(parent: KubeObject): RevisionData {
  const template = structuredClone(specOf(parent).template ?? {}) as Record<string, unknown>;
  return { spec: { template: { ...template, $patch: 'replace' } } };
}

/** The template a revision restores ($patch removed). */
export function templateOf(revision: KubeObject): Record<string, unknown> {
  const data = (revision as { data?: Partial<RevisionData> }).data;
  const { $patch: _replace, ...template } = (data?.spec?.template ?? {}) as Record<string, unknown>;
  return structuredClone(template);
}

/** The parent as it would be with the revision's template (ApplyRevision). */
export function applyRevision(parent: KubeObject, revision: KubeObject): KubeObject {
  const copy = structuredClone(parent);
  copy.spec = { ...(copy.spec as Record<string, unknown>), template: templateOf(revision) };
  return copy;
}

export const revisionNumber = (revision: KubeObject): number => Number((revision as { revision?: number }).revision ?? 0);

export function hashRevisionData(data: unknown, collisionCount?: number): string {
  return computeHash(data, collisionCount);
}

/** ControllerRevisionName: `<prefix>-<hash>`, the prefix cut so the name stays a valid one. */
export function controllerRevisionName(prefix: string, hash: string): string {
  return `${prefix.length > MAX_PREFIX ? prefix.slice(0, MAX_PREFIX) : prefix}-${hash}`;
}

/** NewControllerRevision for the parent's current template. */
export function newRevision(parent: KubeObject, revision: number, collisionCount?: number): KubeObject {
  const data = revisionData(parent);
  const hash = hashRevisionData(data, collisionCount);
  const labels = { ...(specOf(parent).template?.metadata?.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash };
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: controllerRevisionName(parent.metadata.name!, hash),
      namespace: parent.metadata.namespace,
      labels,
      ownerReferences: [newControllerRef(parent)],
    },
    data,
    revision,
  } as KubeObject;
}

/** EqualRevision: the same template (the hash label is only a shortcut in Kubernetes; data decides). */
export function equalRevision(a: KubeObject | undefined, b: KubeObject | undefined): boolean {
  if (!a || !b) return false;
  return canonicalJson((a as { data?: unknown }).data ?? null) === canonicalJson((b as { data?: unknown }).data ?? null);
}

/** The parent's revisions (those it controls), oldest revision first (ties by creation, then name). */
export function ownedRevisions(parent: KubeObject, revisionsInNamespace: readonly KubeObject[]): KubeObject[] {
  return sortRevisions(revisionsInNamespace.filter((r) => controllerRef(r)?.uid === parent.metadata.uid));
}

export function sortRevisions(revisions: readonly KubeObject[]): KubeObject[] {
  return [...revisions].sort(
    (a, b) =>
      revisionNumber(a) - revisionNumber(b) ||
      (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
      (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
  );
}

/** NextRevision: one more than the newest (1 for the first). */
export function nextRevision(sorted: readonly KubeObject[]): number {
  return sorted.length === 0 ? 1 : revisionNumber(sorted[sorted.length - 1]!) + 1;
}

/**
 * Old revisions to delete so that at most `limit` unused ones remain (truncateHistory):
 * revisions in `live` (referenced by a pod, or current, or the update target) are never
 * deleted, the oldest of the others go first.
 */
export function revisionsToTruncate(sorted: readonly KubeObject[], live: ReadonlySet<string>, limit: number): KubeObject[] {
  const unused = sorted.filter((r) => !live.has(r.metadata.name!));
  const excess = unused.length - Math.max(0, limit);
  return excess > 0 ? unused.slice(0, excess) : [];
}
