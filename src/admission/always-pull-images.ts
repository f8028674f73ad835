/**
 * The AlwaysPullImages admission plugin (mutating and validating, pod CREATE and UPDATE;
 * off unless --enable-admission-plugins names it): every container, init container and
 * ephemeral container pulls its image on every start, so a pod can only run an image its
 * node may pull with the pod's own credentials, never one another tenant left in the
 * node's cache. The validating half refuses what a later plugin might have changed back.
 *
 * As in Kubernetes, an update that brings no image the old pod did not already have is
 * left alone (the old pod passed this plugin, or predates it).
 */
import { isPlainObject, type KubeObject } from '../api/object.ts';
import { forbidden, qualifiedResource } from '../api/errors.ts';
import { podsOnly, type AdmissionAttributes, type AdmissionPlugin } from './plugin.ts';

type Json = Record<string, unknown>;

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

/** Every container with imagePullPolicy Always; the input is never mutated. */
export function alwaysPullImages(pod: KubeObject): KubeObject {
  const spec = isPlainObject(pod.spec) ? pod.spec : {};
  const next: Json = { ...spec };
  for (const list of CONTAINER_LISTS) {
    const containers = spec[list];
    if (!Array.isArray(containers)) continue;
    next[list] = containers.map((c) => (isPlainObject(c) ? { ...c, imagePullPolicy: 'Always' } : c));
  }
  return { ...pod, spec: next };
}

/** field.NotSupported for every container whose policy is not Always, in spec order. */
export function pullPolicyViolations(pod: KubeObject): string[] {
  const spec = isPlainObject(pod.spec) ? pod.spec : {};
  const violations: string[] = [];
  for (const list of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
    const containers = Array.isArray(spec[list]) ? (spec[list] as unknown[]) : [];
    containers.forEach((c, i) => {
      const policy = isPlainObject(c) ? c.imagePullPolicy : undefined;
      if (policy !== 'Always') violations.push(`spec.${list}[${i}].imagePullPolicy: Unsupported value: "${String(policy ?? '')}": supported values: "Always"`);
    });
  }
  return violations;
}

function imagesOf(pod: KubeObject | undefined): Set<string> {
  const spec = pod && isPlainObject(pod.spec) ? pod.spec : {};
  const images = new Set<string>();
  for (const list of CONTAINER_LISTS) {
    for (const c of Array.isArray(spec[list]) ? (spec[list] as unknown[]) : []) if (isPlainObject(c)) images.add(String(c.image ?? ''));
  }
  return images;
}

/** An UPDATE whose images were all in the old pod already. */
export function isUpdateWithNoNewImages(a: Pick<AdmissionAttributes, 'operation' | 'object' | 'oldObject'>): boolean {
  if (a.operation !== 'UPDATE' || !a.oldObject) return false;
  const old = imagesOf(a.oldObject);
  return [...imagesOf(a.object)].every((image) => old.has(image));
}

export const alwaysPullImagesPlugin: AdmissionPlugin = {
  name: 'AlwaysPullImages',
  handles: podsOnly(['CREATE', 'UPDATE']),
  admit: (a) => (isUpdateWithNoNewImages(a) ? a.object : alwaysPullImages(a.object)),
  validate(a) {
    if (isUpdateWithNoNewImages(a)) return;
    const violations = pullPolicyViolations(a.object);
    if (violations.length === 0) return;
    // utilerrors.NewAggregate: one error reads as itself, several as a bracketed list.
    const prefix = `${qualifiedResource(a.resource.plural, a.resource.group)} "${a.name}" is forbidden: `;
    const messages = violations.map((v) => prefix + v);
    throw forbidden(messages.length === 1 ? messages[0]! : `[${messages.join(', ')}]`, { name: a.name, kind: a.resource.plural });
  },
};
