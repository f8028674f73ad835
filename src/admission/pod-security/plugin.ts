/**
 * The PodSecurity admission plugin (validating), as pod-security-admission runs inside
 * kube-apiserver: the pod's namespace labels choose a level per mode (policy.ts); a pod
 * that violates the enforce level is refused with `violates PodSecurity "baseline:latest":
 * <reason (detail), ...>`; one that only violates the warn level is admitted with a
 * `would violate PodSecurity ...` warning. Workloads (Deployments, ReplicaSets, Jobs,
 * CronJobs, ...) are never refused: their pod templates are checked against the warn level
 * and warned about, so `kubectl apply` says early what the controller's pods will hit.
 *
 * Updates of pods are only checked when they change something the checks read (an
 * image, the containers, the AppArmor annotations); an update of a workload only when its
 * template changed. A namespace with a label that does not parse is Invalid (422); one
 * whose enforce label changes is admitted with warnings
 * naming the pods already there that the new level would refuse (existing-pods.ts).
 * Nothing is exempt by default. The audit mode is parsed but not yet
 * recorded (audit annotations need the audit stream's event).
 */
import { isPlainObject, type KubeObject } from '../../api/object.ts';
import { admissionForbidden, type AdmissionAttributes, type AdmissionContext, type AdmissionPlugin } from '../plugin.ts';
import { evaluatePod, forbiddenDetail, type PodSecurityInput } from './checks.ts';
import { existingPodWarnings } from './existing-pods.ts';
import { fullyPrivileged, labelErrors, levelVersionString, policyFromLabels, sameLevelVersion, type NamespacePolicy } from './policy.ts';
import { invalid } from '../../api/errors.ts';

type Json = Record<string, unknown>;

/** Where each workload keeps its pod template. */
const TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  podtemplates: ['template'],
  replicationcontrollers: ['spec', 'template'],
  'replicasets.apps': ['spec', 'template'],
  'deployments.apps': ['spec', 'template'],
  'statefulsets.apps': ['spec', 'template'],
  'daemonsets.apps': ['spec', 'template'],
  'jobs.batch': ['spec', 'template'],
  'cronjobs.batch': ['spec', 'jobTemplate', 'spec', 'template'],
};

const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

export interface PodSecurityDecision {
  /** The enforce level's refusal, when the pod violates it. */
  forbidden?: string;
  warnings: string[];
}

/**
 * The pure decision for one pod (or pod template): enforce only applies to pods; warn
 * applies to both, and is not repeated when the request is refused anyway or when it
 * would only repeat the enforce level's finding.
 */
export function decidePodSecurity(policy: NamespacePolicy, input: PodSecurityInput, enforce: boolean): PodSecurityDecision {
  const decision: PodSecurityDecision = { warnings: [] };
  if (enforce) {
    const violations = evaluatePod(policy.enforce.level, input);
    if (violations.length > 0) {
      decision.forbidden = `violates PodSecurity "${levelVersionString(policy.enforce)}": ${forbiddenDetail(violations)}`;
      return decision;
    }
    // Allowed at the enforce level: the same level and version cannot warn.
    if (sameLevelVersion(policy.enforce, policy.warn)) return decision;
  }
  const violations = evaluatePod(policy.warn.level, input);
  if (violations.length > 0) decision.warnings.push(`would violate PodSecurity "${levelVersionString(policy.warn)}": ${forbiddenDetail(violations)}`);
  return decision;
}

/** The pod template a workload carries, or undefined for kinds without one (or a malformed object). */
export function podTemplateOf(resourceKey: string, object: KubeObject): PodSecurityInput | undefined {
  const path = TEMPLATE_PATHS[resourceKey];
  if (!path) return undefined;
  let at: unknown = object;
  for (const step of path) at = isPlainObject(at) ? at[step] : undefined;
  if (!isPlainObject(at)) return undefined;
  return { metadata: (isPlainObject(at.metadata) ? at.metadata : {}) as KubeObject['metadata'], spec: isPlainObject(at.spec) ? at.spec : {} };
}

function podInput(pod: KubeObject): PodSecurityInput {
  return { metadata: pod.metadata, spec: isPlainObject(pod.spec) ? pod.spec : {} };
}

