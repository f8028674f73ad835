/**
 * kubectl port-forward's streams (portforward.k8s.io) over a SPDY session: for every
 * forwarded connection the client opens an `error` and a `data` stream with the same
 * `requestid` and the pod's `port`. The API server opens one node-stream session per
 * connection on the pod's kubelet, which connects to the pod's port; bytes go both ways
 * as STDIN/STDOUT frames, and a failure is written on the error stream, which kubectl
 * prints. Ports outside the request's `ports` list are refused.
 */
import type { NodeStreamConnection, NodeStreamRequest } from '../../streams/node-stream.ts';
import { CLOSE, frame, parseFrame, STATUS, STDIN, STDOUT } from './channel-protocol.ts';
import type { SpdySession, SpdyStream } from './spdy/session.ts';
import { RST_PROTOCOL_ERROR } from './spdy/frames.ts';

export type OpenConnection = (request: NodeStreamRequest, onFrame: (frame: Uint8Array) => void) => Promise<NodeStreamConnection>;

interface Pair {
  error?: SpdyStream;
  data?: SpdyStream;
}

export interface PortForwardTarget {
  namespace: string;
  pod: string;
  uid: string;
  /** The ports the request named (?ports=); empty means any. */
  ports: number[];
}

/** Handles the streams of one SPDY session; returns the handler to give the session. */
export function portForwardStreams(target: PortForwardTarget, open: OpenConnection, session: () => SpdySession): (stream: SpdyStream) => void {
  const pairs = new Map<string, Pair>();
  const connections = new Set<NodeStreamConnection>();
  let watching = false;
  return (stream) => {
    if (!watching) {
      watching = true;
      session().onClose(() => connections.forEach((c) => c.close()));
    }
    const type = stream.header('streamtype');
    const requestId = stream.header('requestid') ?? '';
    const pair = pairs.get(requestId) ?? {};
    pairs.set(requestId, pair);
    if (type === 'error') pair.error = stream;
    else if (type === 'data') pair.data = stream;
    else return stream.reset(RST_PROTOCOL_ERROR);
    if (!pair.error || !pair.data) return;
    pairs.delete(requestId);
    void forward(target, Number(stream.header('port')), pair.error, pair.data, open, connections);
  };
}

async function forward(
  target: PortForwardTarget,
  port: number,
  errorStream: SpdyStream,
  dataStream: SpdyStream,
  open: OpenConnection,
  connections: Set<NodeStreamConnection>,
): Promise<void> {
  const fail = (message: string) => {
    errorStream.write(Buffer.from(message));
    errorStream.end();
    dataStream.end();
  };
  if (!Number.isInteger(port) || port < 1 || port > 65535) return fail(`invalid port ${String(port)}`);
  if (target.ports.length > 0 && !target.ports.includes(port)) return fail(`port ${port} was not asked for in this request`);
  let connection: NodeStreamConnection;
  try {
    connection = await open(
      { kind: 'portforward', namespace: target.namespace, pod: target.pod, uid: target.uid, port, stdin: true, stdout: true, stderr: false, tty: false },
      (message) => {
        const parsed = parseFrame(message);
        if (!parsed) return;
        if (parsed.channel === STDOUT) dataStream.write(parsed.data);
        else if (parsed.channel === STATUS) {
          const status = JSON.parse(Buffer.from(parsed.data).toString()) as { status?: string; message?: string };
          if (status.status !== 'Success') errorStream.write(Buffer.from(status.message ?? 'port-forward failed'));
          errorStream.end();
          dataStream.end();
          connections.delete(connection);
        }
      },
    );
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
  connections.add(connection);
  dataStream.onData((data) => connection.send(frame(STDIN, data)));
  dataStream.onEnd(() => connection.send(frame(CLOSE, Uint8Array.of(STDIN))));
}
