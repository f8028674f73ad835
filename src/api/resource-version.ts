/**
 * A resourceVersion given by a client, as a revision of the log. Kubernetes parses it as
 * a uint64 and answers a bad one with 400; jetkube's revisions are stream sequences held
 * as JavaScript numbers, so one past 2^53 cannot be a revision either (and must not be
 * rounded into one that waits for the future).
 */
import { badRequest } from './errors.ts';

export function parseResourceVersion(text: string): number {
  const revision = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(revision)) throw badRequest(`invalid resourceVersion: ${JSON.stringify(text)}`);
  return revision;
}
