/**
 * The kubelet's streaming server: one NATS subscription per node for every session the
 * API server opens (exec, port-forward), dispatched by kind. Attach is refused for now.
 */
import type { NatsConnection, Subscription } from 'nats';
import { StatusError } from '../api/errors.ts';
import type { Logger } from '../log.ts';
import { serveNodeStreams, type NodeStreamHandler } from '../../streams/node-stream.ts';
import { execHandler, type FindContainer } from './exec-server.ts';
import { portForwardHandler, type PodAddress } from './port-forward-server.ts';

export interface KubeletStreamsDeps {
  findContainer: FindContainer;
  podAddress: PodAddress;
  logger: Logger;
}

export function serveKubeletStreams(nc: NatsConnection, node: string, deps: KubeletStreamsDeps): Subscription {
  const handlers: Record<string, NodeStreamHandler> = {
    exec: execHandler(deps.findContainer, deps.logger),
    portforward: portForwardHandler(deps.podAddress),
  };
  const handlerFor = (kind: string): NodeStreamHandler => {
    const handler = handlers[kind];
    if (!handler) throw new StatusError(400, 'BadRequest', `${kind} is not supported by this kubelet yet`);
    return handler;
  };
  return serveNodeStreams(nc, node, {
    check: (request) => handlerFor(request.kind).check(request),
    start: (session) => handlerFor(session.request.kind).start(session),
  });
}
