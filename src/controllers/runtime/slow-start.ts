/**
 * Kubernetes' slowStartBatch: creates in batches of 1, 2, 4, ... so that a template the
 * API server refuses costs one failed create rather than hundreds. The first batch with a
 * failure is the last one tried; the caller learns what failed and how many were never
 * tried (both lower its expectations).
 */
export async function slowStartBatches<T>(items: readonly T[], create: (item: T) => Promise<unknown>): Promise<{ failures: unknown[]; untried: number }> {
  const failures: unknown[] = [];
  let next = 0;
  for (let batch = 1; next < items.length; batch *= 2) {
    const slice = items.slice(next, next + batch);
    next += slice.length;
    for (const result of await Promise.allSettled(slice.map(create))) {
      if (result.status === 'rejected') failures.push(result.reason);
    }
    if (failures.length > 0) return { failures, untried: items.length - next };
  }
  return { failures, untried: 0 };
}
