/**
 * Streams between the API server and a kubelet (kubectl exec, attach, port-forward), over
 * core NATS. The API server asks `node.<node>.stream` to open a session, naming the inbox
 * where the kubelet sends its frames; the kubelet answers with the subject where it reads
 * the client's frames, or with a Status saying why not. Frames are the channel protocol's
 * (src/streaming/channel-protocol.ts): one channel byte, then data. The API server ends a
 * session whose client went away with a GONE frame; the kubelet ends it with the Status
 * frame (channel 3). Core NATS has no flow control: this is for interactive use, not bulk
 * copies (which is also true of kubectl exec through a real API server).
 */
import { decode, encode } from '@msgpack/msgpack';
import type { Msg, NatsConnection, Subscription } from 'nats';
import { inboxFor } from './connection.ts';
import { isStatus, StatusError, fromStatus, unavailable, type Status } from '../src/api/errors.ts';
import { encodeToken } from './token.ts';

/** Sent by the API server when its client went away: the kubelet stops the command. */
export const GONE = 254;

export interface NodeStreamRequest {
  kind: 'exec' | 'attach' | 'portforward';
  namespace: string;
  pod: string;
  uid: string;
  container?: string;
  command?: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
  /** port-forward: the pod's port to connect to. */
  port?: number;
  /** Only check that the session could open (nothing starts): what the API server asks before refusing a protocol it does not speak, so the client sees the real error first. */
  probe?: boolean;
}

type OpenReply = { ok: true; input: string } | { ok: false; status: Status };

export function nodeStreamSubject(node: string): string {
  return `node.${encodeToken(node)}.stream`;
}

export interface NodeStreamConnection {
  /** A frame for the kubelet (stdin, resize, close). */
  send(frame: Uint8Array): void;
  /** The client went away: the kubelet ends the command. */
  close(): void;
}

/**
 * Opens a session on a node's kubelet. onFrame gets every frame the kubelet sends, in
 * order; a StatusError is thrown when the kubelet refuses (or does not answer).
 */
export async function openNodeStream(
  nc: NatsConnection,
  node: string,
  request: NodeStreamRequest,
  onFrame: (frame: Uint8Array) => void,
  timeoutMs = 10_000,
): Promise<NodeStreamConnection> {
  const inbox = inboxFor(nc);
  const sub = nc.subscribe(inbox, { callback: (_err, msg) => onFrame(msg.data) });
  let reply: OpenReply;
  try {
    const answer = await nc.request(nodeStreamSubject(node), encode({ ...request, replyTo: inbox }), { timeout: timeoutMs });
    reply = decode(answer.data) as OpenReply;
  } catch (error) {
    sub.unsubscribe();
    if (error instanceof StatusError) throw error;
    const why = (error as { code?: string }).code === '503' ? 'no responders' : error instanceof Error ? error.message : String(error);
    throw unavailable(`the kubelet of node ${node} does not answer (${why}); is it running?`);
  }
  if (!reply.ok) {
    sub.unsubscribe();
    throw isStatus(reply.status) ? fromStatus(reply.status) : unavailable(`node ${node} refused the stream`);
  }
  let closed = false;
  return {
    send(frame) {
      if (!closed && !nc.isClosed()) nc.publish(reply.input, frame);
    },
    close() {
      if (closed) return;
      closed = true;
      if (!nc.isClosed()) nc.publish(reply.input, Uint8Array.of(GONE));
      sub.unsubscribe();
    },
  };
}

/** The kubelet's end of one session. */
export interface NodeStreamSession {
  request: NodeStreamRequest;
  /** A frame for the client. */
  send(frame: Uint8Array): void;
  /** Frames from the client, in order; GONE when it went away. */
  onFrame(handler: (frame: Uint8Array) => void): void;
  /** Stops reading the client's frames (after the final Status). */
  end(): void;
}

export interface NodeStreamHandler {
  /** Whether the session could open: throws a StatusError to refuse it. */
  check(request: NodeStreamRequest): void;
  /** Starts a checked session. */
  start(session: NodeStreamSession): void;
}

/** Serves a node's stream requests; the reply is sent once the session started (or was refused). */
export function serveNodeStreams(nc: NatsConnection, node: string, handler: NodeStreamHandler): Subscription {
  return nc.subscribe(nodeStreamSubject(node), {
    callback: (_err, msg) => answer(nc, msg, handler),
  });
}

function answer(nc: NatsConnection, msg: Msg, handler: NodeStreamHandler): void {
  let request: NodeStreamRequest & { replyTo: string };
  try {
    request = decode(msg.data) as NodeStreamRequest & { replyTo: string };
  } catch {
    msg.respond(encode({ ok: false, status: new StatusError(400, 'BadRequest', 'malformed stream request').toStatus() } satisfies OpenReply));
    return;
  }
  try {
    handler.check(request);
  } catch (error) {
    msg.respond(encode({ ok: false, status: refusal(error) } satisfies OpenReply));
    return;
  }
  if (request.probe) {
    msg.respond(encode({ ok: true, input: '' } satisfies OpenReply));
    return;
  }
  const input = inboxFor(nc);
  let onClientFrame: ((frame: Uint8Array) => void) | undefined;
  const early: Uint8Array[] = [];
  const sub = nc.subscribe(input, {
    callback: (_e, m) => {
      if (onClientFrame) onClientFrame(m.data);
      else early.push(m.data);
    },
  });
  const session: NodeStreamSession = {
    request,
    send: (frame) => {
      if (!nc.isClosed()) nc.publish(request.replyTo, frame);
    },
    onFrame: (h) => {
      onClientFrame = h;
      for (const frame of early.splice(0)) h(frame);
    },
    end: () => sub.unsubscribe(),
  };
  try {
    handler.start(session);
    msg.respond(encode({ ok: true, input } satisfies OpenReply));
  } catch (error) {
    sub.unsubscribe();
    msg.respond(encode({ ok: false, status: refusal(error) } satisfies OpenReply));
  }
}

function refusal(error: unknown): Status {
  return error instanceof StatusError ? error.toStatus() : new StatusError(500, 'InternalError', String(error)).toStatus();
}
