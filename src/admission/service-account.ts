/**
 * The ServiceAccount admission plugin (mutating and validating, pod CREATE), as
 * kube-apiserver's plugin/pkg/admission/serviceaccount:
 * - a pod without spec.serviceAccountName runs as "default";
 * - the ServiceAccount must exist, or the pod is refused (403);
 * - unless the pod or its ServiceAccount sets automountServiceAccountToken false, every
 *   container and init container mounts a projected volume `kube-api-access-<5 chars>` at
 *   /var/run/secrets/kubernetes.io/serviceaccount: a bound token (expirationSeconds 3607,
 *   which the kubelet asks TokenRequest for), the kube-root-ca.crt ConfigMap's ca.crt and
 *   the namespace through the downward API;
 * - a pod without imagePullSecrets gets its ServiceAccount's;
 * - a ServiceAccount annotated kubernetes.io/enforce-mountable-secrets=true limits the
 *   secrets its pods may name to those it lists;
 * - mirror pods (static pods the kubelet publishes) are left as they are, and may not name
 *   a ServiceAccount, a Secret or a token projection.
 *
 * The ServiceAccounts controller makes "default" a moment after a namespace appears, so a
 * pod created right after its namespace may find none yet: a miss is read again after a
 * consistent read, and for "default" a few more times, as Kubernetes' plugin retries its
 * lookup of "default" ten times before refusing.
 */
import { isPlainObject, type KubeObject } from '../api/object.ts';
import { randomNameSuffix } from '../api/metadata.ts';
import { admissionForbidden, podsOnly, type AdmissionAttributes, type AdmissionContext, type AdmissionPlugin } from './plugin.ts';

export const DEFAULT_SERVICE_ACCOUNT = 'default';
export const SERVICE_ACCOUNT_VOLUME_PREFIX = 'kube-api-access-';
export const TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
/** serviceaccount.WarnOnlyBoundTokenExpirationSeconds: an hour and seven seconds, so uses past the hour can be told apart. */
export const TOKEN_EXPIRATION_SECONDS = 3607;
export const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
export const ENFORCE_MOUNTABLE_SECRETS_ANNOTATION = 'kubernetes.io/enforce-mountable-secrets';

/** How often, and how far apart, a missing "default" ServiceAccount is looked up again before the pod is refused. */
const DEFAULT_ACCOUNT_ATTEMPTS = 10;
const RETRY_INTERVAL_MS = 100;

type Json = Record<string, unknown>;

