/**
 * The pure half of `GET pods/{name}/log`: the query as PodLogOptions, which container and
 * which attempt of it a request reads, and how a line is printed. Errors are the ones
 * the API server and kubelet give, so `kubectl logs` prints what it prints against a
 * real cluster.
 */
import { badRequest, invalid, type FieldError } from '../api/errors.ts';
import type { KubeObject } from '../api/object.ts';

export interface PodLogOptions {
  container?: string;
  follow: boolean;
  previous: boolean;
  sinceSeconds?: number;
  sinceTime?: string;
  timestamps: boolean;
  tailLines?: number;
  limitBytes?: number;
}

export function parsePodLogOptions(query: URLSearchParams, podName: string): PodLogOptions {
  const errors: FieldError[] = [];
  const positive = (field: string, allowZero: boolean): number | undefined => {
    const raw = query.get(field);
    if (raw === null || raw === '') return undefined;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
      errors.push({ type: 'FieldValueInvalid', field, message: `Invalid value: ${raw}: must be ${allowZero ? 'greater than or equal to 0' : 'greater than 0'}` });
      return undefined;
    }
    return value;
  };
  const options: PodLogOptions = {
    follow: isTrue(query.get('follow')),
    previous: isTrue(query.get('previous')),
    timestamps: isTrue(query.get('timestamps')),
  };
  const container = query.get('container');
  if (container) options.container = container;
  const sinceSeconds = positive('sinceSeconds', false);
  const tailLines = positive('tailLines', true);
  const limitBytes = positive('limitBytes', false);
  const sinceTime = query.get('sinceTime');
  if (sinceSeconds !== undefined) options.sinceSeconds = sinceSeconds;
  if (tailLines !== undefined) options.tailLines = tailLines;
  if (limitBytes !== undefined) options.limitBytes = limitBytes;
  if (sinceTime) {
    if (Number.isNaN(Date.parse(sinceTime))) throw badRequest(`parsing time "${sinceTime}" as RFC3339: cannot parse`);
    options.sinceTime = sinceTime;
  }
  if (options.sinceSeconds !== undefined && options.sinceTime !== undefined) {
    errors.push({ type: 'FieldValueForbidden', field: 'sinceTime', message: 'Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified' });
  }
  if (errors.length > 0) throw invalid('PodLogOptions', '', podName, errors);
  return options;
}

function isTrue(value: string | null): boolean {
  return value === 'true' || value === '1';
}

/** Which lines a request reads: one pod uid, one container, one attempt, from a time. */
export interface LogTarget {
  podUid: string;
  container: string;
  attempt: number;
  since?: Date;
}

interface ContainerStatus {
  name: string;
  restartCount?: number;
  state?: { waiting?: { reason?: string }; running?: object; terminated?: object };
}

export function logTarget(pod: KubeObject, options: PodLogOptions, now: Date): LogTarget {
  const name = pod.metadata.name ?? '';
  const spec = (pod.spec ?? {}) as { containers?: Array<{ name: string }>; initContainers?: Array<{ name: string }>; nodeName?: string };
  const containers = (spec.containers ?? []).map((c) => c.name);
  const initContainers = (spec.initContainers ?? []).map((c) => c.name);
  const container = options.container ?? onlyContainer(name, containers, initContainers);
  if (!containers.includes(container) && !initContainers.includes(container)) {
    throw badRequest(`container ${container} is not valid for pod ${name}`);
  }
  if (!spec.nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
  const status = containerStatus(pod, container);
  const restarts = status?.restartCount ?? 0;
  if (options.previous && restarts === 0) {
    throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
  }
  if (!options.previous && (!status || (status.state?.waiting && restarts === 0))) {
    throw badRequest(`container "${container}" in pod "${name}" is waiting to start: ${status?.state?.waiting?.reason ?? 'ContainerCreating'}`);
  }
  const target: LogTarget = { podUid: pod.metadata.uid ?? '', container, attempt: options.previous ? restarts - 1 : restarts };
  if (options.sinceSeconds !== undefined) target.since = new Date(now.getTime() - options.sinceSeconds * 1000);
  else if (options.sinceTime !== undefined) target.since = new Date(options.sinceTime);
  return target;
}

function onlyContainer(pod: string, containers: string[], initContainers: string[]): string {
  if (containers.length === 1) return containers[0]!;
  const init = initContainers.length > 0 ? ` or one of the init containers: [${initContainers.join(' ')}]` : '';
  throw badRequest(`a container name must be specified for pod ${pod}, choose one of: [${containers.join(' ')}]${init}`);
}

export function containerStatus(pod: KubeObject, container: string): ContainerStatus | undefined {
  const status = (pod.status ?? {}) as { containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[] };
  return [...(status.containerStatuses ?? []), ...(status.initContainerStatuses ?? [])].find((s) => s.name === container);
}

/**
 * Whether a followed attempt can write no more: it terminated, was restarted (a newer
 * attempt exists), or its pod is gone or replaced. The kubelet closes the stream then.
 */
export function attemptEnded(pod: KubeObject | undefined, target: LogTarget): boolean {
  if (!pod || pod.metadata.uid !== target.podUid) return true;
  const status = containerStatus(pod, target.container);
  if (!status) return false;
  const restarts = status.restartCount ?? 0;
  return restarts > target.attempt || (restarts === target.attempt && !!status.state?.terminated);
}

/** Go's RFC3339Nano: the fraction without trailing zeros, and no dot when it is zero. */
export function rfc3339Nano(time: Date): string {
  return time.toISOString().replace(/\.(\d*?)0*Z$/, (_m, digits: string) => (digits ? `.${digits}Z` : 'Z'));
}

export function formatLogLine(text: string, time: Date, timestamps: boolean): string {
  return timestamps ? `${rfc3339Nano(time)} ${text}\n` : `${text}\n`;
}
