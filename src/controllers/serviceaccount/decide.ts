/**
 * The ServiceAccounts controller's decision (Kubernetes' serviceaccounts controller),
 * pure: given a namespace and the names of the service accounts it holds, which of the
 * wanted accounts (`default`) must be created? Only an Active namespace gets any: one
 * being deleted refuses new content, and its accounts go with it. Tokens are not this
 * controller's business (they come with the security issue).
 */
import type { KubeObject } from '../../api/object.ts';

export const DEFAULT_SERVICE_ACCOUNTS: readonly string[] = ['default'];

export function decideServiceAccounts(ns: KubeObject, existing: ReadonlySet<string>, wanted: readonly string[] = DEFAULT_SERVICE_ACCOUNTS): KubeObject[] {
  const phase = (ns.status as { phase?: string } | undefined)?.phase ?? 'Active';
  if (ns.metadata.deletionTimestamp || phase !== 'Active') return [];
  const namespace = ns.metadata.name!;
  return wanted
    .filter((name) => !existing.has(name))
    .map((name) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } }));
}
