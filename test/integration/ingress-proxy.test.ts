/**
 * The ingress proxy over real sockets with a fixed routing table (no API server): it
 * forwards to the routed backend with X-Forwarded-* headers and the client's Host,
 * streams request bodies, answers 404/503/502 itself, moves on to the next endpoint when
 * one refuses a connection, retries on a fresh connection when a pooled one was closed, relays WebSocket upgrades, and falls back to another port
 * when its preferred one cannot be bound.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { componentLogger } from '../../src/log.ts';
import { RoundRobinBalancer } from '../../src/ingress/balancer.ts';
import { listenWithFallback } from '../../src/ingress/listen.ts';
import { createIngressProxy, type IngressProxy } from '../../src/ingress/proxy-server.ts';
import { buildRoutingTable } from '../../src/ingress/routing-table.ts';
import type { KubeObject } from '../../src/api/object.ts';

const log = componentLogger('ingress-test');

interface Echo {
  server: string;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

async function listen(server: Server, host: string, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

function echoServer(name: string): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const echo: Echo = { server: name, method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() };
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] });
      res.end(JSON.stringify(echo));
    });
  });
}

function get(port: number, host: string, path: string, options: { method?: string; body?: string; address?: string } = {}): Promise<{ status: number; body: string; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: options.address ?? '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { host }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

function objects(endpoints: Record<string, { ip: string; port: number }[]>): { ingresses: KubeObject[]; ingressClasses: KubeObject[]; services: KubeObject[]; endpointSlices: KubeObject[] } {
  const names = Object.keys(endpoints);
  return {
    ingressClasses: [{ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'jetkube' }, spec: { controller: 'jetkube.io/ingress-controller' } }],
    ingresses: [
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'test', namespace: 'default' },
        spec: {
          ingressClassName: 'jetkube',
          rules: names.map((n) => ({ host: `${n}.test`, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: n, port: { number: 80 } } } }] } })),
        },
      },
    ],
    services: names.map((n) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: n, namespace: 'default' }, spec: { ports: [{ port: 80 }] } })),
    endpointSlices: names.flatMap((n) =>
      endpoints[n]!.map((e, i) => ({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: `${n}-${i}`, namespace: 'default', labels: { 'kubernetes.io/service-name': n } },
        addressType: 'IPv4',
        ports: [{ port: e.port, protocol: 'TCP' }],
        endpoints: [{ addresses: [e.ip] }],
      })),
    ),
  };
}

describe('ingress proxy', () => {
  const backendA = echoServer('a');
  const backendB = echoServer('b');
  // Answers the first request on a connection, then drops the connection on the next one,
  // as a backend whose keep-alive timeout ran out just as the proxy reused the connection.
  const servedOn = new WeakSet<object>();
  const dropping = createServer((req, res) => {
    if (servedOn.has(req.socket)) return req.socket.destroy();
    servedOn.add(req.socket);
    req.resume();
    res.end('fresh');
  });
  const wsHttp = createServer();
  const wss = new WebSocketServer({ server: wsHttp });
  let proxy: IngressProxy;
  let port = 0;
  let refusedPort = 0;

  before(async () => {
    const portA = await listen(backendA, '127.0.93.1');
    const portB = await listen(backendB, '127.0.93.2');
    const wsPort = await listen(wsHttp, '127.0.93.3');
    const droppingPort = await listen(dropping, '127.0.93.5');
    wss.on('connection', (socket, req) => socket.on('message', (data) => socket.send(`echo ${data.toString()} via ${req.headers['x-forwarded-for']}`)));
    // A port nobody listens on: bound, then released.
    const probe = createServer();
    refusedPort = await listen(probe, '127.0.93.4');
    await new Promise<void>((r) => probe.close(() => r()));
    const table = buildRoutingTable(
      objects({
        a: [{ ip: '127.0.93.1', port: portA }],
        b: [{ ip: '127.0.93.2', port: portB }],
        ws: [{ ip: '127.0.93.3', port: wsPort }],
        flaky: [{ ip: '127.0.93.4', port: refusedPort }, { ip: '127.0.93.1', port: portA }],
        dead: [{ ip: '127.0.93.4', port: refusedPort }],
        none: [],
        stale: [{ ip: '127.0.93.5', port: droppingPort }],
      }),
      'jetkube.io/ingress-controller',
    );
    proxy = createIngressProxy({ table: () => table, balancer: new RoundRobinBalancer(), log });
    port = await listen(proxy.server, '127.0.93.10');
  });

  after(async () => {
    await proxy.close(100);
    wss.close();
    for (const server of [backendA, backendB, wsHttp, dropping]) {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('forwards to the backend of the Host with X-Forwarded-* set and the response relayed whole', async () => {
    const res = await get(port, 'a.test:8000', '/some/path?q=1', { address: '127.0.93.10' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.headers['set-cookie'], ['a=1', 'b=2']);
    const echo = JSON.parse(res.body) as Echo;
    assert.equal(echo.server, 'a');
    assert.equal(echo.url, '/some/path?q=1');
    assert.equal(echo.headers.host, 'a.test:8000');
    assert.equal(echo.headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(echo.headers['x-forwarded-host'], 'a.test:8000');
    assert.equal(echo.headers['x-forwarded-proto'], 'http');
    assert.equal(echo.headers['x-forwarded-port'], String(port));
    const b = JSON.parse((await get(port, 'b.test', '/', { address: '127.0.93.10' })).body) as Echo;
    assert.equal(b.server, 'b');
  });

  it('streams a request body through', async () => {
    const res = await get(port, 'b.test', '/upload', { address: '127.0.93.10', method: 'POST', body: 'x'.repeat(200_000) });
    const echo = JSON.parse(res.body) as Echo;
    assert.equal(echo.method, 'POST');
    assert.equal(echo.body.length, 200_000);
  });

  it('answers 404 without a rule, 503 without a ready endpoint, 502 when the only endpoint refuses', async () => {
    assert.equal((await get(port, 'nowhere.test', '/', { address: '127.0.93.10' })).status, 404);
    assert.equal((await get(port, 'none.test', '/', { address: '127.0.93.10' })).status, 503);
    assert.equal((await get(port, 'dead.test', '/', { address: '127.0.93.10' })).status, 502);
  });

  it('tries the next endpoint when one refuses the connection', async () => {
    for (let i = 0; i < 4; i++) {
      const res = await get(port, 'flaky.test', '/', { address: '127.0.93.10' });
      assert.equal(res.status, 200);
      assert.equal((JSON.parse(res.body) as Echo).server, 'a');
    }
  });

  it('retries a request once on a fresh connection when a pooled one turns out to be closed', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await get(port, 'stale.test', '/', { address: '127.0.93.10' });
      assert.equal(res.status, 200, `request ${i}`);
      assert.equal(res.body, 'fresh');
    }
  });

  it('relays a WebSocket upgrade both ways', async () => {
    const socket = new WebSocket(`ws://127.0.93.10:${port}/chat`, { headers: { host: 'ws.test' } });
    const reply = await new Promise<string>((resolve, reject) => {
      socket.on('open', () => socket.send('hello'));
      socket.on('message', (data) => resolve(data.toString()));
      socket.on('error', reject);
    });
    assert.equal(reply, 'echo hello via 127.0.0.1');
    socket.close();
  });

  it('falls back to another port when the preferred one cannot be bound', async () => {
    const holder = createServer();
    const taken = await listen(holder, '127.0.93.11');
    const server = createServer();
    try {
      const bound = await listenWithFallback(server, { host: '127.0.93.11', defaultPort: taken, fallbackPort: 0 }, log);
      assert.notEqual(bound.port, taken);
      assert.ok(bound.port > 0);
      await assert.rejects(listenWithFallback(createServer(), { host: '127.0.93.11', port: taken }, log), /EADDRINUSE/);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
      await new Promise<void>((r) => holder.close(() => r()));
    }
  });
});
