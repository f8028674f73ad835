/**
 * A StatefulSet pod's identity and storage, as Kubernetes' stateful_set_utils: the pod
 * of ordinal i is `<set>-<i>`, labelled with its name, index and revision, with
 * hostname = its name and subdomain = spec.serviceName (the headless service's per-pod
 * DNS name); each volumeClaimTemplate gives it the claim `<template>-<set>-<i>`, which
 * replaces a pod volume of the template's name. Also the pod facts the controller
 * reads (running and ready, available, terminating, failed). Pure.
 */
import type { KubeObject, OwnerReference } from '../../api/object.ts';
import type { LabelSelector } from '../../api/selectors.ts';
import { CONTROLLER_REVISION_HASH_LABEL } from '../history/revision.ts';
import { isPodAvailable, isPodReady } from '../replicaset/pods.ts';
import { newControllerRef } from '../runtime/owner.ts';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

export interface StatefulSetSpec {
  replicas?: number;
  selector?: LabelSelector;
  serviceName?: string;
  podManagementPolicy?: 'OrderedReady' | 'Parallel';
  updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete'; rollingUpdate?: { partition?: number; maxUnavailable?: number | string } };
  revisionHistoryLimit?: number;
  minReadySeconds?: number;
  ordinals?: { start?: number };
  persistentVolumeClaimRetentionPolicy?: { whenDeleted?: 'Retain' | 'Delete'; whenScaled?: 'Retain' | 'Delete' };
  template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, unknown> };
  volumeClaimTemplates?: KubeObject[];
}

export const setSpec = (set: KubeObject): StatefulSetSpec => (set.spec ?? {}) as StatefulSetSpec;
export const startOrdinal = (set: KubeObject): number => setSpec(set).ordinals?.start ?? 0;

const ORDINAL = /^(.*)-(\d+)$/;

/** The ordinal a pod's name carries, or -1 (getParentNameAndOrdinal). */
export function ordinalOf(pod: KubeObject): number {
  const m = ORDINAL.exec(pod.metadata.name ?? '');
  return m ? Number(m[2]) : -1;
}

/** isMemberOf: the name is `<set>-<ordinal>`. */
export function isMemberOf(set: KubeObject, pod: KubeObject): boolean {
  const m = ORDINAL.exec(pod.metadata.name ?? '');
  return !!m && m[1] === set.metadata.name;
}

export const podName = (set: KubeObject, ordinal: number): string => `${set.metadata.name}-${ordinal}`;
export const claimName = (set: KubeObject, template: KubeObject, ordinal: number): string => `${template.metadata.name}-${set.metadata.name}-${ordinal}`;
export const podRevision = (pod: KubeObject): string | undefined => pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];

const status = (pod: KubeObject) => (pod.status ?? {}) as { phase?: string };
export const isTerminating = (pod: KubeObject): boolean => !!pod.metadata.deletionTimestamp;
export const isFailedOrSucceeded = (pod: KubeObject): boolean => status(pod).phase === 'Failed' || status(pod).phase === 'Succeeded';
export const isRunningAndReady = (pod: KubeObject): boolean => status(pod).phase === 'Running' && isPodReady(pod);
export const isRunningAndAvailable = (pod: KubeObject, minReadySeconds: number, now: number): boolean =>
  status(pod).phase === 'Running' && isPodAvailable(pod, minReadySeconds, now);
/** isHealthy: running, ready and not on its way out. */
export const isHealthy = (pod: KubeObject): boolean => isRunningAndReady(pod) && !isTerminating(pod);

/** The claims the pod of this ordinal uses, one per volumeClaimTemplate, as new PVCs (without owner references). */
export function claimsFor(set: KubeObject, ordinal: number): KubeObject[] {
  const spec = setSpec(set);
  return (spec.volumeClaimTemplates ?? []).map((template) => {
    const labels = { ...(template.metadata.labels ?? {}), ...(spec.selector?.matchLabels ?? {}) };
    const claim: KubeObject = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: claimName(set, template, ordinal), namespace: set.metadata.namespace, labels },
      spec: structuredClone(template.spec ?? {}),
    };
    if (template.metadata.annotations) claim.metadata.annotations = { ...template.metadata.annotations };
    return claim;
  });
}

