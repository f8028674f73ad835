/**
 * The streaming subresources of pods, on an HTTP upgrade. The upgrade is authenticated
 * and checked like any request (a bad one is a plain Status answer, before any upgrade,
 * which kubectl prints); then the API server opens sessions on the pod's kubelet over NATS
 * (streams/node-stream.ts).
 * - exec and attach: WebSocket v5.channel.k8s.io (or v4); frames are relayed both ways
 *   unchanged and the kubelet's Status frame (channel 3) ends the session. kubectl's SPDY
 *   fallback is answered with a Status saying this server speaks WebSocket for these.
 * - portforward: SPDY/3.1, tunnelled in WebSocket (`SPDY/3.1+portforward.k8s.io`, what
 *   kubectl 1.31+ sends first) or on the raw upgraded connection; each forwarded
 *   connection is one kubelet session (src/streaming/port-forward.ts).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { badRequest, fromStatus, StatusError, toStatusError, unauthorized } from '../api/errors.ts';
import type { KubeObject } from '../api/object.ts';
import type { Pipeline } from '../apiserver/pipeline.ts';
import type { Logger } from '../log.ts';
import { CHANNEL_PROTOCOLS, PORT_FORWARD_TUNNEL, STATUS } from '../streaming/channel-protocol.ts';
import { execTarget, portForwardTarget } from '../streaming/exec-request.ts';
import { portForwardStreams, type OpenConnection } from '../streaming/port-forward.ts';
import { SpdySession } from '../streaming/spdy/session.ts';
import type { NodeStreamConnection, NodeStreamRequest } from '../../streams/node-stream.ts';
import { identifyRequest, userInfoOf, type Authenticator } from './auth.ts';
import { requestUrl } from './request-url.ts';
import { checkAccess } from '../auth/access-check.ts';
import { parseRoute } from './route.ts';
import { notServed } from './to-request.ts';

export type OpenNodeStream = (node: string, request: NodeStreamRequest, onFrame: (frame: Uint8Array) => void) => Promise<NodeStreamConnection>;

export interface UpgradeDeps {
  pipeline: Pipeline;
  authenticator: Authenticator;
  openNodeStream?: OpenNodeStream;
  logger: Logger;
}

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export function createUpgradeHandler(deps: UpgradeDeps): UpgradeHandler {
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => [...CHANNEL_PROTOCOLS, PORT_FORWARD_TUNNEL].find((p) => offered.has(p)) ?? false,
  });
  return (req, socket, head) => {
    upgrade(deps, wss, req, socket, head).catch((error: unknown) => {
      const status = toStatusError(error);
      if (status.code >= 500 && status.code !== 503) deps.logger.warn({ err: error, url: req.url }, 'stream upgrade failed');
      refuse(socket, status);
    });
  };
}

async function upgrade(deps: UpgradeDeps, wss: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  const url = requestUrl(req.url);
  const route = parseRoute(url.pathname);
  const identity = await identifyRequest(deps.authenticator, req);
  if (!identity) throw unauthorized();
  if (route.kind !== 'resource' || route.plural !== 'pods' || route.group !== '' || !route.namespace || !route.name) throw notServed('');
  const kind = route.subresource;
  if (kind !== 'exec' && kind !== 'attach' && kind !== 'portforward') throw notServed(`pods/${kind ?? ''}`);
  if (!deps.openNodeStream) throw notServed(`pods/${kind}`);
  // The streams open with a GET upgrade; Kubernetes authorizes them as create on the subresource.
  await checkAccess(deps.pipeline, userInfoOf(identity), { verb: 'create', apiGroup: '', resource: 'pods', subresource: kind, namespace: route.namespace, name: route.name });
  const reply = await deps.pipeline.handle({ verb: 'get', resource: 'pods', namespace: route.namespace, name: route.name });
  if (!reply.ok) throw fromStatus(reply.status);
  const pod = reply.body as KubeObject;
  if (kind === 'portforward') return upgradePortForward(deps.openNodeStream, wss, req, socket, head, pod, url.searchParams);
  const target = execTarget(kind, pod, url.searchParams);
  if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
    // kubectl falls back to SPDY after any failed WebSocket upgrade and prints that
    // answer: so it gets the real reason when there is one, and only then the protocol.
    await deps.openNodeStream(target.node, { ...target.request, probe: true }, () => {});
    throw badRequest(`this API server streams ${kind} over WebSocket (v5.channel.k8s.io) only, not ${req.headers.upgrade ?? 'a plain request'}`);
  }

  // Frames may come before the WebSocket is up: keep them until it is.
  const pending: Uint8Array[] = [];
  let ws: WebSocket | undefined;
  const toClient = (frame: Uint8Array) => {
    if (!ws) return void pending.push(frame);
    if (ws.readyState !== ws.OPEN) return;
    ws.send(frame);
    if (frame[0] === STATUS) ws.close(1000);
  };
  const session = await deps.openNodeStream(target.node, target.request, toClient);
  wss.handleUpgrade(req, socket, head, (client) => {
    ws = client;
    client.on('message', (data: Buffer) => session.send(new Uint8Array(data)));
    client.on('close', () => session.close());
    client.on('error', () => session.close());
    for (const frame of pending.splice(0)) toClient(frame);
  });
}

async function upgradePortForward(
  openNodeStream: OpenNodeStream,
  wss: WebSocketServer,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  pod: KubeObject,
  query: URLSearchParams,
): Promise<void> {
  const target = portForwardTarget(pod, query);
  const node = (pod.spec as { nodeName: string }).nodeName;
  // The node must answer before the upgrade, so that an absent kubelet is a plain error.
  await openNodeStream(node, { kind: 'portforward', namespace: target.namespace, pod: target.pod, uid: target.uid, stdin: false, stdout: false, stderr: false, tty: false, probe: true }, () => {});
  const open: OpenConnection = (request, onFrame) => openNodeStream(node, request, onFrame);
  const upgrade = (req.headers.upgrade ?? '').toLowerCase();
  if (upgrade === 'websocket') {
    wss.handleUpgrade(req, socket, head, (client) => {
      if (client.protocol !== PORT_FORWARD_TUNNEL) return client.close(1002, `port-forward speaks ${PORT_FORWARD_TUNNEL}`);
      let session: SpdySession | undefined;
      session = new SpdySession(
        (bytes) => client.readyState === client.OPEN && client.send(bytes),
        portForwardStreams(target, open, () => session!),
      );
      client.on('message', (data: Buffer) => session!.receive(data));
      client.on('close', () => session!.close());
      client.on('error', () => session!.close());
    });
    return;
  }
  if (upgrade !== 'spdy/3.1') throw badRequest(`port-forward needs an upgrade to SPDY/3.1, not ${req.headers.upgrade ?? 'a plain request'}`);
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n',
  );
  let session: SpdySession | undefined;
  session = new SpdySession((bytes) => void (!socket.destroyed && socket.write(bytes)), portForwardStreams(target, open, () => session!));
  if (head.length > 0) session.receive(head);
  socket.on('data', (data: Buffer) => session!.receive(data));
  socket.on('close', () => session!.close());
  socket.on('error', () => session!.close());
  session.onClose(() => socket.end());
}

/** A refused upgrade: a plain HTTP answer with the Status, then the connection closes. */
function refuse(socket: Duplex, error: StatusError): void {
  if (socket.destroyed) return;
  const body = JSON.stringify(error.toStatus());
  socket.end(
    `HTTP/1.1 ${error.code} ${reasonPhrase(error.code)}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function reasonPhrase(code: number): string {
  return { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 503: 'Service Unavailable' }[code] ?? 'Error';
}
