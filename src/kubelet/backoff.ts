/**
 * Restart back-off, as kubelet's flowcontrol.Backoff keyed by pod and container: the
 * first restart of a container is immediate and arms the base delay (10 s); every later
 * crash waits the armed delay and doubles it, up to 5 min. A container that ran at least
 * resetAfterMs (10 min) before it exited starts over from the first step. Pure.
 * The same shape paces image pulls (ErrImagePull -> ImagePullBackOff).
 */

export interface BackoffConfig {
  baseMs: number;
  maxMs: number;
  /** A run at least this long forgets earlier crashes. */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffConfig = { baseMs: 10_000, maxMs: 300_000, resetAfterMs: 600_000 };

/** The delay the next failure will wait; absent before the first failure. */
export interface BackoffEntry {
  delayMs: number;
}

export interface BackoffStep {
  /** How long to wait before the restart (0: at once). */
  waitMs: number;
  entry: BackoffEntry;
}

/** One more failure of something that ran for ranMs (0 for a failed pull or start). */
export function nextBackoff(entry: BackoffEntry | undefined, ranMs: number, config: BackoffConfig = DEFAULT_BACKOFF): BackoffStep {
  if (!entry || ranMs >= config.resetAfterMs) return { waitMs: 0, entry: { delayMs: Math.min(config.baseMs, config.maxMs) } };
  return { waitMs: entry.delayMs, entry: { delayMs: Math.min(entry.delayMs * 2, config.maxMs) } };
}

/** Like nextBackoff, but the first failure already waits (pulls and failed starts are retried on the pod's resync, never in a tight loop). */
export function nextRetryBackoff(entry: BackoffEntry | undefined, config: BackoffConfig = DEFAULT_BACKOFF): BackoffStep {
  const waitMs = entry ? entry.delayMs : Math.min(config.baseMs, config.maxMs);
  return { waitMs, entry: { delayMs: Math.min(waitMs * 2, config.maxMs) } };
}