/** The projected volume Kubernetes' TokenVolumeSource builds (defaultMode 0644 set explicitly, as it does). */
export function tokenVolumeSource(): Json {
  return {
    defaultMode: 0o644,
    sources: [
      { serviceAccountToken: { expirationSeconds: TOKEN_EXPIRATION_SECONDS, path: 'token' } },
      { configMap: { name: ROOT_CA_CONFIGMAP, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
  };
}

export function isMirrorPod(pod: KubeObject): boolean {
  return Object.hasOwn(pod.metadata.annotations ?? {}, MIRROR_POD_ANNOTATION);
}

/** The pod's preference wins, then the ServiceAccount's; mounting is the default. */
export function shouldAutomount(serviceAccount: KubeObject, pod: KubeObject): boolean {
  const podChoice = specOf(pod).automountServiceAccountToken;
  if (typeof podChoice === 'boolean') return podChoice;
  const accountChoice = (serviceAccount as Json).automountServiceAccountToken;
  if (typeof accountChoice === 'boolean') return accountChoice;
  return true;
}

export function serviceAccountNameOf(pod: KubeObject): string {
  const name = specOf(pod).serviceAccountName;
  return typeof name === 'string' && name ? name : DEFAULT_SERVICE_ACCOUNT;
}

/**
 * The mutating rule, pure: the pod with its ServiceAccount named, the token volume mounted
 * (volumeSuffix names a new volume) and the account's image pull secrets. Mirror pods are
 * returned as they are; the input is never mutated.
 */
export function admitServiceAccount(pod: KubeObject, serviceAccount: KubeObject, volumeSuffix: string): KubeObject {
  if (isMirrorPod(pod)) return pod;
  const name = serviceAccountNameOf(pod);
  // serviceAccount is the deprecated spelling defaulting keeps equal (api/defaults/pod.ts): set both, or the next update's defaulting would change the spec.
  let spec: Json = { ...specOf(pod), serviceAccountName: name, serviceAccount: name };
  if (shouldAutomount(serviceAccount, pod)) spec = withTokenVolume(spec, volumeSuffix);
  const pullSecrets = (serviceAccount as Json).imagePullSecrets;
  if (arrayOf(spec.imagePullSecrets).length === 0 && Array.isArray(pullSecrets) && pullSecrets.length > 0) {
    spec.imagePullSecrets = pullSecrets.map((s) => ({ ...(s as Json) }));
  }
  return { ...pod, spec };
}

function withTokenVolume(spec: Json, volumeSuffix: string): Json {
  const volumes = arrayOf(spec.volumes);
  const existing = volumes.find((v) => typeof v.name === 'string' && v.name.startsWith(SERVICE_ACCOUNT_VOLUME_PREFIX));
  const volumeName = existing ? String(existing.name) : SERVICE_ACCOUNT_VOLUME_PREFIX + volumeSuffix;
  const mount = { name: volumeName, readOnly: true, mountPath: TOKEN_MOUNT_PATH };
  let mounted = false;
  // A container that already mounts something at the token path keeps it.
  const withMount = (containers: unknown) =>
    Array.isArray(containers)
      ? containers.map((c) => {
          if (!isPlainObject(c)) return c;
          const mounts = arrayOf(c.volumeMounts);
          if (mounts.some((m) => m.mountPath === TOKEN_MOUNT_PATH)) return c;
          mounted = true;
          return { ...c, volumeMounts: [...mounts, { ...mount }] };
        })
      : containers;
  const next: Json = { ...spec };
  if (spec.initContainers !== undefined) next.initContainers = withMount(spec.initContainers);
  if (spec.containers !== undefined) next.containers = withMount(spec.containers);
  if (mounted && !existing) next.volumes = [...volumes, { name: volumeName, projected: tokenVolumeSource() }];
  return next;
}

/** Why a mirror pod may not be admitted as it is, or undefined. */
export function mirrorPodRefusal(pod: KubeObject): string | undefined {
  const spec = specOf(pod);
  if (typeof spec.serviceAccountName === 'string' && spec.serviceAccountName) return 'a mirror pod may not reference service accounts';
  if (secretNamesOf(pod).length > 0) return 'a mirror pod may not reference secrets';
  const projectsToken = arrayOf(spec.volumes).some((v) => isPlainObject(v.projected) && arrayOf(v.projected.sources).some((s) => isPlainObject(s.serviceAccountToken)));
  if (projectsToken) return 'a mirror pod may not use ServiceAccountToken volume projections';
  return undefined;
}

/** Whether the ServiceAccount limits its pods to the secrets it lists. */
export function enforcesMountableSecrets(serviceAccount: KubeObject): boolean {
  return serviceAccount.metadata.annotations?.[ENFORCE_MOUNTABLE_SECRETS_ANNOTATION] === 'true';
}

/** limitSecretReferences: the first secret the pod names that its ServiceAccount does not list, as Kubernetes words it. */
export function mountableSecretsRefusal(serviceAccount: KubeObject, pod: KubeObject): string | undefined {
  const account = serviceAccount as Json;
  const name = serviceAccount.metadata.name ?? '';
  const mountable = new Set(arrayOf(account.secrets).map((s) => String(s.name ?? '')));
  const spec = specOf(pod);
  for (const volume of arrayOf(spec.volumes)) {
    const secretName = isPlainObject(volume.secret) ? String(volume.secret.secretName ?? '') : undefined;
    if (secretName !== undefined && !mountable.has(secretName)) {
      return `volume with secret.secretName="${secretName}" is not allowed because service account ${name} does not reference that secret`;
    }
  }
  const envRefusal = (containers: Json[], what: string) => {
    for (const container of containers) {
      for (const variable of arrayOf(container.env)) {
        const ref = isPlainObject(variable.valueFrom) && isPlainObject(variable.valueFrom.secretKeyRef) ? String(variable.valueFrom.secretKeyRef.name ?? '') : undefined;
        if (ref !== undefined && !mountable.has(ref)) {
          return `${what} ${String(container.name ?? '')} with envVar ${String(variable.name ?? '')} referencing secret.secretName="${ref}" is not allowed because service account ${name} does not reference that secret`;
        }
      }
    }
    return undefined;
  };
  const fromEnv = envRefusal(arrayOf(spec.initContainers), 'init container') ?? envRefusal(arrayOf(spec.containers), 'container');
  if (fromEnv) return fromEnv;
  const pullable = new Set(arrayOf(account.imagePullSecrets).map((s) => String(s.name ?? '')));
  const pullSecrets = arrayOf(spec.imagePullSecrets);
  for (let i = 0; i < pullSecrets.length; i++) {
    const secretName = String(pullSecrets[i]!.name ?? '');
    if (!pullable.has(secretName)) {
      return `imagePullSecrets[${i}].name="${secretName}" is not allowed because service account ${name} does not reference that imagePullSecret`;
    }
  }
  return undefined;
}

/** Every Secret a pod names: volumes (plain and projected), env, envFrom and image pull secrets. */
function secretNamesOf(pod: KubeObject): string[] {
  const spec = specOf(pod);
  const names: string[] = [];
  for (const s of arrayOf(spec.imagePullSecrets)) if (s.name) names.push(String(s.name));
  for (const volume of arrayOf(spec.volumes)) {
    if (isPlainObject(volume.secret) && volume.secret.secretName) names.push(String(volume.secret.secretName));
    if (isPlainObject(volume.projected)) for (const s of arrayOf(volume.projected.sources)) if (isPlainObject(s.secret) && s.secret.name) names.push(String(s.secret.name));
  }
  for (const container of [...arrayOf(spec.initContainers), ...arrayOf(spec.containers), ...arrayOf(spec.ephemeralContainers)]) {
    for (const from of arrayOf(container.envFrom)) if (isPlainObject(from.secretRef) && from.secretRef.name) names.push(String(from.secretRef.name));
    for (const variable of arrayOf(container.env)) {
      if (isPlainObject(variable.valueFrom) && isPlainObject(variable.valueFrom.secretKeyRef) && variable.valueFrom.secretKeyRef.name) names.push(String(variable.valueFrom.secretKeyRef.name));
    }
  }
  return names;
}

/** Kubernetes' wording for a missing ServiceAccount (the lookup's NotFound, wrapped). */
export function missingServiceAccountMessage(namespace: string, name: string): string {
  return `error looking up service account ${namespace}/${name}: serviceaccount "${name}" not found`;
}

/**
 * The ServiceAccount from the store: a hit costs nothing; a miss is read again after a
 * consistent read, and "default" (which the controller is about to make) a few times more.
 */
export function lookUpServiceAccount(context: AdmissionContext, namespace: string, name: string): KubeObject | undefined | Promise<KubeObject | undefined> {
  const found = context.store.get('serviceaccounts', namespace, name);
  if (found) return found;
  const attempts = name === DEFAULT_SERVICE_ACCOUNT ? DEFAULT_ACCOUNT_ATTEMPTS : 1;
  return (async () => {
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, RETRY_INTERVAL_MS + Math.floor((context.random ?? Math.random)() * RETRY_INTERVAL_MS)));
      await context.reads.consistent();
      const account = context.store.get('serviceaccounts', namespace, name);
      if (account) return account;
    }
    return undefined;
  })();
}

