/**
 * A container's environment, resolved as kubelet's makeEnvironmentVariables does:
 * envFrom first (ConfigMaps and Secrets, each key optionally prefixed), then env in
 * declaration order, where a later variable overrides an earlier one, `$(VAR)` expands
 * to an already-defined variable (`$$` escapes a dollar, unknown references stay as
 * written) and valueFrom reads a ConfigMap or Secret key, a pod field or a container
 * resource. Pure: the ConfigMaps and Secrets come in through ctx, fetched by the kubelet
 * beforehand (referencedObjects says which), so a missing one is an answer here.
 */
import type { KubeObject } from '../api/object.ts';
import { isPlainObject } from '../api/object.ts';
import { fieldRefValue, resourceFieldRefValue, type NodeAllocatable } from './downward-api.ts';
import { expandVariables } from './expansion.ts';
import { ContainerStartError } from './runtime.ts';

export interface EnvContext {
  podIP: string;
  hostIP: string;
  nodeName: string;
  configMaps: Map<string, KubeObject>;
  secrets: Map<string, KubeObject>;
  /** What resourceFieldRef reports for a limit the container does not set; the host's by default. */
  allocatable?: NodeAllocatable;
}

export type EnvVar = { name: string; value: string };

/** envFrom keys must be C identifiers to become variables; others are skipped (kubelet reports them in an event). */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function resolveEnv(pod: KubeObject, container: Record<string, unknown>, ctx: EnvContext): EnvVar[] {
  const namespace = pod.metadata.namespace ?? 'default';
  // A Map keeps first-insertion order, so a variable redefined by env keeps its place.
  const values = new Map<string, string>();

  for (const source of arrayOf(container.envFrom)) {
    const prefix = typeof source.prefix === 'string' ? source.prefix : '';
    const data = envFromData(source, ctx);
    for (const [key, value] of Object.entries(data)) {
      const name = prefix + key;
      if (ENV_NAME.test(name)) values.set(name, value);
    }
  }

  for (const variable of arrayOf(container.env)) {
    const name = String(variable.name ?? '');
    if (!name) continue;
    const value = envVarValue(variable, pod, container, namespace, values, ctx);
    if (value !== undefined) values.set(name, value);
  }
  return [...values].map(([name, value]) => ({ name, value }));
}

/** The ConfigMaps and Secrets a pod needs before it can start: env, envFrom and volumes, across every container. */
export function referencedObjects(pod: KubeObject): { configMaps: string[]; secrets: string[] } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  const spec = isPlainObject(pod.spec) ? pod.spec : {};
  const containers = [...arrayOf(spec.initContainers), ...arrayOf(spec.containers), ...arrayOf(spec.ephemeralContainers)];
  for (const container of containers) {
    for (const source of arrayOf(container.envFrom)) {
      addName(configMaps, source.configMapRef);
      addName(secrets, source.secretRef);
    }
    for (const variable of arrayOf(container.env)) {
      const from = isPlainObject(variable.valueFrom) ? variable.valueFrom : {};
      addName(configMaps, from.configMapKeyRef);
      addName(secrets, from.secretKeyRef);
    }
  }
  for (const volume of arrayOf(spec.volumes)) {
    addName(configMaps, volume.configMap);
    if (isPlainObject(volume.secret) && typeof volume.secret.secretName === 'string') secrets.add(volume.secret.secretName);
    const projected = isPlainObject(volume.projected) ? volume.projected : {};
    for (const source of arrayOf(projected.sources)) {
      addName(configMaps, source.configMap);
      addName(secrets, source.secret);
    }
  }
  return { configMaps: [...configMaps].sort(), secrets: [...secrets].sort() };
}

function envFromData(source: Record<string, unknown>, ctx: EnvContext): Record<string, string> {
  if (isPlainObject(source.configMapRef)) {
    const ref = source.configMapRef;
    const configMap = ctx.configMaps.get(String(ref.name ?? ''));
    if (!configMap) {
      if (ref.optional === true) return {};
      throw notFound('configmap', String(ref.name ?? ''));
    }
    return configMapData(configMap);
  }
  if (isPlainObject(source.secretRef)) {
    const ref = source.secretRef;
    const secret = ctx.secrets.get(String(ref.name ?? ''));
    if (!secret) {
      if (ref.optional === true) return {};
      throw notFound('secret', String(ref.name ?? ''));
    }
    return secretData(secret);
  }
  return {};
}