/** isSignificantPodUpdate: pods are mostly immutable, so only images and AppArmor annotations can change what the checks see. */
export function isSignificantPodUpdate(pod: KubeObject, oldPod: KubeObject): boolean {
  const spec = podInput(pod).spec;
  const oldSpec = podInput(oldPod).spec;
  for (const list of ['containers', 'initContainers'] as const) {
    const now = Array.isArray(spec[list]) ? (spec[list] as Json[]) : [];
    const before = Array.isArray(oldSpec[list]) ? (oldSpec[list] as Json[]) : [];
    if (now.length !== before.length) return true;
    if (now.some((c, i) => c?.image !== before[i]?.image)) return true;
  }
  if (JSON.stringify(spec.ephemeralContainers ?? []) !== JSON.stringify(oldSpec.ephemeralContainers ?? [])) return true;
  const appArmor = (o: KubeObject) =>
    JSON.stringify(Object.entries(o.metadata.annotations ?? {}).filter(([k]) => k.startsWith(APPARMOR_ANNOTATION_PREFIX)).sort());
  return appArmor(pod) !== appArmor(oldPod);
}

function policyOf(context: AdmissionContext, namespace: string): NamespacePolicy | undefined | Promise<NamespacePolicy | undefined> {
  const found = context.store.get('namespaces', '', namespace);
  if (found) return policyFromLabels(found.metadata.labels);
  return context.reads.consistent().then(() => {
    const ns = context.store.get('namespaces', '', namespace);
    return ns ? policyFromLabels(ns.metadata.labels) : undefined;
  });
}

function judge(a: AdmissionAttributes, policy: NamespacePolicy | undefined): void {
  if (!policy || fullyPrivileged(policy)) return;
  const isPod = a.resource.key === 'pods';
  const input = isPod ? podInput(a.object) : podTemplateOf(a.resource.key, a.object);
  if (!input) return;
  const decision = decidePodSecurity(policy, input, isPod);
  if (decision.forbidden) throw admissionForbidden(a, decision.forbidden);
  for (const warning of decision.warnings) a.warn?.(warning);
}

function worthChecking(a: AdmissionAttributes): boolean {
  if (a.operation !== 'UPDATE' || !a.oldObject) return true;
  if (a.resource.key === 'pods') return isSignificantPodUpdate(a.object, a.oldObject);
  return JSON.stringify(podTemplateOf(a.resource.key, a.object)) !== JSON.stringify(podTemplateOf(a.resource.key, a.oldObject));
}

/**
 * A namespace's own admission: Pod Security labels must parse (on create, and on an
 * update that changes what is wrong with them); an update that changes the enforce level
 * warns about the pods already there that the new level would refuse.
 */
function validateNamespace(a: AdmissionAttributes, context: AdmissionContext): void {
  const errors = labelErrors(a.object.metadata.labels);
  if (errors.length > 0 && (a.operation === 'CREATE' || JSON.stringify(errors) !== JSON.stringify(labelErrors(a.oldObject?.metadata.labels)))) {
    throw invalid('Namespace', '', a.name, errors);
  }
  if (a.operation !== 'UPDATE' || !a.oldObject || !a.warn) return;
  const enforce = policyFromLabels(a.object.metadata.labels).enforce;
  if (sameLevelVersion(enforce, policyFromLabels(a.oldObject.metadata.labels).enforce)) return;
  for (const warning of existingPodWarnings(a.name, enforce, context.store.list('pods', a.name).items)) a.warn(warning);
}

export const podSecurityPlugin: AdmissionPlugin = {
  name: 'PodSecurity',
  handles: (a) =>
    (a.operation === 'CREATE' || a.operation === 'UPDATE') &&
    a.subresource === undefined &&
    (a.resource.key === 'pods' || Object.hasOwn(TEMPLATE_PATHS, a.resource.key) || a.resource.key === 'namespaces'),
  validate(a, context) {
    if (a.resource.key === 'namespaces') return validateNamespace(a, context);
    if (!worthChecking(a)) return;
    const policy = policyOf(context, a.namespace);
    if (policy instanceof Promise) return policy.then((p) => judge(a, p));
    judge(a, policy);
  },
};
