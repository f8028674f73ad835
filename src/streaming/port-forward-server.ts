/**
 * The kubelet's end of kubectl port-forward: each session is one TCP connection to the
 * pod's address and port. Client bytes (STDIN) are written to it, its bytes go back as
 * STDOUT, the client's end of input half-closes it, and its end (or failure) is the
 * final Status frame.
 */
import { connect } from 'node:net';
import { StatusError } from '../api/errors.ts';
import type { NodeStreamHandler, NodeStreamRequest, NodeStreamSession } from '../../streams/node-stream.ts';
import { GONE } from '../../streams/node-stream.ts';
import { CLOSE, errorStatus, exitStatus, frame, parseFrame, STATUS, STDIN, STDOUT } from './channel-protocol.ts';

/** The address of a pod running on this node, if it runs here. */
export type PodAddress = (namespace: string, pod: string, uid: string) => string | undefined;

export function portForwardHandler(podAddress: PodAddress): NodeStreamHandler {
  const addressOf = (request: NodeStreamRequest): string => {
    const address = podAddress(request.namespace, request.pod, request.uid);
    if (!address) throw new StatusError(404, 'NotFound', `pod ${request.namespace}/${request.pod} is not running on this node`);
    return address;
  };
  return {
    check: (request) => void addressOf(request),
    start: (session) => {
      if (!session.request.port) throw new StatusError(400, 'BadRequest', 'a port is required');
      forward(session, addressOf(session.request));
    },
  };
}

function forward(session: NodeStreamSession, address: string): void {
  const { request } = session;
  const socket = connect({ host: address, port: request.port! });
  let failed: string | undefined;
  socket.on('data', (chunk: Buffer) => session.send(frame(STDOUT, chunk)));
  socket.on('error', (error: NodeJS.ErrnoException) => {
    failed = `error forwarding port ${request.port} to pod ${request.namespace}/${request.pod}: dial tcp ${address}:${request.port}: ${error.code === 'ECONNREFUSED' ? 'connect: connection refused' : error.message}`;
  });
  socket.on('close', () => {
    session.send(frame(STATUS, JSON.stringify(failed ? errorStatus(failed) : exitStatus(0, []))));
    session.end();
  });
  session.onFrame((message) => {
    const parsed = parseFrame(message);
    if (!parsed) return;
    if (parsed.channel === STDIN) socket.write(parsed.data);
    else if (parsed.channel === CLOSE && parsed.data[0] === STDIN) socket.end();
    else if (parsed.channel === GONE) socket.destroy();
  });
}
