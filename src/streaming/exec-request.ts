/**
 * The pure half of pods/exec and pods/attach: the query kubectl sends (command repeated,
 * container, stdin, stdout, stderr, tty) and the pod as the API server has it -> which
 * node to ask and what, or the error kubectl prints against a real cluster.
 */
import { badRequest } from '../api/errors.ts';
import type { KubeObject } from '../api/object.ts';
import type { NodeStreamRequest } from '../../streams/node-stream.ts';
import type { PortForwardTarget } from './port-forward.ts';

export interface StreamTarget {
  node: string;
  request: NodeStreamRequest;
}

export function execTarget(kind: 'exec' | 'attach', pod: KubeObject, query: URLSearchParams): StreamTarget {
  const name = pod.metadata.name ?? '';
  const spec = (pod.spec ?? {}) as { containers?: Array<{ name: string }>; nodeName?: string };
  const containers = (spec.containers ?? []).map((c) => c.name);
  const container = query.get('container') || (containers.length === 1 ? containers[0]! : undefined);
  if (!container) throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`);
  if (!containers.includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
  const command = query.getAll('command');
  if (kind === 'exec' && command.length === 0) throw badRequest('you must specify at least 1 command');
  const flag = (key: string) => query.get(key) === 'true' || query.get(key) === '1';
  const request: NodeStreamRequest = {
    kind,
    namespace: pod.metadata.namespace ?? '',
    pod: name,
    uid: pod.metadata.uid ?? '',
    container,
    stdin: flag('stdin'),
    stdout: flag('stdout'),
    stderr: flag('stderr'),
    tty: flag('tty'),
    ...(kind === 'exec' ? { command } : {}),
  };
  if (!request.stdin && !request.stdout && !request.stderr) throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (!spec.nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
  if (phase === 'Succeeded' || phase === 'Failed') {
    throw badRequest(`cannot exec into a container in a completed pod; current phase is ${phase}`);
  }
  return { node: spec.nodeName, request };
}

/** pods/portforward: the pod must be on a node; `ports` lists what the client will ask for. */
export function portForwardTarget(pod: KubeObject, query: URLSearchParams): PortForwardTarget {
  const name = pod.metadata.name ?? '';
  if (!(pod.spec as { nodeName?: string } | undefined)?.nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
  const ports = query
    .getAll('ports')
    .flatMap((value) => value.split(','))
    .filter((value) => value !== '')
    .map(Number);
  if (ports.some((port) => !Number.isInteger(port) || port < 1 || port > 65535)) throw badRequest(`invalid port in ${query.getAll('ports').join(',')}`);
  return { namespace: pod.metadata.namespace ?? '', pod: name, uid: pod.metadata.uid ?? '', ports };
}
