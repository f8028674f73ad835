/**
 * Pod and PodSpec validation (core ValidatePodSpec): volumes, containers and scheduling
 * fields together, pod templates, and what a pod update may change. `isPod` turns on
 * the checks Kubernetes applies to pods but not to pod templates.
 */
import type { FieldError } from '../errors.ts';
import { child, index, type FieldPath } from '../field-path.ts';
import { duplicate, forbidden, invalidEach, invalidValue, required } from '../field-errors.ts';
import { deepCopy, deepEqual } from '../json.ts';
import { inclusiveRangeError, isDNS1123Label, isDNS1123Subdomain, isQualifiedName } from '../names.ts';
import type { Pod, PodSpec, PodTemplateSpec } from '../types.ts';
import { validateLabels } from './common.ts';
import { validateContainers, validateInitContainers, type ContainerOptions } from './containers.ts';
import { validateAnnotations } from './meta.ts';
import { validateNodeSelectorTerms, validatePodAffinityTerms, validateTolerations, validateTopologySpread } from './scheduling.ts';
import { validateVolumes } from './volumes.ts';

export interface PodSpecOptions extends ContainerOptions {
  /** Volume names that exist besides spec.volumes (a StatefulSet's claim templates). */
  extraVolumeNames?: readonly string[];
}

const MAX_INT32 = 2 ** 31 - 1;

export function validatePodSpec(spec: PodSpec, path: FieldPath, options: PodSpecOptions): FieldError[] {
  const volumes = validateVolumes(spec.volumes, child(path, 'volumes'));
  for (const extra of options.extraVolumeNames ?? []) volumes.names.add(extra);
  const errors = [...volumes.errors];
  errors.push(...validateContainers(spec, volumes.names, path, options));
  errors.push(...validateInitContainers(spec, volumes.names, path, options));
  if (spec.hostNetwork) {
    (spec.containers ?? []).forEach((container, ci) =>
      (container.ports ?? []).forEach((port, pi) => {
        const hostPort = port.hostPort ?? 0;
        if ((options.isPod || hostPort !== 0) && hostPort !== (port.containerPort ?? 0)) {
          const at = child(index(child(index(child(path, 'containers'), ci), 'ports'), pi), 'hostPort');
          errors.push(invalidValue(at, hostPort, 'must match `containerPort` when `hostNetwork` is true'));
        }
      }),
    );
  }
  errors.push(...validateLabels(spec.nodeSelector, child(path, 'nodeSelector')));
  for (const [field, check] of [
    ['serviceAccountName', isDNS1123Subdomain],
    ['nodeName', isDNS1123Subdomain],
    ['priorityClassName', isDNS1123Subdomain],
    ['hostname', isDNS1123Label],
    ['subdomain', isDNS1123Label],
  ] as const) {
    const value = spec[field];
    if (value) errors.push(...invalidEach(child(path, field), value, check(value)));
  }
  if (spec.activeDeadlineSeconds !== undefined && (spec.activeDeadlineSeconds < 1 || spec.activeDeadlineSeconds > MAX_INT32)) {
    errors.push(invalidValue(child(path, 'activeDeadlineSeconds'), spec.activeDeadlineSeconds, inclusiveRangeError(1, MAX_INT32)));
  }
  errors.push(...validateTolerations(spec.tolerations, child(path, 'tolerations')));
  errors.push(...validateNodeSelectorTerms(spec, path));
  errors.push(...validatePodAffinityTerms(spec, path));
  errors.push(...validateTopologySpread(spec, path));
  if (spec.dnsPolicy === 'None') {
    if (!spec.dnsConfig) errors.push(required(child(path, 'dnsConfig'), 'must provide `dnsConfig` when `dnsPolicy` is None'));
    else if ((spec.dnsConfig.nameservers ?? []).length === 0) {
      errors.push(required(child(path, 'dnsConfig', 'nameservers'), 'must provide at least one DNS nameserver when `dnsPolicy` is None'));
    }
  }
  (spec.readinessGates ?? []).forEach((gate, i) => {
    const at = child(index(child(path, 'readinessGates'), i), 'conditionType');
    errors.push(...invalidEach(at, gate.conditionType ?? '', isQualifiedName(gate.conditionType ?? '')));
  });
  const gates = new Set<string>();
  (spec.schedulingGates ?? []).forEach((gate, i) => {
    const at = index(child(path, 'schedulingGates'), i);
    errors.push(...invalidEach(at, gate.name ?? '', isQualifiedName(gate.name ?? '')));
    if (gates.has(gate.name ?? '')) errors.push(duplicate(at, gate.name ?? ''));
    gates.add(gate.name ?? '');
  });
  return errors;
}

