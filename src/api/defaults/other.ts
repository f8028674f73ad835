/**
 * Defaults of the remaining groups: RBAC subjects and role refs, StorageClass policies,
 * NetworkPolicy types and ports, IngressClass parameters, EndpointSlice ports, and the
 * HorizontalPodAutoscaler's replicas, metric and scaling behaviour.
 */
import { ensureObject, objectAt, objectsAt, setDefault, type Obj } from './kit.ts';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

export function defaultBinding(binding: Obj): void {
  setDefault(objectAt(binding, 'roleRef'), 'apiGroup', RBAC_GROUP);
  for (const subject of objectsAt(binding, 'subjects')) {
    if (subject.kind === 'ServiceAccount') setDefault(subject, 'apiGroup', '');
    if (subject.kind === 'User' || subject.kind === 'Group') {
      if (subject.apiGroup === undefined || subject.apiGroup === null || subject.apiGroup === '') subject.apiGroup = RBAC_GROUP;
    }
  }
}

export function defaultStorageClass(storageClass: Obj): void {
  setDefault(storageClass, 'reclaimPolicy', 'Delete');
  setDefault(storageClass, 'volumeBindingMode', 'Immediate');
}

export function defaultNetworkPolicy(policy: Obj): void {
  const spec = objectAt(policy, 'spec');
  if (!spec) return;
  // A policy that names no types is an ingress policy, and an egress one too if it has egress rules.
  const types = spec.policyTypes;
  if (types === undefined || types === null || (Array.isArray(types) && types.length === 0)) {
    const egress = Array.isArray(spec.egress) && spec.egress.length > 0;
    spec.policyTypes = egress ? ['Ingress', 'Egress'] : ['Ingress'];
  }
  for (const direction of ['ingress', 'egress']) {
    for (const rule of objectsAt(spec, direction)) for (const port of objectsAt(rule, 'ports')) setDefault(port, 'protocol', 'TCP');
  }
}

export function defaultIngressClass(ingressClass: Obj): void {
  setDefault(objectAt(ingressClass, 'spec', 'parameters'), 'scope', 'Cluster');
}

export function defaultEndpointSlice(slice: Obj): void {
  for (const port of objectsAt(slice, 'ports')) {
    setDefault(port, 'name', '');
    setDefault(port, 'protocol', 'TCP');
  }
}

const SCALE_UP = { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] };
const SCALE_DOWN = { stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };

function defaultScalingRules(behavior: Obj, direction: 'scaleUp' | 'scaleDown'): void {
  const defaults = direction === 'scaleUp' ? SCALE_UP : SCALE_DOWN;
  const rules = ensureObject(behavior, direction);
  setDefault(rules, 'stabilizationWindowSeconds', defaults.stabilizationWindowSeconds);
  setDefault(rules, 'selectPolicy', defaults.selectPolicy);
  if (rules && (!Array.isArray(rules.policies) || rules.policies.length === 0)) rules.policies = defaults.policies.map((p) => ({ ...p }));
}

/** 80% CPU: what an HPA without metrics scales on. */
export function defaultHorizontalPodAutoscaler(hpa: Obj): void {
  const spec = ensureObject(hpa, 'spec');
  if (!spec) return;
  setDefault(spec, 'minReplicas', 1);
  if (spec.metrics === undefined || spec.metrics === null || (Array.isArray(spec.metrics) && spec.metrics.length === 0)) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  }
  // Behaviour is defaulted only when the user wrote one: an absent behaviour means the controller's own.
  const behavior = objectAt(spec, 'behavior');
  if (behavior) {
    defaultScalingRules(behavior, 'scaleUp');
    defaultScalingRules(behavior, 'scaleDown');
  }
}
