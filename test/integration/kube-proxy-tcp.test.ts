import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Socket } from 'node:net';
import { once } from 'node:events';
import type { Actor } from 'xstate';
import type { kubeProxyMachine } from '../../actors/kube-proxy.machine.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { LAST_CHANGE_TRIGGER_TIME, PORT_UNAVAILABLE_REASON } from '../../src/proxy/proxy-effects.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/cluster.ts';
import {
  endpointSliceObject,
  httpGet,
  randomNodePort,
  randomServiceIP,
  serviceObject,
  startHttpBackend,
  startKubeProxy,
  stopKubeProxy,
  tcpProbe,
  type HttpBackend,
} from '../support/proxy-fixtures.ts';

const SLICES = 'endpointslices.discovery.k8s.io';

describe('kube-proxy over TCP, with real sockets', () => {
  let cluster: TestCluster;
  let proxy: Actor<typeof kubeProxyMachine>;
  let a: HttpBackend;
  let b: HttpBackend;
  let c: HttpBackend;
  const clusterIP = randomServiceIP();

  async function setEndpoints(name: string, service: string, endpoints: { ip: string; ready?: boolean; serving?: boolean }[]): Promise<number> {
    const current = await cluster.client.get(SLICES, 'default', name).catch(() => undefined);
    const desired = endpointSliceObject(name, service, [{ port: 8080 }], endpoints);
    // As the EndpointSlice controller does: when the change behind this slice happened.
    desired.metadata.annotations = { [LAST_CHANGE_TRIGGER_TIME]: new Date().toISOString() };
    const started = performance.now();
    if (current) await cluster.client.update(SLICES, { ...desired, metadata: { ...desired.metadata, resourceVersion: current.metadata.resourceVersion } });
    else await cluster.client.create(SLICES, desired);
    return started;
  }

  /** Sends requests on fresh connections until `count` in a row come from `expected` backends only; the time that took. */
  async function untilOnly(ip: string, port: number, expected: string[], count = 6): Promise<number> {
    const started = performance.now();
    let inARow = 0;
    await eventually(async () => {
      const body = await httpGet(ip, port).catch(() => '');
      inARow = expected.includes(body) ? inARow + 1 : 0;
      return inARow >= count || undefined;
    }, 5_000, `only ${expected.join(', ')} answering on ${ip}:${port}`);
    return performance.now() - started;
  }

  before(async () => {
    cluster = await startTestCluster();
    [a, b, c] = await Promise.all([startHttpBackend('a'), startHttpBackend('b'), startHttpBackend('c')]);
    proxy = await startKubeProxy({ natsUrl: cluster.nats.url, hostname: 'test-host', listenRetryMs: 200 });
    await cluster.client.create('services', serviceObject('web', { clusterIP, ports: [{ port: 80, targetPort: 8080 }] }));
    await setEndpoints('web-1', 'web', [{ ip: a.ip }, { ip: b.ip }]);
  });

  after(async () => {
    if (proxy) await stopKubeProxy(proxy);
    await Promise.all([a, b, c].filter(Boolean).map((s) => s.close()));
    await cluster?.dispose();
  });

  it('answers 100 requests on ClusterIP:80, spread over both ready endpoints', async () => {
    await eventually(() => httpGet(clusterIP, 80).catch(() => undefined), 5_000, 'the ClusterIP listener');
    const answers = new Map<string, number>();
    const bodies = await Promise.all(Array.from({ length: 100 }, (_, i) => new Promise<void>((r) => setTimeout(r, i)).then(() => httpGet(clusterIP, 80))));
    for (const body of bodies) answers.set(body, (answers.get(body) ?? 0) + 1);
    assert.equal(bodies.length, 100);
    assert.deepEqual([...answers.keys()].sort(), ['a', 'b']);
    assert.ok(answers.get('a')! >= 30 && answers.get('b')! >= 30, `spread: ${JSON.stringify([...answers])}`);
  });

  it('sends nothing to an endpoint that is not ready, and measures how soon the traffic shifts', async (t) => {
    const changed = await setEndpoints('web-1', 'web', [{ ip: a.ip }, { ip: b.ip, ready: false }]);
    await untilOnly(clusterIP, 80, ['a']);
    t.diagnostic(`EndpointSlice update to traffic on ready endpoints only: ${(performance.now() - changed).toFixed(1)} ms (upper bound, 6 requests in a row)`);
    const before = b.hits;
    const bodies = await Promise.all(Array.from({ length: 30 }, () => httpGet(clusterIP, 80)));
    assert.deepEqual(new Set(bodies), new Set(['a']));
    assert.equal(b.hits, before, 'the not-ready endpoint got no request');
    const sync = proxy.getSnapshot().context.lastSync;
    assert.ok(sync && sync.changeToAppliedMs !== undefined && sync.changeToAppliedMs < 1_000, `the proxy applied the change quickly: ${JSON.stringify(sync)}`);
    assert.ok(sync.networkProgrammingMs !== undefined && sync.networkProgrammingMs < 2_000, `network programming latency from the slice's trigger time: ${JSON.stringify(sync)}`);
    t.diagnostic(`network programming latency (trigger time to sockets updated): ${sync.networkProgrammingMs} ms`);
  });

  it('with zero ready endpoints, resets connections at once instead of leaving them hanging', async () => {
    await setEndpoints('web-1', 'web', [{ ip: a.ip, ready: false, serving: false }, { ip: b.ip, ready: false, serving: false }]);
    await eventually(async () => (await tcpProbe(clusterIP, 80)) !== 'connected' || undefined, 5_000, 'the ClusterIP refusing');
    const started = performance.now();
    const outcome = await tcpProbe(clusterIP, 80);
    assert.ok(['ECONNRESET', 'ECONNREFUSED'].includes(outcome), outcome);
    assert.ok(performance.now() - started < 1_000, 'refused quickly, not hung');
    await assert.rejects(httpGet(clusterIP, 80), (err: NodeJS.ErrnoException) => err.code === 'ECONNRESET' || err.code === 'ECONNREFUSED');
  });

  it('keeps an established connection when an endpoint is added', async () => {
    await setEndpoints('web-1', 'web', [{ ip: a.ip }]);
    await untilOnly(clusterIP, 80, ['a'], 2);
    const socket = connect({ host: clusterIP, port: 80 });
    await once(socket, 'connect');
    const exchange = keepAliveExchanger(socket);
    assert.match(await exchange(), /\r\n\r\na$/);
    await setEndpoints('web-1', 'web', [{ ip: a.ip }, { ip: b.ip }, { ip: c.ip }]);
    await eventually(async () => (await httpGet(clusterIP, 80).catch(() => '')) === 'c' || undefined, 5_000, 'the new endpoint getting traffic');
    assert.match(await exchange(), /\r\n\r\na$/, 'the old connection still reaches its backend');
    assert.equal(socket.destroyed, false);
    socket.destroy();
  });

  it('keeps a ClientIP-affine client on one backend, on the ClusterIP and the NodePort alike', async () => {
    const ip = randomServiceIP();
    const nodePort = randomNodePort();
    await cluster.client.create('services', serviceObject('sticky', { type: 'NodePort', clusterIP: ip, sessionAffinity: 'ClientIP', ports: [{ port: 80, targetPort: 8080, nodePort }] }));
    await setEndpoints('sticky-1', 'sticky', [{ ip: a.ip }, { ip: b.ip }, { ip: c.ip }]);
    const first = await eventually(() => httpGet(ip, 80, { localAddress: '127.0.0.5' }).catch(() => undefined), 5_000, 'the sticky Service');
    for (let i = 0; i < 10; i++) {
      assert.equal(await httpGet(ip, 80, { localAddress: '127.0.0.5' }), first);
      assert.equal(await eventually(() => httpGet('127.0.0.1', nodePort, { localAddress: '127.0.0.5' }).catch(() => undefined), 5_000, 'the NodePort'), first);
    }
    const others = new Set(await Promise.all(['127.0.0.6', '127.0.0.7', '127.0.0.8'].map((from) => httpGet(ip, 80, { localAddress: from }))));
    assert.ok(others.size >= 2, 'other clients still spread');
  });

  it('lets the backend see the client address on the ClusterIP (as DNAT does), the proxy\'s on a NodePort (as masquerading does)', async () => {
    const ip = randomServiceIP();
    const nodePort = randomNodePort();
    await cluster.client.create('services', serviceObject('source', { type: 'NodePort', clusterIP: ip, ports: [{ port: 80, targetPort: 8080, nodePort }] }));
    await setEndpoints('source-1', 'source', [{ ip: c.ip }]);
    await eventually(() => httpGet(ip, 80).catch(() => undefined), 5_000, 'the Service');
    assert.equal(await httpGet(ip, 80, { localAddress: '127.0.0.9' }), 'c');
    assert.equal(c.clients.at(-1), '127.0.0.9');
    assert.equal(await eventually(() => httpGet('127.0.0.1', nodePort, { localAddress: '127.0.0.9' }).catch(() => undefined), 5_000, 'the NodePort'), 'c');
    assert.notEqual(c.clients.at(-1), '127.0.0.9');
  });

  it('serves a NodePort on 127.0.0.1, and closes the listeners of a deleted Service', async () => {
    const ip = randomServiceIP();
    const nodePort = randomNodePort();
    await cluster.client.create('services', serviceObject('np', { type: 'NodePort', clusterIP: ip, ports: [{ port: 80, targetPort: 8080, nodePort }] }));
    await setEndpoints('np-1', 'np', [{ ip: b.ip }]);
    assert.equal(await eventually(() => httpGet('127.0.0.1', nodePort).catch(() => undefined), 5_000, 'the NodePort'), 'b');
    assert.equal(await httpGet(ip, 80), 'b');
    await cluster.client.delete('services', 'default', 'np');
    await eventually(async () => (await tcpProbe('127.0.0.1', nodePort)) === 'ECONNREFUSED' || undefined, 5_000, 'the NodePort closed');
    assert.equal(await tcpProbe(ip, 80), 'ECONNREFUSED');
    assert.ok(![...proxy.getSnapshot().context.session!.listeners.listening().keys()].some((k) => k.endsWith(`:${nodePort}`)));
  });

  it('reports a port another process holds with a Warning Event, and takes it once freed', async () => {
    const ip = randomServiceIP();
    const holder = createServer();
    holder.listen(80, ip);
    await once(holder, 'listening');
    await cluster.client.create('services', serviceObject('held', { clusterIP: ip, ports: [{ port: 80, targetPort: 8080 }] }));
    await setEndpoints('held-1', 'held', [{ ip: a.ip }]);
    const event = await eventually(async () => {
      const events = await cluster.client.list('events', 'default');
      return events.items.find((e) => (e as KubeObject & { reason?: string; involvedObject?: { name?: string } }).involvedObject?.name === 'held' && (e as { reason?: string }).reason === PORT_UNAVAILABLE_REASON);
    }, 5_000, 'the Warning Event');
    assert.equal((event as { type?: string }).type, 'Warning');
    assert.match((event as { message?: string }).message ?? '', new RegExp(`${ip.replace(/\./g, '\\.')}:80/TCP.*another process holds the port`));
    assert.ok(proxy.getSnapshot().matches('online'), 'the proxy carries on');
    await new Promise<void>((resolve) => holder.close(() => resolve()));
    assert.equal(await eventually(() => httpGet(ip, 80).catch(() => undefined), 5_000, 'the listener once the port is free'), 'a');
  });
});

/** Sends one keep-alive HTTP/1.1 request per call on the same socket; resolves to the raw response. */
function keepAliveExchanger(socket: Socket): () => Promise<string> {
  return () =>
    new Promise((resolve, reject) => {
      let response = '';
      const onData = (chunk: Buffer) => {
        response += chunk.toString();
        const match = /content-length: (\d+)/i.exec(response);
        const headerEnd = response.indexOf('\r\n\r\n');
        if (match && headerEnd >= 0 && response.length >= headerEnd + 4 + Number(match[1])) {
          socket.off('data', onData);
          resolve(response);
        }
      };
      socket.on('data', onData);
      socket.once('error', reject);
      socket.write('GET / HTTP/1.1\r\nHost: web\r\nConnection: keep-alive\r\n\r\n');
    });
}
