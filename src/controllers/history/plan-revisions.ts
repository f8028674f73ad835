/**
 * Which ControllerRevision stands for a parent's current template, and the one write
 * that makes the history say so (StatefulSet's getStatefulSetRevisions, DaemonSet's
 * constructHistory): an existing revision with the same data is reused (and given the
 * next number unless it is already the newest, which is what a rollback looks like);
 * otherwise a new one is created with the next number. A different revision already
 * holding the new one's name is a hash collision: the parent's collisionCount has to
 * grow before anything else happens. Pure.
 */
import type { KubeObject } from '../../api/object.ts';
import { equalRevision, newRevision, nextRevision } from './revision.ts';

export type RevisionWrite =
  | { type: 'createRevision'; revision: KubeObject }
  | { type: 'renumberRevision'; revision: KubeObject; to: number };

export interface RevisionPlan {
  /** The revision of the parent's template, as it will be once `write` is done. */
  update: KubeObject;
  write?: RevisionWrite;
  /** A name clash with different data: bump status.collisionCount and decide again. */
  collided: boolean;
}

/**
 * @param owned the parent's revisions, sorted oldest first
 * @param namespaceRevisions every revision of the namespace (a name clash may be with one the parent does not own)
 */
export function planRevisions(parent: KubeObject, owned: readonly KubeObject[], namespaceRevisions: readonly KubeObject[], collisionCount: number): RevisionPlan {
  const next = nextRevision(owned);
  const candidate = newRevision(parent, next, collisionCount);
  const equal = owned.filter((r) => equalRevision(r, candidate));
  if (equal.length > 0) {
    const found = equal[equal.length - 1]!;
    if (found === owned[owned.length - 1]) return { update: found, collided: false };
    const renumbered = { ...found, revision: next } as KubeObject;
    return { update: renumbered, write: { type: 'renumberRevision', revision: found, to: next }, collided: false };
  }
  const clash = namespaceRevisions.find((r) => r.metadata.name === candidate.metadata.name);
  if (clash) return { update: candidate, collided: true };
  return { update: candidate, write: { type: 'createRevision', revision: candidate }, collided: false };
}
