/**
 * Completion indexes of an Indexed Job, as Kubernetes keeps them: the index a pod runs
 * (its batch.kubernetes.io/job-completion-index annotation) and status.completedIndexes,
 * a compressed list of ordered intervals ("1,3-5,7"). Pure.
 */
import type { KubeObject } from '../../api/object.ts';

export const JOB_COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';
export const JOB_COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';

/** The pod's completion index, or undefined when it has none or an unreadable one. */
export function completionIndex(pod: KubeObject): number | undefined {
  const value = pod.metadata.annotations?.[JOB_COMPLETION_INDEX];
  if (value === undefined || !/^(0|[1-9][0-9]*)$/.test(value)) return undefined;
  const index = Number(value);
  return Number.isSafeInteger(index) ? index : undefined;
}

/** The indexes of a completedIndexes string below `completions` (others are ignored, as Kubernetes does). */
export function parseIndexes(text: string | undefined, completions: number): Set<number> {
  const result = new Set<number>();
  if (!text) return result;
  for (const part of text.split(',')) {
    const [first, last] = part.split('-');
    const from = Number(first);
    const to = last === undefined ? from : Number(last);
    if (!Number.isInteger(from) || !Number.isInteger(to)) continue;
    for (let i = Math.max(0, from); i <= Math.min(to, completions - 1); i++) result.add(i);
  }
  return result;
}

/** Indexes as ordered intervals: [0,1,2,4] is "0-2,4". */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The first `count` indexes below `completions` that neither succeeded nor have an active pod. */
export function firstPendingIndexes(count: number, completions: number, succeeded: ReadonlySet<number>, active: ReadonlySet<number>): number[] {
  const result: number[] = [];
  for (let i = 0; i < completions && result.length < count; i++) if (!succeeded.has(i) && !active.has(i)) result.push(i);
  return result;
}
