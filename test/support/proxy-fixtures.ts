/**
 * Fixtures for kube-proxy tests: backends (HTTP, raw TCP, UDP echo) on their own
 * loopback addresses that answer with their name, Services and EndpointSlices written
 * by hand (no controller runs), a kube-proxy actor, and clients that report who answered.
 * Addresses are random inside ranges no pod or other test uses by default (Services in
 * 127.96.100.0-127.96.249.255, backends in 127.200.0.0-127.249.255.255), so test files
 * running side by side do not collide.
 */
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { createServer as createHttpServer, request, type Server as HttpServer } from 'node:http';
import { connect } from 'node:net';
import { createActor, waitFor, type Actor } from 'xstate';
import { kubeProxyMachine, type KubeProxyInput } from '../../actors/kube-proxy.machine.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { NODE_PORT_RANGE } from '../../src/net/cluster-network.ts';
import { SERVICE_NAME_LABEL } from '../../src/proxy/endpoints.ts';

const random = (n: number) => Math.floor(Math.random() * n);
const used = new Set<string>();
function unique(make: () => string): string {
  for (;;) {
    const value = make();
    if (!used.has(value)) {
      used.add(value);
      return value;
    }
  }
}

export const randomServiceIP = () => unique(() => `127.96.${100 + random(150)}.${1 + random(254)}`);
export const randomBackendIP = () => unique(() => `127.${200 + random(50)}.${random(256)}.${1 + random(254)}`);
export const randomNodePort = () => Number(unique(() => String(NODE_PORT_RANGE.min + 1000 + random(NODE_PORT_RANGE.max - NODE_PORT_RANGE.min - 1000))));

export interface HttpBackend {
  name: string;
  ip: string;
  port: number;
  hits: number;
  /** The source address of every request, in order. */
  clients: string[];
  server: HttpServer;
  close(): Promise<void>;
}

/** An HTTP server that answers every request with its name. */
export async function startHttpBackend(name: string, port = 8080): Promise<HttpBackend> {
  const ip = randomBackendIP();
  const backend: HttpBackend = {
    name,
    ip,
    port,
    hits: 0,
    clients: [],
    server: createHttpServer((req, res) => {
      backend.hits++;
      backend.clients.push(req.socket.remoteAddress ?? '');
      req.resume();
      req.on('end', () => res.end(name));
    }),
    async close() {
      backend.server.closeAllConnections();
      await new Promise<void>((resolve) => backend.server.close(() => resolve()));
    },
  };
  backend.server.listen(port, ip);
  await once(backend.server, 'listening');
  return backend;
}

export interface UdpBackend {
  name: string;
  ip: string;
  port: number;
  /** The source address of every datagram, in order. */
  clients: string[];
  close(): Promise<void>;
}

/** A UDP server that echoes every datagram prefixed with its name: `<name>:<payload>`. */
export async function startUdpEchoBackend(name: string, port = 5353): Promise<UdpBackend> {
  const ip = randomBackendIP();
  const socket = createSocket('udp4');
  const clients: string[] = [];
  socket.on('message', (message, rinfo) => {
    clients.push(rinfo.address);
    socket.send(`${name}:${message.toString()}`, rinfo.port, rinfo.address);
  });
  socket.bind(port, ip);
  await once(socket, 'listening');
  return { name, ip, port, clients, close: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
}

export function serviceObject(name: string, spec: Record<string, unknown>, namespace = 'default'): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec };
}

export interface SliceEndpoint {
  ip: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

export function endpointSliceObject(
  name: string,
  service: string,
  ports: { name?: string; port: number; protocol?: 'TCP' | 'UDP' }[],
  endpoints: SliceEndpoint[],
  namespace = 'default',
): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace, labels: { [SERVICE_NAME_LABEL]: service } },
    addressType: 'IPv4',
    ports: ports.map((p) => ({ name: p.name ?? '', protocol: p.protocol ?? 'TCP', port: p.port })),
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      conditions: { ready: e.ready ?? true, serving: e.serving ?? e.ready ?? true, terminating: e.terminating ?? false },
    })),
  };
}

export async function startKubeProxy(input: KubeProxyInput): Promise<Actor<typeof kubeProxyMachine>> {
  const actor = createActor(kubeProxyMachine, { input });
  actor.start();
  await waitFor(actor, (s) => s.matches({ online: 'idle' }), { timeout: 20_000 });
  return actor;
}

export async function stopKubeProxy(actor: Actor<typeof kubeProxyMachine>): Promise<void> {
  actor.send({ type: 'stop' });
  await waitFor(actor, (s) => s.status === 'done', { timeout: 20_000 });
}

/** One HTTP GET on a fresh connection (optionally from a given local address); resolves to the body. */
export function httpGet(host: string, port: number, options: { localAddress?: string; timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/', agent: false, ...(options.localAddress ? { localAddress: options.localAddress } : {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
      res.on('error', reject);
    });
    req.setTimeout(options.timeoutMs ?? 2_000, () => req.destroy(new Error(`GET ${host}:${port} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** How a bare TCP connect ends: 'connected' (then closed by us), or the error code (ECONNREFUSED, ECONNRESET). */
export function tcpProbe(host: string, port: number, timeoutMs = 2_000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('TIMEOUT');
    }, timeoutMs);
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(err.code ?? 'ERROR');
    });
    // A proxy with no backend accepts and resets at once: wait a moment for the reset.
    socket.once('connect', () => {
      socket.once('close', () => {
        clearTimeout(timer);
        resolve('ECONNRESET');
      });
      setTimeout(() => {
        if (socket.destroyed) return;
        clearTimeout(timer);
        socket.destroy();
        resolve('connected');
      }, 200);
    });
  });
}

/** One datagram to host:port from a given socket; resolves to the reply and who sent it. */
export async function udpExchange(socket: ReturnType<typeof createSocket>, host: string, port: number, payload: string, timeoutMs = 2_000): Promise<{ reply: string; from: string }> {
  const answer = once(socket, 'message', { signal: AbortSignal.timeout(timeoutMs) }) as Promise<[Buffer, { address: string; port: number }]>;
  socket.send(payload, port, host);
  const [message, rinfo] = await answer;
  return { reply: message.toString(), from: `${rinfo.address}:${rinfo.port}` };
}
