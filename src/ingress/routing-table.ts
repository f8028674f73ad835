/**
 * The routing table: a pure function of the objects (our IngressClasses, the Ingresses
 * they select, Services and EndpointSlices), and the pure lookup of a request in it.
 *
 * Hosts: a request goes to the rules of its exact host, else of the wildcard that
 * matches it, else to the rules without a host. Within that host, the longest matching
 * path wins, Exact before Prefix at equal length (the Ingress API's precedence). When
 * no path matches, the request goes to the default backend: the spec.defaultBackend of
 * the oldest Ingress that defines that host and has one, else the oldest served
 * Ingress's spec.defaultBackend, else none (404). As in ingress-nginx, a host owns its
 * requests: an unmatched path on a known host does not fall through to host-less rules.
 * Ingresses merge by age (creationTimestamp, then namespace/name): an older Ingress's
 * rule for the same host, path and type wins. Resource backends are not served.
 */
import type { KubeObject } from '../api/object.ts';
import type { Ingress, IngressBackend } from '../api/types.ts';
import { indexServices, resolveBackend, type ResolvedBackend } from './backend-endpoints.ts';
import { isWildcardHost, wildcardSuffix, wildcardSuffixOfRequest } from './host-match.ts';
import { ourClasses, servesIngress } from './ingress-class.ts';
import { matchTypeOf, pathMatches, rulePath, type MatchType } from './path-match.ts';

export interface RoutingObjects {
  ingresses: readonly KubeObject[];
  ingressClasses: readonly KubeObject[];
  services: readonly KubeObject[];
  endpointSlices: readonly KubeObject[];
}

export interface PathRoute {
  path: string;
  type: MatchType;
  backend: ResolvedBackend;
  /** `namespace/name` of the Ingress the rule came from. */
  ingress: string;
}

export interface HostRoutes {
  /** In precedence order: longest path first, Exact before Prefix. */
  paths: PathRoute[];
  defaultBackend?: PathRoute;
}

export interface RoutingTable {
  exactHosts: ReadonlyMap<string, HostRoutes>;
  wildcardHosts: ReadonlyMap<string, HostRoutes>;
  anyHost: HostRoutes;
  defaultBackend?: PathRoute;
  /** `namespace/name` of every Ingress served, oldest first. */
  served: string[];
}

export type RouteMatch = { kind: 'backend'; route: PathRoute } | { kind: 'none' };

export const EMPTY_TABLE: RoutingTable = { exactHosts: new Map(), wildcardHosts: new Map(), anyHost: { paths: [] }, served: [] };

const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

function byAge(a: KubeObject, b: KubeObject): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = keyOf(a);
  const kb = keyOf(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function byPrecedence(a: PathRoute, b: PathRoute): number {
  if (a.path.length !== b.path.length) return b.path.length - a.path.length;
  if (a.type !== b.type) return a.type === 'Exact' ? -1 : 1;
  return 0;
}

interface HostBuilder {
  paths: PathRoute[];
  seen: Set<string>;
  defaultBackend?: PathRoute;
}

export function buildRoutingTable(objects: RoutingObjects, controllerName: string): RoutingTable {
  const classes = ourClasses(objects.ingressClasses, controllerName);
  const ingresses = objects.ingresses.filter((i) => !i.metadata.deletionTimestamp && servesIngress(i, classes)).sort(byAge);
  const index = indexServices(objects.services, objects.endpointSlices);
  const hosts = new Map<string, HostBuilder>();
  let defaultBackend: PathRoute | undefined;

  const hostBuilder = (host: string): HostBuilder => {
    let builder = hosts.get(host);
    if (!builder) hosts.set(host, (builder = { paths: [], seen: new Set() }));
    return builder;
  };

  for (const object of ingresses) {
    const ingress = object as Ingress;
    const namespace = object.metadata.namespace ?? '';
    const ingressKey = keyOf(object);
    const route = (backend: IngressBackend, path: string, type: MatchType): PathRoute | undefined => {
      const resolved = resolveBackend(namespace, backend, index);
      return resolved && { path, type, backend: resolved, ingress: ingressKey };
    };
    const fallback = ingress.spec?.defaultBackend ? route(ingress.spec.defaultBackend, '/', 'Prefix') : undefined;
    defaultBackend ??= fallback;
    for (const rule of ingress.spec?.rules ?? []) {
      const host = (rule.host ?? '').toLowerCase();
      const builder = hostBuilder(host);
      if (host) builder.defaultBackend ??= fallback;
      for (const httpPath of rule.http?.paths ?? []) {
        const type = matchTypeOf(httpPath.pathType);
        const path = rulePath(httpPath.path);
        const identity = `${type} ${path}`;
        if (builder.seen.has(identity)) continue;
        const entry = httpPath.backend && route(httpPath.backend, path, type);
        if (!entry) continue;
        builder.seen.add(identity);
        builder.paths.push(entry);
      }
    }
  }

  const exactHosts = new Map<string, HostRoutes>();
  const wildcardHosts = new Map<string, HostRoutes>();
  let anyHost: HostRoutes = { paths: [] };
  for (const [host, builder] of hosts) {
    const routes: HostRoutes = { paths: [...builder.paths].sort(byPrecedence), ...(builder.defaultBackend ? { defaultBackend: builder.defaultBackend } : {}) };
    if (!host) anyHost = routes;
    else if (isWildcardHost(host)) wildcardHosts.set(wildcardSuffix(host), routes);
    else exactHosts.set(host, routes);
  }
  return { exactHosts, wildcardHosts, anyHost, ...(defaultBackend ? { defaultBackend } : {}), served: ingresses.map(keyOf) };
}

/** The rules a request host is routed by. */
export function hostRoutesFor(table: RoutingTable, requestHost: string): HostRoutes {
  const exact = table.exactHosts.get(requestHost);
  if (exact) return exact;
  const suffix = wildcardSuffixOfRequest(requestHost);
  const wildcard = suffix === undefined ? undefined : table.wildcardHosts.get(suffix);
  return wildcard ?? table.anyHost;
}

/** Where a request for `requestHost` (lower case, no port) and `requestPath` goes. */
export function routeRequest(table: RoutingTable, requestHost: string, requestPath: string): RouteMatch {
  const routes = hostRoutesFor(table, requestHost);
  const matched = routes.paths.find((p) => pathMatches(p.type, p.path, requestPath));
  const route = matched ?? routes.defaultBackend ?? table.defaultBackend;
  return route ? { kind: 'backend', route } : { kind: 'none' };
}
