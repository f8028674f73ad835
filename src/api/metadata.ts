/**
 * The metadata lifecycle of objects (the "strategy" of Kubernetes' registry), as pure
 * functions of the request and the stored object:
 *
 * - prepareCreate: the server owns identity: name from generateName, uid, creation time,
 *   generation 1; a kind with a status subresource starts from its initial status.
 * - prepareUpdate: the client cannot move identity fields nor write managedFields (it may
 *   clear them); generation counts changes of
 *   the desired state; the main resource cannot write status and the status
 *   subresource can write nothing else.
 * - prepareDelete / isReadyToRemove: see deletion.ts.
 *
 * Pipeline order in the API server: prepare, then applyDefaults, then validateObject.
 */
import { deepCopy, deepEqual, omitKeys } from './json.ts';
import { isPlainObject, type KubeObject, type ObjectMeta } from './object.ts';
import { podQOSClass } from './qos.ts';
import type { ResourceType } from './resource-type.ts';
import { applyDefaults } from './defaults.ts';
import { NAMESPACE_NAME_LABEL } from './defaults/core.ts';
import { isManagedFieldsReset } from './managed-fields.ts';

export { prepareDelete, isReadyToRemove, type DeleteContext, type DeleteDecision, type PropagationPolicy } from './deletion.ts';

export interface CreateContext {
  /** RFC 3339. */
  now: string;
  uid: string;
  /** Appended to generateName: see randomNameSuffix. */
  nameSuffix: string;
}

export interface UpdateContext {
  /** "status" writes only .status; "finalize" (namespaces) may also change spec.finalizers. */
  subresource?: 'status' | 'finalize';
}

/** Kubernetes' alphabet for generated names: no vowels (no words), no 0/1/3 (no look-alikes). */
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const NAME_SUFFIX_LENGTH = 5;
/** A generated name stays a valid 63-character label: the prefix gives way to the suffix. */
const MAX_GENERATE_NAME_PREFIX = 63 - NAME_SUFFIX_LENGTH;

export function randomNameSuffix(random: () => number): string {
  let suffix = '';
  for (let i = 0; i < NAME_SUFFIX_LENGTH; i++) {
    const at = Math.min(NAME_ALPHABET.length - 1, Math.floor(random() * NAME_ALPHABET.length));
    suffix += NAME_ALPHABET[Math.max(0, at)];
  }
  return suffix;
}

const hasStatus = (rt: ResourceType) => rt.subresources.includes('status');

