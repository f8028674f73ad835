/**
 * A request's target -> a URL, pure. The target is a path ("/api/v1//pods?limit=1"), so
 * it is read as one: resolving it against a base would take "//x" for a host and fail on
 * "///". The absolute form a proxy sends is read as such; anything else is a 400.
 */
import { badRequest } from '../api/errors.ts';

const ORIGIN = 'http://localhost';

export function requestUrl(target: string | undefined): URL {
  const raw = target ?? '/';
  try {
    return raw.startsWith('/') ? new URL(`${ORIGIN}${raw}`) : new URL(raw);
  } catch {
    throw badRequest(`malformed request target: ${JSON.stringify(raw.slice(0, 200))}`);
  }
}
