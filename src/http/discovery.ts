/**
 * The discovery documents, generated from the resource registry and nothing else (pure):
 * /api (APIVersions), /apis (APIGroupList), /api/v1 and /apis/<g>/<v> (APIResourceList),
 * and the aggregated apidiscovery.k8s.io/v2 lists that answer /api and /apis in one trip
 * when kubectl asks for them. Both forms stay served: client libraries use the plain ones.
 */
import { RESOURCES } from '../api/registry.ts';
import type { ResourceType } from '../api/resource-type.ts';
import { SERVED_VERSIONS } from '../api/served-versions.ts';

/** Every served type: the stored versions, then versions served by conversion (a group prefers its stored one). */
const SERVED: readonly ResourceType[] = [...RESOURCES, ...SERVED_VERSIONS.map((v) => v.type)];

interface Gvk {
  group: string;
  version: string;
  kind: string;
}

/** What each subresource answers with and which verbs it takes, as Kubernetes publishes them. */
function subresourceShape(rt: ResourceType, sub: string): { kind: Gvk; verbs: string[] } {
  const own = { group: rt.group, version: rt.version, kind: rt.kind };
  const core = (kind: string) => ({ group: '', version: 'v1', kind });
  switch (sub) {
    case 'status':
    case 'ephemeralcontainers':
      return { kind: own, verbs: ['get', 'patch', 'update'] };
    case 'scale':
      return { kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] };
    case 'finalize':
      return { kind: own, verbs: ['update'] };
    case 'binding':
      return { kind: core('Binding'), verbs: ['create'] };
    case 'eviction':
      return { kind: { group: 'policy', version: 'v1', kind: 'Eviction' }, verbs: ['create'] };
    case 'log':
      return { kind: own, verbs: ['get'] };
    case 'exec':
      return { kind: core('PodExecOptions'), verbs: ['create', 'get'] };
    case 'attach':
      return { kind: core('PodAttachOptions'), verbs: ['create', 'get'] };
    case 'portforward':
      return { kind: core('PodPortForwardOptions'), verbs: ['create', 'get'] };
    case 'proxy':
      return { kind: core(`${rt.kind}ProxyOptions`), verbs: ['create', 'delete', 'get', 'patch', 'update'] };
    case 'token':
      return { kind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' }, verbs: ['create'] };
    default:
      return { kind: own, verbs: ['get'] };
  }
}

const groupVersion = (group: string, version: string) => (group ? `${group}/${version}` : version);

/** Groups other than core, in registry order, each with its versions (preferred first). */
export function apiGroups(): { name: string; versions: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const rt of SERVED) {
    if (rt.group === '') continue;
    const versions = groups.get(rt.group) ?? [];
    if (!versions.includes(rt.version)) versions.push(rt.version);
    groups.set(rt.group, versions);
  }
  return [...groups].map(([name, versions]) => ({ name, versions }));
}

export function apiVersions(serverAddress: string) {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupEntry(name: string, versions: string[]) {
  const entries = versions.map((version) => ({ groupVersion: groupVersion(name, version), version }));
  return { name, versions: entries, preferredVersion: entries[0]! };
}

export function apiGroupList() {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: apiGroups().map((g) => groupEntry(g.name, g.versions)) };
}

export function apiGroup(name: string) {
  const found = apiGroups().find((g) => g.name === name);
  return found ? { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(found.name, found.versions) } : undefined;
}

const inVersion = (group: string, version: string) => SERVED.filter((rt) => rt.group === group && rt.version === version);

export function apiResourceList(group: string, version: string) {
  const types = inVersion(group, version);
  if (types.length === 0) return undefined;
  const resources = types.flatMap((rt) => [
    {
      name: rt.plural,
      singularName: rt.singular,
      namespaced: rt.namespaced,
      kind: rt.kind,
      verbs: rt.verbs,
      ...(rt.shortNames.length > 0 ? { shortNames: rt.shortNames } : {}),
      ...(rt.categories.length > 0 ? { categories: rt.categories } : {}),
    },
    ...rt.subresources.map((sub) => {
      const shape = subresourceShape(rt, sub);
      return {
        name: `${rt.plural}/${sub}`,
        singularName: '',
        namespaced: rt.namespaced,
        ...(shape.kind.group !== rt.group ? { group: shape.kind.group } : {}),
        ...(shape.kind.version !== rt.version ? { version: shape.kind.version } : {}),
        kind: shape.kind.kind,
        verbs: shape.verbs,
      };
    }),
  ]);
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion(group, version), resources };
}

function discoveryVersion(group: string, version: string) {
  return {
    version,
    freshness: 'Current',
    resources: inVersion(group, version).map((rt) => ({
      resource: rt.plural,
      responseKind: { group: rt.group, version: rt.version, kind: rt.kind },
      scope: rt.namespaced ? 'Namespaced' : 'Cluster',
      singularResource: rt.singular,
      verbs: rt.verbs,
      ...(rt.shortNames.length > 0 ? { shortNames: rt.shortNames } : {}),
      ...(rt.categories.length > 0 ? { categories: rt.categories } : {}),
      subresources: rt.subresources.map((sub) => {
        const shape = subresourceShape(rt, sub);
        return { subresource: sub, responseKind: shape.kind, verbs: shape.verbs };
      }),
    })),
  };
}

function discoveryList(groups: { name: string; versions: string[] }[]) {
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: groups.map((g) => ({
      metadata: { name: g.name, creationTimestamp: null },
      versions: g.versions.map((v) => discoveryVersion(g.name, v)),
    })),
  };
}

/** /api in aggregated form: the core group alone. */
export const aggregatedCore = () => discoveryList([{ name: '', versions: ['v1'] }]);

/** /apis in aggregated form: every named group. */
export const aggregatedGroups = () => discoveryList(apiGroups());
