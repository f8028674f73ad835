/**
 * The namespaces every cluster has, created by the API server itself once it serves, as
 * kube-apiserver's system namespaces controller does. Creating one that exists is fine.
 */
import { StatusError } from '../api/errors.ts';
import type { Pipeline } from './pipeline.ts';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;

export async function ensureSystemNamespaces(pipeline: Pipeline): Promise<string[]> {
  const created: string[] = [];
  for (const name of SYSTEM_NAMESPACES) {
    try {
      await pipeline.handle({
        verb: 'create',
        resource: 'namespaces',
        body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
      });
      created.push(name);
    } catch (error) {
      if (!(error instanceof StatusError && error.reason === 'AlreadyExists')) throw error;
    }
  }
  return created;
}
