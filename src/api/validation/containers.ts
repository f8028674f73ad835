/**
 * Containers of a pod spec (core validateContainers and validateInitContainers): names,
 * images, ports, environment, resources, probes and lifecycle hooks. Names are unique
 * across regular and init containers; only sidecars (init containers that restart
 * Always) may have probes.
 */
import type { FieldError } from '../errors.ts';
import { child, index, type FieldPath } from '../field-path.ts';
import { duplicate, forbidden, invalidEach, invalidValue, notSupported, required } from '../field-errors.ts';
import { isDNS1123Label, isEnvVarName, isValidPortName, isValidPortNum } from '../names.ts';
import { compareQuantities } from '../quantity.ts';
import type { Container, ContainerPort, LifecycleHandler, PodSpec, Probe, ResourceRequirements } from '../types.ts';
import { eachResource, isOvercommitAllowed, quantityGreater, validateContainerResourceName, validateResourceQuantity } from './common.ts';
import { validateVolumeMounts } from './volumes.ts';

export interface ContainerOptions {
  /** The containers are a Pod's own, not a template's: images must be trimmed. */
  isPod: boolean;
}

function validateContainerPorts(ports: ContainerPort[] | undefined, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const names = new Set<string>();
  (ports ?? []).forEach((port, i) => {
    const at = index(path, i);
    if (port.name) {
      const nameErrors = isValidPortName(port.name);
      if (nameErrors.length > 0) errors.push(...invalidEach(child(at, 'name'), port.name, nameErrors));
      else if (names.has(port.name)) errors.push(duplicate(child(at, 'name'), port.name));
      else names.add(port.name);
    }
    if (!port.containerPort) errors.push(required(child(at, 'containerPort')));
    else errors.push(...invalidEach(child(at, 'containerPort'), port.containerPort, isValidPortNum(port.containerPort)));
    if (port.hostPort) errors.push(...invalidEach(child(at, 'hostPort'), port.hostPort, isValidPortNum(port.hostPort)));
  });
  return errors;
}

