/**
 * The kubelet's side of a projected serviceAccountToken source: a TokenRequest for the
 * pod's ServiceAccount, bound to the pod (name and uid), so the token dies with the pod.
 * A cluster without a token signer (no PKI: the API answers serviceaccounts/token with
 * 404 while the ServiceAccount exists) gets no token file rather than a pod that never
 * starts; every other failure fails the mount, and kubelet retries it.
 */
import { StatusError } from '../api/errors.ts';
import { isPlainObject, type KubeObject } from '../api/object.ts';
import type { ApiClient } from '../client/api-client.ts';
import type { VolumeSources } from '../runtime/volumes.ts';

export function serviceAccountTokenSource(client: Pick<ApiClient, 'send' | 'get'>, pod: KubeObject): NonNullable<VolumeSources['serviceAccountToken']> {
  const namespace = pod.metadata.namespace ?? 'default';
  const spec = isPlainObject(pod.spec) ? pod.spec : {};
  const account = typeof spec.serviceAccountName === 'string' && spec.serviceAccountName ? spec.serviceAccountName : 'default';
  return async ({ audience, expirationSeconds }) => {
    const body = {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      metadata: { name: account, namespace },
      spec: {
        ...(audience ? { audiences: [audience] } : {}),
        expirationSeconds,
        boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: pod.metadata.name, uid: pod.metadata.uid },
      },
    } as unknown as KubeObject;
    try {
      const reply = await client.send({ verb: 'create', resource: 'serviceaccounts', subresource: 'token', namespace, name: account, body });
      const status = isPlainObject((reply as KubeObject).status) ? ((reply as KubeObject).status as Record<string, unknown>) : {};
      if (typeof status.token !== 'string') throw new Error(`the TokenRequest for service account ${namespace}/${account} returned no token`);
      return status.token;
    } catch (error) {
      if (error instanceof StatusError && error.code === 404 && (await accountExists(client, namespace, account))) return undefined;
      throw error;
    }
  };
}

async function accountExists(client: Pick<ApiClient, 'get'>, namespace: string, name: string): Promise<boolean> {
  try {
    await client.get('serviceaccounts', namespace, name);
    return true;
  } catch {
    return false;
  }
}
