/**
 * A URL path -> what it names, pure: the version and health endpoints, the discovery
 * documents, or a resource path (/api/v1/namespaces/ns/pods/name/status,
 * /apis/apps/v1/deployments, the legacy /api/v1/watch/... form). Which resources exist
 * is decided later, against the registry; this only reads the shape of the path.
 */
export type HealthCheck = 'healthz' | 'livez' | 'readyz';

export type Route =
  | { kind: 'version' }
  | { kind: 'health'; check: HealthCheck; detail?: string }
  | { kind: 'apiVersions' }
  | { kind: 'apiGroups' }
  | { kind: 'group'; group: string }
  | { kind: 'resourceList'; group: string; version: string }
  | ResourcePath
  | { kind: 'openapi'; path: string }
  | { kind: 'metrics' }
  /** The web dashboard (src/dashboard): `path` is what follows /dashboard. */
  | { kind: 'dashboard'; path: string }
  | { kind: 'unknown' };

export interface ResourcePath {
  kind: 'resource';
  group: string;
  version: string;
  plural: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** The legacy /watch/ prefix, which makes a GET a watch. */
  watchPrefix: boolean;
}

/** Subresources of a namespace itself: /api/v1/namespaces/{name}/{status|finalize}. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

export function parseRoute(pathname: string): Route {
  const segments = pathname.split('/').filter((s) => s !== '').map(safeDecode);
  if (segments.some((s) => s === undefined || s === '.' || s === '..')) return { kind: 'unknown' };
  const parts = segments as string[];
  const [first, ...rest] = parts;
  switch (first) {
    case 'version':
      return rest.length === 0 ? { kind: 'version' } : { kind: 'unknown' };
    case 'healthz':
    case 'livez':
    case 'readyz':
      return rest.length <= 1 ? { kind: 'health', check: first, ...(rest[0] ? { detail: rest[0] } : {}) } : { kind: 'unknown' };
    case 'openapi':
      return { kind: 'openapi', path: pathname };
    case 'metrics':
      return rest.length === 0 ? { kind: 'metrics' } : { kind: 'unknown' };
    case 'dashboard':
      return { kind: 'dashboard', path: pathname.slice('/dashboard'.length) };
    case 'api':
      if (rest.length === 0) return { kind: 'apiVersions' };
      return underVersion('', rest[0]!, rest.slice(1));
    case 'apis':
      if (rest.length === 0) return { kind: 'apiGroups' };
      if (rest.length === 1) return { kind: 'group', group: rest[0]! };
      return underVersion(rest[0]!, rest[1]!, rest.slice(2));
    default:
      return { kind: 'unknown' };
  }
}

function underVersion(group: string, version: string, path: string[]): Route {
  if (path.length === 0) return { kind: 'resourceList', group, version };
  const watchPrefix = path[0] === 'watch';
  const p = watchPrefix ? path.slice(1) : path;
  const at = (plural: string | undefined, namespace?: string, name?: string, subresource?: string): Route =>
    plural
      ? {
          kind: 'resource',
          group,
          version,
          plural,
          watchPrefix,
          ...(namespace !== undefined ? { namespace } : {}),
          ...(name !== undefined ? { name } : {}),
          ...(subresource !== undefined ? { subresource } : {}),
        }
      : { kind: 'unknown' };
  if (p[0] === 'namespaces' && p.length >= 3) {
    // /namespaces/{name}/status is the namespace's own subresource; otherwise {ns}/{resource}.
    if (p.length === 3 && NAMESPACE_SUBRESOURCES.has(p[2]!)) return at('namespaces', undefined, p[1], p[2]);
    if (p.length > 5) return { kind: 'unknown' };
    return at(p[2], p[1], p[3], p[4]);
  }
  if (p.length > 3) return { kind: 'unknown' };
  return at(p[0], undefined, p[1], p[2]);
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
