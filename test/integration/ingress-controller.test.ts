/**
 * The ingress controller actor against a real cluster (nats-server + API server), with
 * real backend HTTP servers on their own loopback addresses. Services and
 * EndpointSlices are written by hand (no EndpointSlice controller runs), so the test
 * controls readiness exactly. Covers the test (one Ingress, two hosts, each to
 * its own Service), Prefix vs Exact, spreading over endpoints, 503 without a ready
 * endpoint and recovery when one turns ready, the default backend, status.loadBalancer,
 * our IngressClass created at start, and an Ingress of another class left alone.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import { createActor, waitFor, type Actor } from 'xstate';
import type { KubeObject } from '../../src/api/object.ts';
import { ingressMachine } from '../../actors/ingress.machine.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/cluster.ts';

const INGRESSES = 'ingresses.networking.k8s.io';
const SLICES = 'endpointslices.discovery.k8s.io';
const LISTEN = '127.0.94.1';

function backendServer(name: string): Server {
  return createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ server: name, url: req.url, forwardedFor: req.headers['x-forwarded-for'], host: req.headers.host }));
  });
}

async function listen(server: Server, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  return (server.address() as { port: number }).port;
}

function get(port: number, host: string, path: string): Promise<{ status: number; server?: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: LISTEN, port, path, headers: { host }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        const json = res.headers['content-type'] === 'application/json' ? (JSON.parse(body) as { server: string }) : undefined;
        resolve({ status: res.statusCode ?? 0, ...(json ? { server: json.server } : {}) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function service(name: string, ports: { name?: string; port: number; targetPort: number | string }[]): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { ports: ports.map((p) => ({ ...p, protocol: 'TCP' })) } };
}

function endpointSlice(serviceName: string, port: { name?: string; port: number }, endpoints: { ip: string; ready: boolean }[]): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${serviceName}-slice`, namespace: 'default', labels: { 'kubernetes.io/service-name': serviceName } },
    addressType: 'IPv4',
    ports: [{ ...(port.name ? { name: port.name } : {}), port: port.port, protocol: 'TCP' }],
    endpoints: endpoints.map((e) => ({ addresses: [e.ip], conditions: { ready: e.ready } })),
  };
}

type Rule = { host?: string; paths: { path: string; pathType: string; service: string; port: { number?: number; name?: string } }[] };
function ingress(name: string, spec: { className?: string; rules?: Rule[]; defaultBackend?: { service: string; port: { number?: number; name?: string } } }): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: 'default' },
    spec: {
      ...(spec.className ? { ingressClassName: spec.className } : {}),
      ...(spec.defaultBackend ? { defaultBackend: { service: { name: spec.defaultBackend.service, port: spec.defaultBackend.port } } } : {}),
      ...(spec.rules
        ? {
            rules: spec.rules.map((r) => ({
              ...(r.host ? { host: r.host } : {}),
              http: { paths: r.paths.map((p) => ({ path: p.path, pathType: p.pathType, backend: { service: { name: p.service, port: p.port } } })) },
            })),
          }
        : {}),
    },
  };
}

const loadBalancerIps = (object: KubeObject) => ((object.status as { loadBalancer?: { ingress?: { ip?: string }[] } } | undefined)?.loadBalancer?.ingress ?? []).map((i) => i.ip);

describe('ingress controller against a real cluster', () => {
  let cluster: TestCluster;
  let controller: Actor<typeof ingressMachine>;
  let port = 0;
  const servers = { a1: backendServer('a1'), a2: backendServer('a2'), b: backendServer('b'), c: backendServer('c') };
  const ports: Record<string, number> = {};

  before(async () => {
    ports.a1 = await listen(servers.a1, '127.0.95.1');
    ports.a2 = await listen(servers.a2, '127.0.95.2');
    ports.b = await listen(servers.b, '127.0.95.3');
    ports.c = await listen(servers.c, '127.0.95.4');
    cluster = await startTestCluster();
    const { client } = cluster;
    // Service a: two pods, selected by port number; Service b: by port name.
    await client.create('services', service('svc-a', [{ port: 80, targetPort: 'http' }]));
    await client.create(SLICES, endpointSlice('svc-a', { port: ports.a1! }, [{ ip: '127.0.95.1', ready: true }]));
    await client.create('services', service('svc-b', [{ name: 'web', port: 8080, targetPort: 'http' }, { name: 'metrics', port: 9090, targetPort: 9090 }]));
    await client.create(SLICES, endpointSlice('svc-b', { name: 'web', port: ports.b! }, [{ ip: '127.0.95.3', ready: true }]));
    await client.create('services', service('svc-c', [{ port: 80, targetPort: ports.c! }]));
    await client.create(SLICES, endpointSlice('svc-c', { port: ports.c! }, [{ ip: '127.0.95.4', ready: false }]));
    controller = createActor(ingressMachine, { input: { natsUrl: cluster.nats.url, host: LISTEN, port: 0, drainGraceMs: 200 } });
    controller.start();
    const serving = await waitFor(controller, (s) => s.matches('serving'), { timeout: 30_000 });
    port = serving.context.address!.port;
  });

  after(async () => {
    controller.send({ type: 'stop' });
    await waitFor(controller, (s) => s.status === 'done', { timeout: 30_000 });
    await cluster.dispose();
    for (const server of Object.values(servers)) {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('creates its IngressClass at start, marked as the default class', async () => {
    const ingressClass = await cluster.client.get('ingressclasses.networking.k8s.io', undefined, 'jetkube');
    assert.equal((ingressClass.spec as { controller: string }).controller, 'jetkube.io/ingress-controller');
    assert.equal(ingressClass.metadata.annotations?.['ingressclass.kubernetes.io/is-default-class'], 'true');
  });

  it('routes each host of one Ingress to its own Service and publishes its address in status', async () => {
    await cluster.client.create(
      INGRESSES,
      ingress('two-hosts', {
        className: 'jetkube',
        rules: [
          { host: 'a.example.test', paths: [{ path: '/', pathType: 'Prefix', service: 'svc-a', port: { number: 80 } }] },
          { host: 'b.example.test', paths: [{ path: '/', pathType: 'Prefix', service: 'svc-b', port: { name: 'web' } }] },
        ],
      }),
    );
    await eventually(async () => (await get(port, 'a.example.test', '/')).server === 'a1' || undefined, 10_000, 'host a routed');
    assert.equal((await get(port, 'a.example.test', '/any/path')).server, 'a1');
    assert.equal((await get(port, 'b.example.test', '/')).server, 'b');
    assert.equal((await get(port, 'B.Example.Test:80', '/x')).server, 'b');
    assert.equal((await get(port, 'c.example.test', '/')).status, 404);
    const published = await eventually(async () => {
      const object = await cluster.client.get(INGRESSES, 'default', 'two-hosts');
      return loadBalancerIps(object).length > 0 ? object : undefined;
    }, 10_000, 'status.loadBalancer');
    assert.deepEqual(loadBalancerIps(published), [LISTEN]);
  });

  it('spreads requests over every ready endpoint once a second one is added', async () => {
    // Both backends listen on their own ephemeral port: give the second endpoint a slice of its own.
    await cluster.client.create(SLICES, { ...endpointSlice('svc-a', { port: ports.a2! }, [{ ip: '127.0.95.2', ready: true }]), metadata: { name: 'svc-a-slice-2', namespace: 'default', labels: { 'kubernetes.io/service-name': 'svc-a' } } });
    await eventually(async () => (await get(port, 'a.example.test', '/')).server === 'a2' || undefined, 10_000, 'the second endpoint answering');
    const seen: Record<string, number> = {};
    for (let i = 0; i < 20; i++) {
      const { server } = await get(port, 'a.example.test', '/');
      seen[server ?? 'none'] = (seen[server ?? 'none'] ?? 0) + 1;
    }
    assert.equal((seen.a1 ?? 0) + (seen.a2 ?? 0), 20);
    assert.ok(Math.abs((seen.a1 ?? 0) - (seen.a2 ?? 0)) <= 2, `round-robin spread: ${JSON.stringify(seen)}`);
  });

  it('tells Prefix from Exact and prefers the longest match', async () => {
    await cluster.client.create(
      INGRESSES,
      ingress('paths', {
        className: 'jetkube',
        rules: [
          {
            host: 'paths.test',
            paths: [
              { path: '/exact', pathType: 'Exact', service: 'svc-a', port: { number: 80 } },
              { path: '/app', pathType: 'Prefix', service: 'svc-b', port: { number: 8080 } },
              { path: '/app/admin', pathType: 'Prefix', service: 'svc-a', port: { number: 80 } },
            ],
          },
        ],
      }),
    );
    await eventually(async () => (await get(port, 'paths.test', '/app')).server === 'b' || undefined, 10_000, 'paths routed');
    assert.match((await get(port, 'paths.test', '/exact')).server ?? '', /^a/);
    assert.equal((await get(port, 'paths.test', '/exact/more')).status, 404);
    assert.equal((await get(port, 'paths.test', '/app/x')).server, 'b');
    assert.equal((await get(port, 'paths.test', '/apps')).status, 404);
    assert.match((await get(port, 'paths.test', '/app/admin/users')).server ?? '', /^a/);
  });

  it('answers 503 while the Service has no ready endpoint and routes as soon as one is ready', async () => {
    await cluster.client.create(INGRESSES, ingress('not-ready', { className: 'jetkube', rules: [{ host: 'c.test', paths: [{ path: '/', pathType: 'Prefix', service: 'svc-c', port: { number: 80 } }] }] }));
    await eventually(async () => (await get(port, 'c.test', '/')).status === 503 || undefined, 10_000, '503 for c.test');
    const slice = await cluster.client.get(SLICES, 'default', 'svc-c-slice');
    await cluster.client.update(SLICES, { ...slice, endpoints: [{ addresses: ['127.0.95.4'], conditions: { ready: true } }] });
    const routed = await eventually(async () => {
      const res = await get(port, 'c.test', '/');
      return res.status === 200 ? res : undefined;
    }, 5_000, 'c.test routed once ready');
    assert.equal(routed.server, 'c');
  });

  it('leaves an Ingress of another class alone: no route, no status', async () => {
    await cluster.client.create(INGRESSES, ingress('theirs', { className: 'other', rules: [{ host: 'theirs.test', paths: [{ path: '/', pathType: 'Prefix', service: 'svc-a', port: { number: 80 } }] }] }));
    // A served Ingress created after it: once that one has its status, ours has been seen and passed over.
    await cluster.client.create(INGRESSES, ingress('marker', { className: 'jetkube', rules: [{ host: 'marker.test', paths: [{ path: '/', pathType: 'Prefix', service: 'svc-b', port: { number: 8080 } }] }] }));
    await eventually(async () => loadBalancerIps(await cluster.client.get(INGRESSES, 'default', 'marker')).length > 0 || undefined, 10_000, 'marker status');
    await eventually(async () => (await get(port, 'marker.test', '/')).server === 'b' || undefined, 10_000, 'marker routed');
    assert.equal((await get(port, 'theirs.test', '/')).status, 404);
    assert.deepEqual(loadBalancerIps(await cluster.client.get(INGRESSES, 'default', 'theirs')), []);
  });

  it('sends unmatched requests to a defaultBackend, and serves a classless Ingress since our class is the default', async () => {
    await cluster.client.create(INGRESSES, ingress('fallback', { defaultBackend: { service: 'svc-b', port: { number: 8080 } } }));
    await eventually(async () => (await get(port, 'unknown.test', '/whatever')).server === 'b' || undefined, 10_000, 'default backend');
    assert.equal((await get(port, 'theirs.test', '/')).server, 'b');
    const published = await eventually(async () => {
      const ips = loadBalancerIps(await cluster.client.get(INGRESSES, 'default', 'fallback'));
      return ips.length > 0 ? ips : undefined;
    }, 10_000, 'status of the classless Ingress');
    assert.deepEqual(published, [LISTEN]);
  });
});