function envVarValue(
  variable: Record<string, unknown>,
  pod: KubeObject,
  container: Record<string, unknown>,
  namespace: string,
  defined: Map<string, string>,
  ctx: EnvContext,
): string | undefined {
  const literal = typeof variable.value === 'string' ? variable.value : '';
  if (literal !== '') return expandVariables(literal, (name) => defined.get(name));
  const from = isPlainObject(variable.valueFrom) ? variable.valueFrom : undefined;
  if (!from) return '';

  if (isPlainObject(from.fieldRef)) {
    return fieldRefValue(pod, String(from.fieldRef.fieldPath ?? ''), { podIP: ctx.podIP, hostIP: ctx.hostIP, nodeName: ctx.nodeName });
  }
  if (isPlainObject(from.resourceFieldRef)) {
    return resourceFieldRefValue(from.resourceFieldRef, container, ctx.allocatable);
  }
  if (isPlainObject(from.configMapKeyRef)) {
    const ref = from.configMapKeyRef;
    const name = String(ref.name ?? '');
    const key = String(ref.key ?? '');
    const optional = ref.optional === true;
    const configMap = ctx.configMaps.get(name);
    if (!configMap) {
      if (optional) return undefined;
      throw notFound('configmap', name);
    }
    const data = configMapData(configMap);
    if (!Object.hasOwn(data, key)) {
      if (optional) return undefined;
      throw new ContainerStartError('CreateContainerConfigError', `couldn't find key ${key} in ConfigMap ${namespace}/${name}`);
    }
    return data[key];
  }
  if (isPlainObject(from.secretKeyRef)) {
    const ref = from.secretKeyRef;
    const name = String(ref.name ?? '');
    const key = String(ref.key ?? '');
    const optional = ref.optional === true;
    const secret = ctx.secrets.get(name);
    if (!secret) {
      if (optional) return undefined;
      throw notFound('secret', name);
    }
    const data = secretData(secret);
    if (!Object.hasOwn(data, key)) {
      if (optional) return undefined;
      throw new ContainerStartError('CreateContainerConfigError', `couldn't find key ${key} in Secret ${namespace}/${name}`);
    }
    return data[key];
  }
  return '';
}

/** A ConfigMap's data and binaryData as text (binaryData is base64 on the wire). */
export function configMapData(configMap: KubeObject): Record<string, string> {
  const result: Record<string, string> = {};
  if (isPlainObject(configMap.data)) {
    for (const [key, value] of Object.entries(configMap.data)) result[key] = String(value ?? '');
  }
  if (isPlainObject(configMap.binaryData)) {
    for (const [key, value] of Object.entries(configMap.binaryData)) result[key] = Buffer.from(String(value ?? ''), 'base64').toString('utf8');
  }
  return result;
}

/** A Secret's data decoded from base64; stringData too, in case an object never went through the API server. */
export function secretData(secret: KubeObject): Record<string, string> {
  const result: Record<string, string> = {};
  if (isPlainObject(secret.data)) {
    for (const [key, value] of Object.entries(secret.data)) result[key] = Buffer.from(String(value ?? ''), 'base64').toString('utf8');
  }
  if (isPlainObject(secret.stringData)) {
    for (const [key, value] of Object.entries(secret.stringData)) result[key] = String(value ?? '');
  }
  return result;
}

/** The API server's NotFound message, which is what kubelet shows for a missing ConfigMap or Secret. */
function notFound(kind: 'configmap' | 'secret', name: string): ContainerStartError {
  return new ContainerStartError('CreateContainerConfigError', `${kind} "${name}" not found`);
}

function addName(names: Set<string>, ref: unknown): void {
  if (isPlainObject(ref) && typeof ref.name === 'string' && ref.name) names.add(ref.name);
}

function arrayOf(value: unknown): Array<Record<string, unknown>> {
  return Array.isArray(value) ? value.filter(isPlainObject) : [];
}