/** A pod template: its labels and annotations, and its spec as a template (not a pod). */
export function validatePodTemplateSpec(template: PodTemplateSpec | undefined, path: FieldPath, extraVolumeNames?: readonly string[]): FieldError[] {
  const errors = validateLabels(template?.metadata?.labels, child(path, 'metadata', 'labels'));
  errors.push(...validateAnnotations(template?.metadata?.annotations, child(path, 'metadata', 'annotations')));
  errors.push(...validatePodSpec(template?.spec ?? {}, child(path, 'spec'), { isPod: false, ...(extraVolumeNames ? { extraVolumeNames } : {}) }));
  return errors;
}

export function validatePod(pod: Pod): FieldError[] {
  return validatePodSpec(pod.spec ?? {}, 'spec', { isPod: true });
}

const POD_UPDATE_MESSAGE =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,' +
  '`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** ValidatePodUpdate: a running pod's spec is fixed but for images, deadlines and added tolerations. */
export function validatePodUpdate(pod: Pod, old: Pod): FieldError[] {
  const errors: FieldError[] = [];
  const spec = pod.spec ?? {};
  const oldSpec = old.spec ?? {};
  const oldDeadline = oldSpec.activeDeadlineSeconds;
  const deadline = spec.activeDeadlineSeconds;
  if (oldDeadline !== undefined) {
    if (deadline === undefined) errors.push(invalidValue(child('spec', 'activeDeadlineSeconds'), null, 'must not update from a positive integer to nil value'));
    else if (deadline > oldDeadline) errors.push(invalidValue(child('spec', 'activeDeadlineSeconds'), deadline, 'must be less than or equal to previous value'));
  }
  for (const oldToleration of oldSpec.tolerations ?? []) {
    const kept = (spec.tolerations ?? []).some((t) => deepEqual({ ...t, tolerationSeconds: undefined }, { ...oldToleration, tolerationSeconds: undefined }));
    if (!kept) {
      errors.push(forbidden(child('spec', 'tolerations'), 'existing toleration can not be modified except its tolerationSeconds'));
      break;
    }
  }
  // Copy what may change onto the old spec; any remaining difference is forbidden.
  const allowed = deepCopy(oldSpec);
  const sameShape = (spec.containers ?? []).length === (oldSpec.containers ?? []).length &&
    (spec.initContainers ?? []).length === (oldSpec.initContainers ?? []).length;
  if (sameShape) {
    (allowed.containers ?? []).forEach((c, i) => (c.image = spec.containers?.[i]?.image));
    (allowed.initContainers ?? []).forEach((c, i) => (c.image = spec.initContainers?.[i]?.image));
  }
  allowed.activeDeadlineSeconds = spec.activeDeadlineSeconds;
  allowed.tolerations = spec.tolerations;
  allowed.schedulingGates = spec.schedulingGates;
  if ((oldSpec.terminationGracePeriodSeconds ?? 0) < 0 && spec.terminationGracePeriodSeconds === 1) allowed.terminationGracePeriodSeconds = 1;
  if (!deepEqual(spec, allowed)) errors.push(forbidden('spec', POD_UPDATE_MESSAGE));
  return errors;
}