/** newStatefulSetPod from a set whose template is the revision's, then setPodRevision. */
export function newStatefulSetPod(set: KubeObject, ordinal: number, revisionName: string): KubeObject {
  const spec = setSpec(set);
  const template = spec.template ?? {};
  const name = podName(set, ordinal);
  const labels = {
    ...(template.metadata?.labels ?? {}),
    [POD_NAME_LABEL]: name,
    [POD_INDEX_LABEL]: String(ordinal),
    [CONTROLLER_REVISION_HASH_LABEL]: revisionName,
  };
  const podSpec = structuredClone(template.spec ?? {}) as Record<string, unknown>;
  podSpec.hostname = name;
  if (spec.serviceName) podSpec.subdomain = spec.serviceName;
  const claims = spec.volumeClaimTemplates ?? [];
  if (claims.length > 0) {
    const claimed = new Set(claims.map((c) => c.metadata.name));
    const volumes = ((podSpec.volumes ?? []) as { name?: string }[]).filter((v) => !claimed.has(v.name));
    for (const c of claims) volumes.push({ name: c.metadata.name, persistentVolumeClaim: { claimName: claimName(set, c, ordinal) } } as { name: string });
    podSpec.volumes = volumes;
  }
  const metadata: KubeObject['metadata'] = { name, namespace: set.metadata.namespace, labels, ownerReferences: [newControllerRef(set)] };
  if (template.metadata?.annotations) metadata.annotations = { ...template.metadata.annotations };
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: podSpec };
}

/** identityMatches' label half: the pod wears its name and index labels (what a later update may need to restore). */
export function identityLabelsMissing(set: KubeObject, pod: KubeObject): Record<string, string> | undefined {
  const ordinal = ordinalOf(pod);
  const want = { [POD_NAME_LABEL]: pod.metadata.name!, [POD_INDEX_LABEL]: String(ordinal) };
  const missing = Object.entries(want).filter(([k, v]) => pod.metadata.labels?.[k] !== v);
  return isMemberOf(set, pod) && missing.length > 0 ? Object.fromEntries(missing) : undefined;
}

/**
 * The owner references a claim should carry under the retention policy
 * (updateClaimOwnerRefForSetAndPod): whenDeleted=Delete makes the set an owner (the
 * garbage collector takes the claim with the set); whenScaled=Delete makes the pod an
 * owner once its ordinal is scaled away (the claim goes with the pod). References to
 * other owners are kept as they are.
 */
export function claimOwnerRefs(set: KubeObject, claim: KubeObject, pod: KubeObject | undefined, scaledDown: boolean): OwnerReference[] {
  const policy = setSpec(set).persistentVolumeClaimRetentionPolicy ?? {};
  // A reference to any pod of this name goes too: an earlier incarnation's would let the
  // garbage collector take the claim from under the new pod.
  const others = (claim.metadata.ownerReferences ?? []).filter((r) => r.uid !== set.metadata.uid && !(pod && r.kind === 'Pod' && r.name === pod.metadata.name));
  const refs = [...others];
  const setRef = (): OwnerReference => ({ apiVersion: set.apiVersion, kind: set.kind, name: set.metadata.name!, uid: set.metadata.uid! });
  const podRef = (p: KubeObject): OwnerReference => ({ apiVersion: 'v1', kind: 'Pod', name: p.metadata.name!, uid: p.metadata.uid! });
  const deleteWithPod = policy.whenScaled === 'Delete' && scaledDown && !!pod;
  if (deleteWithPod) refs.push(podRef(pod));
  else if (policy.whenDeleted === 'Delete') refs.push(setRef());
  return refs;
}

export function sameOwnerRefs(a: readonly OwnerReference[] | undefined, b: readonly OwnerReference[]): boolean {
  const key = (refs: readonly OwnerReference[]) => refs.map((r) => r.uid).sort().join(',');
  return key(a ?? []) === key(b);
}