const SERVER_OWNED_ON_CREATE = ['resourceVersion', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink'];

const JOB_NAME_LABELS = ['job-name', 'batch.kubernetes.io/job-name'];
const JOB_UID_LABELS = ['controller-uid', 'batch.kubernetes.io/controller-uid'];

/** The initial status of a kind with a status subresource (its PrepareForCreate). */
function initialStatus(rt: ResourceType, object: KubeObject): unknown {
  switch (rt.key) {
    case 'pods':
      return { phase: 'Pending', qosClass: podQOSClass(object.spec) };
    case 'namespaces':
      return { phase: 'Active' };
    case 'persistentvolumes':
    case 'persistentvolumeclaims':
      return { phase: 'Pending' };
    case 'nodes':
      // A kubelet registers its node with the status it observed.
      return object.status;
    default:
      return {};
  }
}

/** A Job's pods are found by its uid: the server writes that selector unless the user chose one. */
function generateJobSelector(job: KubeObject): void {
  const spec = job.spec;
  if (!isPlainObject(spec) || spec.manualSelector === true || !isPlainObject(spec.template)) return;
  const template = spec.template;
  const metadata = isPlainObject(template.metadata) ? template.metadata : (template.metadata = {});
  const labels = isPlainObject(metadata.labels) ? metadata.labels : (metadata.labels = {});
  for (const label of JOB_NAME_LABELS) if (labels[label] === undefined) labels[label] = job.metadata.name ?? '';
  for (const label of JOB_UID_LABELS) if (labels[label] === undefined) labels[label] = job.metadata.uid ?? '';
  const selector = isPlainObject(spec.selector) ? spec.selector : (spec.selector = {});
  const matchLabels = isPlainObject(selector.matchLabels) ? selector.matchLabels : (selector.matchLabels = {});
  if (matchLabels[JOB_UID_LABELS[1]!] === undefined) matchLabels[JOB_UID_LABELS[1]!] = job.metadata.uid ?? '';
}

/** Every namespace starts with the "kubernetes" finalizer: the namespace controller empties it before removal. */
function prepareNamespace(namespace: KubeObject): void {
  const spec = isPlainObject(namespace.spec) ? namespace.spec : (namespace.spec = {});
  const finalizers = Array.isArray(spec.finalizers) ? spec.finalizers : [];
  spec.finalizers = finalizers.includes('kubernetes') ? finalizers : [...finalizers, 'kubernetes'];
}

function labelNamespaceName(namespace: KubeObject): void {
  const name = namespace.metadata.name;
  if (name) namespace.metadata.labels = { ...(namespace.metadata.labels ?? {}), [NAMESPACE_NAME_LABEL]: name };
}

export function prepareCreate(rt: ResourceType, obj: KubeObject, ctx: CreateContext): KubeObject {
  const object = deepCopy(obj);
  const meta: ObjectMeta = isPlainObject(object.metadata) ? (omitKeys(object.metadata, SERVER_OWNED_ON_CREATE) as ObjectMeta) : {};
  if (!meta.name && typeof meta.generateName === 'string' && meta.generateName !== '') {
    meta.name = meta.generateName.slice(0, MAX_GENERATE_NAME_PREFIX) + ctx.nameSuffix;
  }
  meta.uid = ctx.uid;
  meta.creationTimestamp = ctx.now;
  if (rt.hasGeneration) meta.generation = 1;
  else delete meta.generation;
  // Cluster-scoped objects have no namespace, whatever the request said.
  if (!rt.namespaced) delete meta.namespace;
  object.apiVersion = rt.apiVersion;
  object.kind = rt.kind;
  object.metadata = meta;

  if (hasStatus(rt)) {
    const status = initialStatus(rt, object);
    if (status === undefined) delete object.status;
    else object.status = status;
  }
  if (rt.key === 'namespaces') {
    prepareNamespace(object);
    labelNamespaceName(object);
  }
  if (rt.key === 'jobs.batch') generateJobSelector(object);
  return object;
}

/** The desired state: everything but metadata and status. */
const desiredState = (object: KubeObject) => omitKeys(object, ['metadata', 'status', 'apiVersion', 'kind']);

/**
 * Whether an update changes what generation counts (Deployments also count annotations:
 * they flow to ReplicaSets). Both sides are compared defaulted, so a request that merely
 * leaves defaulted fields out is no change.
 */
function bumpsGeneration(rt: ResourceType, old: KubeObject, next: KubeObject): boolean {
  const before = applyDefaults(rt, old);
  const after = applyDefaults(rt, next);
  if (!deepEqual(desiredState(before), desiredState(after))) return true;
  return rt.key === 'deployments.apps' && !deepEqual(before.metadata.annotations ?? {}, after.metadata.annotations ?? {});
}

/** A PUT without the allocated cluster IP or node ports keeps them (Service's patchAllocatedValues). */
function keepServiceAllocations(next: KubeObject, old: KubeObject): void {
  const spec = next.spec;
  const oldSpec = old.spec;
  if (!isPlainObject(spec) || !isPlainObject(oldSpec) || spec.type === 'ExternalName') return;
  if ((spec.clusterIP === undefined || spec.clusterIP === '') && typeof oldSpec.clusterIP === 'string') {
    spec.clusterIP = oldSpec.clusterIP;
    if (!Array.isArray(spec.clusterIPs) || spec.clusterIPs.length === 0) spec.clusterIPs = deepCopy(oldSpec.clusterIPs ?? [oldSpec.clusterIP]);
  }
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
    const oldPorts = Array.isArray(oldSpec.ports) ? oldSpec.ports.filter(isPlainObject) : [];
    for (const port of Array.isArray(spec.ports) ? spec.ports.filter(isPlainObject) : []) {
      if (port.nodePort) continue;
      const match = oldPorts.find((p) => p.port === port.port && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP'));
      if (match?.nodePort) port.nodePort = match.nodePort;
    }
    if (!spec.healthCheckNodePort && oldSpec.healthCheckNodePort) spec.healthCheckNodePort = oldSpec.healthCheckNodePort;
  }
}

export function prepareUpdate(rt: ResourceType, old: KubeObject, incoming: KubeObject, ctx: UpdateContext = {}): KubeObject {
  const incomingMeta: ObjectMeta = isPlainObject(incoming.metadata) ? incoming.metadata : {};
  const resourceVersion = incomingMeta.resourceVersion ?? old.metadata.resourceVersion;

  if (ctx.subresource === 'status') {
    // The status subresource writes status and nothing else.
    const next = deepCopy(old);
    if (incoming.status === undefined) delete next.status;
    else next.status = deepCopy(incoming.status);
    if (resourceVersion !== undefined) next.metadata.resourceVersion = resourceVersion;
    return next;
  }

  const next = deepCopy(incoming);
  const meta: ObjectMeta = omitKeys(deepCopy(incomingMeta), ['managedFields', 'selfLink']) as ObjectMeta;
  const oldMeta = old.metadata;
  // managedFields are the server's record: a client may only clear them (see managed-fields.ts).
  if (oldMeta.managedFields !== undefined && !isManagedFieldsReset(incomingMeta.managedFields)) meta.managedFields = deepCopy(oldMeta.managedFields);
  // An empty uid means "the same object"; a different one is refused by validation.
  if (!meta.uid && oldMeta.uid) meta.uid = oldMeta.uid;
  if (oldMeta.creationTimestamp) meta.creationTimestamp = oldMeta.creationTimestamp;
  if (oldMeta.deletionTimestamp) {
    meta.deletionTimestamp = oldMeta.deletionTimestamp;
    if (oldMeta.deletionGracePeriodSeconds === undefined) delete meta.deletionGracePeriodSeconds;
    else meta.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds;
  }
  if (oldMeta.generation === undefined) delete meta.generation;
  else meta.generation = oldMeta.generation;
  if (resourceVersion !== undefined) meta.resourceVersion = resourceVersion;
  if (!rt.namespaced) delete meta.namespace;
  next.metadata = meta;
  next.apiVersion = rt.apiVersion;
  next.kind = rt.kind;

  if (hasStatus(rt)) {
    if (old.status === undefined) delete next.status;
    else next.status = deepCopy(old.status);
  }
  if (rt.key === 'namespaces') {
    // Only the finalize subresource moves spec.finalizers.
    if (ctx.subresource !== 'finalize') {
      const oldSpec = isPlainObject(old.spec) ? old.spec : {};
      const spec = isPlainObject(next.spec) ? next.spec : (next.spec = {});
      if (oldSpec.finalizers === undefined) delete spec.finalizers;
      else spec.finalizers = deepCopy(oldSpec.finalizers);
    }
    labelNamespaceName(next);
  }
  if (rt.key === 'services') keepServiceAllocations(next, old);

  if (rt.hasGeneration && bumpsGeneration(rt, old, next)) next.metadata.generation = (oldMeta.generation ?? 0) + 1;
  return next;
}
