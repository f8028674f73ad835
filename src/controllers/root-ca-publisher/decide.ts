/**
 * The root CA publisher's decision (Kubernetes' root-ca-cert-publisher controller), pure:
 * every Active namespace holds a ConfigMap kube-root-ca.crt whose ca.crt is the cluster's
 * CA bundle, so a pod's token volume (admission/service-account.ts projects it as
 * ca.crt) can verify the API server. Given the namespace and its ConfigMap as it is (or
 * undefined), the write to make: create, update (data or description drifted) or none.
 */
import type { KubeObject } from '../../api/object.ts';

export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
export const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
export const DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

export type RootCaAction = { type: 'none' } | { type: 'create'; configMap: KubeObject } | { type: 'update'; configMap: KubeObject };

export function decideRootCaConfigMap(ns: KubeObject, existing: KubeObject | undefined, caBundle: string): RootCaAction {
  const phase = (ns.status as { phase?: string } | undefined)?.phase ?? 'Active';
  if (ns.metadata.deletionTimestamp || phase !== 'Active') return { type: 'none' };
  const namespace = ns.metadata.name!;
  if (!existing) {
    return {
      type: 'create',
      configMap: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: ROOT_CA_CONFIGMAP, namespace, annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION } }, data: { 'ca.crt': caBundle } } as KubeObject,
    };
  }
  const data = (existing as { data?: Record<string, string> }).data ?? {};
  const annotations = existing.metadata.annotations ?? {};
  if (data['ca.crt'] === caBundle && Object.keys(data).length === 1 && annotations[DESCRIPTION_ANNOTATION] === DESCRIPTION) return { type: 'none' };
  return {
    type: 'update',
    configMap: { ...existing, metadata: { ...existing.metadata, annotations: { ...annotations, [DESCRIPTION_ANNOTATION]: DESCRIPTION } }, data: { 'ca.crt': caBundle } } as KubeObject,
  };
}