function withAccount<T>(context: AdmissionContext, a: AdmissionAttributes, name: string, then: (account: KubeObject) => T): T | Promise<T> {
  const found = lookUpServiceAccount(context, a.namespace, name);
  const use = (account: KubeObject | undefined) => {
    if (!account) throw admissionForbidden(a, missingServiceAccountMessage(a.namespace, name));
    return then(account);
  };
  return found instanceof Promise ? found.then(use) : use(found);
}

export const serviceAccountPlugin: AdmissionPlugin = {
  name: 'ServiceAccount',
  handles: podsOnly(['CREATE']),
  admit(a, context) {
    if (isMirrorPod(a.object)) return a.object;
    const suffix = () => randomNameSuffix(context.random ?? Math.random);
    return withAccount(context, a, serviceAccountNameOf(a.object), (account) => admitServiceAccount(a.object, account, suffix()));
  },
  validate(a, context) {
    const pod = a.object;
    if (isMirrorPod(pod)) {
      const why = mirrorPodRefusal(pod);
      if (why) throw admissionForbidden(a, why);
      return;
    }
    const name = specOf(pod).serviceAccountName;
    if (typeof name !== 'string' || !name) throw admissionForbidden(a, `no service account specified for pod ${a.namespace}/${a.name}`);
    return withAccount(context, a, name, (account) => {
      const why = enforcesMountableSecrets(account) ? mountableSecretsRefusal(account, pod) : undefined;
      if (why) throw admissionForbidden(a, why);
    });
  },
};

function specOf(pod: KubeObject): Json {
  return isPlainObject(pod.spec) ? pod.spec : {};
}

function arrayOf(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isPlainObject) : [];
}
