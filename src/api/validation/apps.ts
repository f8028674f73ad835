/**
 * Workload controllers (apps/v1 and core ReplicationController): selectors that must
 * select their own template, replica and history counts, rollout strategies, pod
 * templates that restart Always, and the fields an update may not touch.
 */
import type { FieldError } from '../errors.ts';
import { child, type FieldPath } from '../field-path.ts';
import { forbidden, invalidValue, notSupported, required } from '../field-errors.ts';
import { deepEqual } from '../json.ts';
import { labelSelectorMatches, matchesLabels, selectorFromSet } from '../selectors.ts';
import type { ControllerRevision, DaemonSet, Deployment, LabelSelectorData, PodTemplateSpec, ReplicaSet, ReplicationController, StatefulSet } from '../types.ts';
import {
  intOrPercentValue,
  isEmptySelector,
  validateImmutable,
  validateLabelSelector,
  validateNotMoreThan100Percent,
  validatePositiveIntOrPercent,
} from './common.ts';
import { validatePodTemplateSpec } from './pod.ts';

const SPEC = 'spec';

/** A required, non-empty label selector; `kind` names the owner in Kubernetes' message. */
function validateSelector(selector: LabelSelectorData | undefined, kind: string): FieldError[] {
  const path = child(SPEC, 'selector');
  if (!selector) return [required(path)];
  const errors = validateLabelSelector(selector, path);
  if (isEmptySelector(selector)) errors.push(invalidValue(path, selector, `empty selector is invalid for ${kind}`));
  return errors;
}

function templateMatchesSelector(selector: LabelSelectorData | undefined, template: PodTemplateSpec | undefined): FieldError[] {
  if (!selector || isEmptySelector(selector)) return [];
  const labels = template?.metadata?.labels ?? {};
  return labelSelectorMatches(selector, labels)
    ? []
    : [invalidValue(child(SPEC, 'template', 'metadata', 'labels'), labels, '`selector` does not match template `labels`')];
}

/** Pods of these controllers run forever, so the template must restart Always. */
function templateRestartsAlways(template: PodTemplateSpec | undefined): FieldError[] {
  const policy = template?.spec?.restartPolicy;
  return policy !== undefined && policy !== 'Always'
    ? [notSupported(child(SPEC, 'template', 'spec', 'restartPolicy'), policy, ['Always'])]
    : [];
}

function validateReplicaSetLikeTemplate(selector: LabelSelectorData | undefined, template: PodTemplateSpec | undefined, owner: string): FieldError[] {
  const errors = templateMatchesSelector(selector, template);
  errors.push(...validatePodTemplateSpec(template, child(SPEC, 'template')));
  errors.push(...templateRestartsAlways(template));
  if (template?.spec?.activeDeadlineSeconds !== undefined) {
    errors.push(forbidden(child(SPEC, 'template', 'spec', 'activeDeadlineSeconds'), `activeDeadlineSeconds in ${owner} is not Supported`));
  }
  return errors;
}

