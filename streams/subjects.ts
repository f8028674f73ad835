/**
 * Every subject of the registry log, spelled once. A change to an object is one message
 * on `registry.<resource>.<namespace>.<name>`: exactly four tokens, each passed through
 * encodeToken, with `_` standing for the namespace of cluster-scoped kinds (`_` decodes
 * to ".", which is no valid namespace, so it is free). Filters follow from the shape:
 * `registry.>`, `registry.<resource>.>`, `registry.<resource>.<namespace>.*`.
 *
 * The names are a value (RegistryNames) so that benchmarks and tests can run a second log
 * beside the real one on one server; production code uses the defaults.
 */
import type { ObjectKey } from '../src/api/object.ts';
import { decodeToken, encodeToken } from './token.ts';

export const REGISTRY_STREAM = 'REGISTRY';
export const REGISTRY_PREFIX = 'registry';

export interface RegistryNames {
  /** The JetStream stream name. */
  readonly stream: string;
  /** The first subject token (one plain token). */
  readonly prefix: string;
}

export const REGISTRY: RegistryNames = { stream: REGISTRY_STREAM, prefix: REGISTRY_PREFIX };

const CLUSTER_SCOPE = '_';

/** Which part of the log to read: all of it, one resource, or one namespace of one resource. */
export interface LogFilter {
  resource?: string;
  namespace?: string;
}

export function namespaceToken(namespace: string): string {
  if (namespace === '') return CLUSTER_SCOPE;
  if (namespace === '.') throw new Error('"." is not a namespace');
  return encodeToken(namespace);
}

export function registrySubject(key: ObjectKey, names: RegistryNames = REGISTRY): string {
  return `${names.prefix}.${encodeToken(key.resource)}.${namespaceToken(key.namespace)}.${encodeToken(key.name)}`;
}

export function parseRegistrySubject(subject: string, names: RegistryNames = REGISTRY): ObjectKey {
  const parts = subject.split('.');
  if (parts.length !== 4 || parts[0] !== names.prefix) {
    throw new Error(`not a registry subject: ${JSON.stringify(subject)}`);
  }
  const [, resource, namespace, name] = parts as [string, string, string, string];
  return {
    resource: decodeToken(resource),
    namespace: namespace === CLUSTER_SCOPE ? '' : decodeToken(namespace),
    name: decodeToken(name),
  };
}

/** `registry.>`, `registry.<res>.>` or `registry.<res>.<ns>.*`; a namespace needs a resource. */
export function registryFilter(resource?: string, namespace?: string, names: RegistryNames = REGISTRY): string {
  if (resource === undefined) {
    if (namespace !== undefined) throw new Error('a namespace filter needs a resource');
    return `${names.prefix}.>`;
  }
  if (namespace === undefined) return `${names.prefix}.${encodeToken(resource)}.>`;
  return `${names.prefix}.${encodeToken(resource)}.${namespaceToken(namespace)}.*`;
}

export function logFilterSubject(filter: LogFilter | undefined, names: RegistryNames = REGISTRY): string {
  return registryFilter(filter?.resource, filter?.namespace, names);
}