function validateEnv(container: Container, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  (container.env ?? []).forEach((env, i) => {
    const at = index(child(path, 'env'), i);
    const name = env.name ?? '';
    if (!name) errors.push(required(child(at, 'name')));
    errors.push(...invalidEach(child(at, 'name'), name, isEnvVarName(name)));
    if (env.valueFrom) {
      const from = child(at, 'valueFrom');
      const sources = (['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'] as const).filter((s) => env.valueFrom![s]);
      if (sources.length === 0) {
        errors.push(invalidValue(from, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
      } else if (sources.length > 1) {
        errors.push(invalidValue(from, '', 'may not have more than one field specified at a time'));
      }
      if (env.value) errors.push(invalidValue(from, '', 'may not be specified when `value` is not empty'));
      const { fieldRef, configMapKeyRef, secretKeyRef, resourceFieldRef } = env.valueFrom;
      if (fieldRef && !fieldRef.fieldPath) errors.push(required(child(from, 'fieldRef', 'fieldPath')));
      if (resourceFieldRef && !resourceFieldRef.resource) errors.push(required(child(from, 'resourceFieldRef', 'resource')));
      for (const [name, ref] of [['configMapKeyRef', configMapKeyRef], ['secretKeyRef', secretKeyRef]] as const) {
        if (!ref) continue;
        if (!ref.name) errors.push(required(child(from, name, 'name')));
        if (!ref.key) errors.push(required(child(from, name, 'key')));
      }
    }
  });
  (container.envFrom ?? []).forEach((source, i) => {
    const at = index(child(path, 'envFrom'), i);
    if (source.prefix) errors.push(...invalidEach(child(at, 'prefix'), source.prefix, isEnvVarName(source.prefix)));
    const refs = [source.configMapRef, source.secretRef].filter(Boolean).length;
    if (refs === 0) errors.push(invalidValue(at, '', 'must specify one of: `configMapRef` or `secretRef`'));
    if (refs > 1) errors.push(invalidValue(at, '', 'may not have more than one field specified at a time'));
  });
  return errors;
}

export function validateResourceRequirements(resources: ResourceRequirements | undefined, path: FieldPath): FieldError[] {
  const limits = resources?.limits ?? {};
  const requests = resources?.requests ?? {};
  const limitsPath = child(path, 'limits');
  const requestsPath = child(path, 'requests');
  const check = (name: string, value: string | number, at: FieldPath) => [
    ...validateContainerResourceName(name, at),
    ...validateResourceQuantity(name, value, at),
  ];
  const errors = eachResource(limits, limitsPath, check);
  errors.push(...eachResource(requests, requestsPath, check));
  for (const [name, request] of Object.entries(requests)) {
    const limit = limits[name];
    if (limit !== undefined) {
      if (!isOvercommitAllowed(name) && compareQuantities(request, limit) !== 0) {
        errors.push(invalidValue(requestsPath, String(request), `must be equal to ${name} limit of ${limit}`));
      } else if (quantityGreater(request, limit)) {
        errors.push(invalidValue(requestsPath, String(request), `must be less than or equal to ${name} limit of ${limit}`));
      }
    } else if (!isOvercommitAllowed(name)) {
      errors.push(required(limitsPath, 'Limit must be set for non overcommitable resources'));
    }
  }
  return errors;
}

function validatePortNumOrName(port: number | string | undefined, path: FieldPath): FieldError[] {
  if (typeof port === 'string') return invalidEach(path, port, isValidPortName(port));
  return invalidEach(path, port ?? 0, isValidPortNum(port ?? 0));
}

/** validateHandler: exactly one action, each well formed. */
function validateHandler(handler: Probe | LifecycleHandler, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const kinds = (['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep'] as const).filter((k) => (handler as Record<string, unknown>)[k] !== undefined);
  if (kinds.length === 0) return [required(path, 'must specify a handler type')];
  for (const extra of kinds.slice(1)) errors.push(forbidden(child(path, extra), 'may not specify more than 1 handler type'));
  const { exec, httpGet, tcpSocket } = handler;
  if (exec && (exec.command ?? []).length === 0) errors.push(required(child(path, 'exec', 'command')));
  if (httpGet) {
    if (!httpGet.path) errors.push(required(child(path, 'httpGet', 'path')));
    errors.push(...validatePortNumOrName(httpGet.port, child(path, 'httpGet', 'port')));
  }
  if (tcpSocket) errors.push(...validatePortNumOrName(tcpSocket.port, child(path, 'tcpSocket', 'port')));
  if ('grpc' in handler && handler.grpc) {
    const port = handler.grpc.port ?? 0;
    errors.push(...invalidEach(child(path, 'grpc', 'port'), port, isValidPortNum(port)));
  }
  return errors;
}

function validateProbe(probe: Probe | undefined, path: FieldPath, kind: 'liveness' | 'readiness' | 'startup'): FieldError[] {
  if (!probe) return [];
  const errors = validateHandler(probe, path);
  if (probe.terminationGracePeriodSeconds !== undefined) {
    if (kind === 'readiness') errors.push(invalidValue(child(path, 'terminationGracePeriodSeconds'), probe.terminationGracePeriodSeconds, 'must not be set for readinessProbes'));
    else if (probe.terminationGracePeriodSeconds <= 0) {
      errors.push(invalidValue(child(path, 'terminationGracePeriodSeconds'), probe.terminationGracePeriodSeconds, 'must be greater than 0'));
    }
  }
  if (kind !== 'readiness' && probe.successThreshold !== undefined && probe.successThreshold !== 1) {
    errors.push(invalidValue(child(path, 'successThreshold'), probe.successThreshold, 'must be 1'));
  }
  return errors;
}

function validateContainerCommon(container: Container, volumeNames: ReadonlySet<string>, path: FieldPath, options: ContainerOptions): FieldError[] {
  const errors: FieldError[] = [];
  const name = container.name ?? '';
  if (!name) errors.push(required(child(path, 'name')));
  else errors.push(...invalidEach(child(path, 'name'), name, isDNS1123Label(name)));
  const image = container.image ?? '';
  if (!image) errors.push(required(child(path, 'image')));
  else if (options.isPod && image !== image.trim()) errors.push(invalidValue(child(path, 'image'), image, 'must not have leading or trailing whitespace'));
  errors.push(...validateContainerPorts(container.ports, child(path, 'ports')));
  errors.push(...validateEnv(container, path));
  errors.push(...validateVolumeMounts(container, volumeNames, path));
  errors.push(...validateResourceRequirements(container.resources, child(path, 'resources')));
  const security = container.securityContext;
  if (security?.privileged === true && security.allowPrivilegeEscalation === false) {
    errors.push(invalidValue(child(path, 'securityContext'), security, 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
  }
  return errors;
}

export function validateContainers(spec: PodSpec, volumeNames: ReadonlySet<string>, path: FieldPath, options: ContainerOptions): FieldError[] {
  const containers = spec.containers ?? [];
  const containersPath = child(path, 'containers');
  if (containers.length === 0) return [required(containersPath)];
  const errors: FieldError[] = [];
  const names = new Set<string>();
  containers.forEach((container, i) => {
    const at = index(containersPath, i);
    errors.push(...validateContainerCommon(container, volumeNames, at, options));
    const name = container.name ?? '';
    if (names.has(name)) errors.push(duplicate(child(at, 'name'), name));
    else names.add(name);
    errors.push(...validateProbe(container.livenessProbe, child(at, 'livenessProbe'), 'liveness'));
    errors.push(...validateProbe(container.readinessProbe, child(at, 'readinessProbe'), 'readiness'));
    errors.push(...validateProbe(container.startupProbe, child(at, 'startupProbe'), 'startup'));
    for (const hook of ['postStart', 'preStop'] as const) {
      const handler = container.lifecycle?.[hook];
      if (handler) errors.push(...validateHandler(handler, child(at, 'lifecycle', hook)));
    }
    if (container.restartPolicy !== undefined) errors.push(forbidden(child(at, 'restartPolicy'), 'may not be set for non-init containers'));
  });
  errors.push(...validateHostPortConflicts(containers, containersPath));
  return errors;
}

export function validateInitContainers(spec: PodSpec, volumeNames: ReadonlySet<string>, path: FieldPath, options: ContainerOptions): FieldError[] {
  const errors: FieldError[] = [];
  const names = new Set((spec.containers ?? []).map((c) => c.name ?? ''));
  const initPath = child(path, 'initContainers');
  (spec.initContainers ?? []).forEach((container, i) => {
    const at = index(initPath, i);
    errors.push(...validateContainerCommon(container, volumeNames, at, options));
    const sidecar = container.restartPolicy === 'Always';
    if (container.restartPolicy !== undefined && !sidecar) errors.push(notSupported(child(at, 'restartPolicy'), container.restartPolicy, ['Always']));
    const name = container.name ?? '';
    if (names.has(name)) errors.push(duplicate(child(at, 'name'), name));
    else if (name) names.add(name);
    if (sidecar) {
      errors.push(...validateProbe(container.livenessProbe, child(at, 'livenessProbe'), 'liveness'));
      errors.push(...validateProbe(container.readinessProbe, child(at, 'readinessProbe'), 'readiness'));
      errors.push(...validateProbe(container.startupProbe, child(at, 'startupProbe'), 'startup'));
    } else {
      for (const field of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
        if (container[field] !== undefined) errors.push(forbidden(child(at, field), 'may not be set for init containers without restartPolicy=Always'));
      }
    }
  });
  return errors;
}

/** checkHostPortConflicts: one (hostPort, protocol, hostIP) per pod. */
function validateHostPortConflicts(containers: Container[], path: FieldPath): FieldError[] {
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  containers.forEach((container, ci) =>
    (container.ports ?? []).forEach((port, pi) => {
      if (!port.hostPort) return;
      const id = `${port.hostIP ?? ''}/${port.hostPort}/${port.protocol ?? 'TCP'}`;
      if (seen.has(id)) errors.push(duplicate(child(index(child(index(path, ci), 'ports'), pi), 'hostPort'), `${port.hostPort}/${port.protocol ?? 'TCP'}`));
      seen.add(id);
    }),
  );
  return errors;
}