export function validateDeployment(deployment: Deployment): FieldError[] {
  const spec = deployment.spec ?? {};
  const errors = validateSelector(spec.selector, 'deployment');
  errors.push(...validateReplicaSetLikeTemplate(spec.selector, spec.template, 'ReplicaSet'));
  const strategy = spec.strategy ?? {};
  const strategyPath = child(SPEC, 'strategy');
  switch (strategy.type) {
    case undefined:
      break;
    case 'Recreate':
      if (strategy.rollingUpdate) errors.push(forbidden(child(strategyPath, 'rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'"));
      break;
    case 'RollingUpdate': {
      const rolling = strategy.rollingUpdate;
      if (!rolling) {
        errors.push(required(child(strategyPath, 'rollingUpdate'), 'this should be defaulted and never be nil'));
        break;
      }
      const unavailablePath = child(strategyPath, 'rollingUpdate', 'maxUnavailable');
      errors.push(...validatePositiveIntOrPercent(rolling.maxUnavailable, unavailablePath));
      errors.push(...validatePositiveIntOrPercent(rolling.maxSurge, child(strategyPath, 'rollingUpdate', 'maxSurge')));
      if ((intOrPercentValue(rolling.maxUnavailable) ?? 0) === 0 && (intOrPercentValue(rolling.maxSurge) ?? 0) === 0) {
        errors.push(invalidValue(unavailablePath, rolling.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
      }
      errors.push(...validateNotMoreThan100Percent(rolling.maxUnavailable, unavailablePath));
      break;
    }
    default:
      errors.push(notSupported(strategyPath, strategy, ['Recreate', 'RollingUpdate']));
  }
  if (spec.progressDeadlineSeconds !== undefined && spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
    errors.push(invalidValue(child(SPEC, 'progressDeadlineSeconds'), spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
  }
  return errors;
}

/** apps/v1 made selectors immutable: a changed selector would orphan the running pods. */
const selectorImmutable = (selector: unknown, oldSelector: unknown) => validateImmutable(selector, oldSelector, child(SPEC, 'selector'));

export function validateDeploymentUpdate(deployment: Deployment, old: Deployment): FieldError[] {
  return selectorImmutable(deployment.spec?.selector, old.spec?.selector);
}

export function validateReplicaSet(replicaSet: ReplicaSet): FieldError[] {
  const spec = replicaSet.spec ?? {};
  // Kubernetes' ReplicaSet message says "deployment" too.
  const errors = validateSelector(spec.selector, 'deployment');
  errors.push(...validateReplicaSetLikeTemplate(spec.selector, spec.template, 'ReplicaSet'));
  return errors;
}

export function validateReplicaSetUpdate(replicaSet: ReplicaSet, old: ReplicaSet): FieldError[] {
  return selectorImmutable(replicaSet.spec?.selector, old.spec?.selector);
}

export function validateReplicationController(rc: ReplicationController): FieldError[] {
  const spec = rc.spec ?? {};
  const errors: FieldError[] = [];
  const selector = spec.selector ?? {};
  if (Object.keys(selector).length === 0) errors.push(required(child(SPEC, 'selector')));
  if (!spec.template) return [...errors, required(child(SPEC, 'template'))];
  const labels = spec.template.metadata?.labels ?? {};
  if (Object.keys(selector).length > 0 && !matchesLabels(selectorFromSet(selector), labels)) {
    errors.push(invalidValue(child(SPEC, 'template', 'metadata', 'labels'), labels, '`selector` does not match template `labels`'));
  }
  errors.push(...validatePodTemplateSpec(spec.template, child(SPEC, 'template')));
  errors.push(...templateRestartsAlways(spec.template));
  return errors;
}

export function validateStatefulSet(set: StatefulSet): FieldError[] {
  const spec = set.spec ?? {};
  const errors: FieldError[] = [];
  const policy = spec.podManagementPolicy;
  if (policy !== undefined && policy !== 'OrderedReady' && policy !== 'Parallel') {
    errors.push(invalidValue(child(SPEC, 'podManagementPolicy'), policy, "must be 'OrderedReady' or 'Parallel'"));
  }
  const strategy = spec.updateStrategy ?? {};
  const strategyPath = child(SPEC, 'updateStrategy');
  switch (strategy.type) {
    case undefined:
    case 'RollingUpdate':
      break;
    case 'OnDelete':
      if (strategy.rollingUpdate) {
        errors.push(invalidValue(child(strategyPath, 'rollingUpdate'), strategy.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
      }
      break;
    default:
      errors.push(invalidValue(strategyPath, strategy, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  errors.push(...validateSelector(spec.selector, 'statefulset'));
  // Claim templates provide volumes the pod spec mounts without listing them.
  const claimNames = (spec.volumeClaimTemplates ?? []).map((t) => t.metadata?.name ?? '').filter(Boolean);
  errors.push(...templateMatchesSelector(spec.selector, spec.template));
  errors.push(...validatePodTemplateSpec(spec.template, child(SPEC, 'template'), claimNames));
  errors.push(...templateRestartsAlways(spec.template));
  if (spec.template?.spec?.activeDeadlineSeconds !== undefined) {
    errors.push(forbidden(child(SPEC, 'template', 'spec', 'activeDeadlineSeconds'), 'activeDeadlineSeconds in StatefulSet is not Supported'));
  }
  (spec.volumeClaimTemplates ?? []).forEach((template, i) => {
    if (!template.metadata?.name) errors.push(required(child(`${child(SPEC, 'volumeClaimTemplates')}[${i}]`, 'metadata', 'name')));
  });
  return errors;
}

const STATEFULSET_MUTABLE = [
  'replicas',
  'ordinals',
  'template',
  'updateStrategy',
  'revisionHistoryLimit',
  'persistentVolumeClaimRetentionPolicy',
  'minReadySeconds',
] as const;

export function validateStatefulSetUpdate(set: StatefulSet, old: StatefulSet): FieldError[] {
  const strip = (spec: StatefulSet['spec']) => {
    const copy: Record<string, unknown> = { ...(spec ?? {}) };
    for (const field of STATEFULSET_MUTABLE) delete copy[field];
    return copy;
  };
  return deepEqual(strip(set.spec), strip(old.spec))
    ? []
    : [
        forbidden(
          SPEC,
          "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        ),
      ];
}

export function validateDaemonSet(set: DaemonSet): FieldError[] {
  const spec = set.spec ?? {};
  const errors: FieldError[] = [];
  const selectorPath = child(SPEC, 'selector');
  if (!spec.selector) errors.push(required(selectorPath));
  else errors.push(...validateLabelSelector(spec.selector, selectorPath));
  if (spec.selector && !labelSelectorMatches(spec.selector, spec.template?.metadata?.labels ?? {})) {
    errors.push(invalidValue(child(SPEC, 'template', 'metadata', 'labels'), spec.template?.metadata?.labels ?? {}, '`selector` does not match template `labels`'));
  }
  if (spec.selector && isEmptySelector(spec.selector)) errors.push(invalidValue(selectorPath, spec.selector, 'empty selector is invalid for daemonset'));
  errors.push(...validatePodTemplateSpec(spec.template, child(SPEC, 'template')));
  errors.push(...templateRestartsAlways(spec.template));
  const deadline = spec.template?.spec?.activeDeadlineSeconds;
  if (deadline !== undefined) {
    errors.push(invalidValue(child(SPEC, 'template', 'spec', 'activeDeadlineSeconds'), deadline, 'activeDeadlineSeconds must be nil for daemon set'));
  }
  errors.push(...validateDaemonSetStrategy(set));
  return errors;
}

function validateDaemonSetStrategy(set: DaemonSet): FieldError[] {
  const strategy = set.spec?.updateStrategy ?? {};
  const path = child(SPEC, 'updateStrategy');
  switch (strategy.type) {
    case undefined:
    case 'OnDelete':
      return [];
    case 'RollingUpdate': {
      const rolling = strategy.rollingUpdate;
      if (!rolling) return [required(child(path, 'rollingUpdate'))];
      const errors: FieldError[] = [];
      const unavailable = intOrPercentValue(rolling.maxUnavailable) ?? 0;
      const surge = intOrPercentValue(rolling.maxSurge) ?? 0;
      const check = (value: number | string | undefined, at: FieldPath) => [
        ...validatePositiveIntOrPercent(value, at),
        ...validateNotMoreThan100Percent(value, at),
      ];
      if (rolling.maxUnavailable !== undefined && unavailable !== 0) errors.push(...check(rolling.maxUnavailable, child(path, 'rollingUpdate', 'maxUnavailable')));
      if (rolling.maxSurge !== undefined && surge !== 0) errors.push(...check(rolling.maxSurge, child(path, 'rollingUpdate', 'maxSurge')));
      if (unavailable !== 0 && surge !== 0) {
        errors.push(invalidValue(child(path, 'rollingUpdate', 'maxSurge'), rolling.maxSurge ?? 0, 'may not be set when maxUnavailable is non-zero'));
      }
      if (unavailable === 0 && surge === 0) errors.push(required(child(path, 'rollingUpdate', 'maxUnavailable'), 'cannot be 0 when maxSurge is 0'));
      return errors;
    }
    default:
      return [notSupported(path, strategy, ['RollingUpdate', 'OnDelete'])];
  }
}

export function validateDaemonSetUpdate(set: DaemonSet, old: DaemonSet): FieldError[] {
  return selectorImmutable(set.spec?.selector, old.spec?.selector);
}

export function validateControllerRevision(revision: ControllerRevision): FieldError[] {
  return revision.data === undefined ? [required('data', 'data is mandatory')] : [];
}

export function validateControllerRevisionUpdate(revision: ControllerRevision, old: ControllerRevision): FieldError[] {
  return validateImmutable(revision.data, old.data, 'data');
}
