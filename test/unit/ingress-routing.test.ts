/**
 * The ingress routing table as a pure function of objects: which Ingresses are ours,
 * host and path matching as the Ingress API defines them, precedence, default backends,
 * and Service backends resolved to ready endpoints.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.ts';
import { resolveBackend, indexServices } from '../../src/ingress/backend-endpoints.ts';
import { hostMatches, requestHostOf } from '../../src/ingress/host-match.ts';
import { ourClasses, servesIngress, INGRESS_CONTROLLER_NAME } from '../../src/ingress/ingress-class.ts';
import { pathMatches, prefixMatches, requestPathOf } from '../../src/ingress/path-match.ts';
import { buildRoutingTable, routeRequest, type RoutingObjects } from '../../src/ingress/routing-table.ts';
import { desiredIngressStatus, publishedAddress } from '../../src/ingress/ingress-status.ts';
import { RoundRobinBalancer } from '../../src/ingress/balancer.ts';
import { forwardedRequestHeaders } from '../../src/ingress/forwarded-headers.ts';

const CONTROLLER = INGRESS_CONTROLLER_NAME;

function ingressClass(name: string, controller = CONTROLLER, isDefault = false): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name, ...(isDefault ? { annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } } : {}) },
    spec: { controller },
  };
}

type Path = { path?: string; pathType: string; service: string; port: number | string };
function backend(service: string, port: number | string) {
  return { service: { name: service, port: typeof port === 'number' ? { number: port } : { name: port } } };
}
function ingress(
  name: string,
  spec: { className?: string; rules?: { host?: string; paths: Path[] }[]; defaultBackend?: { service: string; port: number | string } },
  meta: { created?: string; namespace?: string; annotations?: Record<string, string> } = {},
): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: meta.namespace ?? 'default', creationTimestamp: meta.created ?? '2026-01-01T00:00:00Z', ...(meta.annotations ? { annotations: meta.annotations } : {}) },
    spec: {
      ...(spec.className ? { ingressClassName: spec.className } : {}),
      ...(spec.defaultBackend ? { defaultBackend: backend(spec.defaultBackend.service, spec.defaultBackend.port) } : {}),
      rules: (spec.rules ?? []).map((r) => ({
        ...(r.host ? { host: r.host } : {}),
        http: { paths: r.paths.map((p) => ({ ...(p.path !== undefined ? { path: p.path } : {}), pathType: p.pathType, backend: backend(p.service, p.port) })) },
      })),
    },
  };
}

function service(name: string, ports: { name?: string; port: number; targetPort?: number | string }[], namespace = 'default'): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { ports } };
}

function slice(serviceName: string, ports: { name?: string; port: number }[], endpoints: { ip: string; ready?: boolean }[], name = `${serviceName}-abc`): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': serviceName } },
    addressType: 'IPv4',
    ports: ports.map((p) => ({ ...(p.name !== undefined ? { name: p.name } : {}), port: p.port, protocol: 'TCP' })),
    endpoints: endpoints.map((e) => ({ addresses: [e.ip], ...(e.ready === undefined ? {} : { conditions: { ready: e.ready } }) })),
  };
}

/** Services a..z each with one port 80 -> 8080 and one ready endpoint 10.0.0.<n>. */
function world(ingresses: KubeObject[], classes = [ingressClass('jetkube')], names = ['a', 'b', 'c', 'd', 'def', 'other']): RoutingObjects {
  return {
    ingresses,
    ingressClasses: classes,
    services: names.map((n) => service(n, [{ port: 80, targetPort: 8080 }])),
    endpointSlices: names.map((n, i) => slice(n, [{ port: 8080 }], [{ ip: `10.0.0.${i + 1}` }])),
  };
}

function serviceFor(objects: RoutingObjects, host: string, path: string): string | undefined {
  const match = routeRequest(buildRoutingTable(objects, CONTROLLER), host, path);
  return match.kind === 'backend' ? match.route.backend.service : undefined;
}

describe('ingress path matching', () => {
  it('Prefix matches element-wise, ignoring a trailing slash on either side', () => {
    assert.equal(prefixMatches('/', '/anything/at/all'), true);
    assert.equal(prefixMatches('/foo', '/foo'), true);
    assert.equal(prefixMatches('/foo', '/foo/'), true);
    assert.equal(prefixMatches('/foo/', '/foo'), true);
    assert.equal(prefixMatches('/foo', '/foo/bar'), true);
    assert.equal(prefixMatches('/foo', '/foobar'), false);
    assert.equal(prefixMatches('/aaa/bb', '/aaa/bbb'), false);
    assert.equal(prefixMatches('/aaa/bbb', '/aaa/bbb/ccc'), true);
    assert.equal(prefixMatches('/foo/bar', '/foo'), false);
    assert.equal(prefixMatches('/Foo', '/foo'), false);
  });

  it('Exact matches the whole path, case and trailing slash included', () => {
    assert.equal(pathMatches('Exact', '/foo', '/foo'), true);
    assert.equal(pathMatches('Exact', '/foo', '/foo/'), false);
    assert.equal(pathMatches('Exact', '/foo', '/foo/bar'), false);
    assert.equal(pathMatches('Exact', '/foo', '/FOO'), false);
  });

  it('takes the path from origin-form and absolute-form targets', () => {
    assert.equal(requestPathOf('/a/b?x=1'), '/a/b');
    assert.equal(requestPathOf('http://h.example/a/b?x'), '/a/b');
    assert.equal(requestPathOf('http://h.example'), '/');
    assert.equal(requestPathOf(undefined), '/');
  });
});

describe('ingress host matching', () => {
  it('strips the port and lower-cases the Host header', () => {
    assert.equal(requestHostOf('Foo.Example.com:8080'), 'foo.example.com');
    assert.equal(requestHostOf('[::1]:80'), '::1');
    assert.equal(requestHostOf('foo.example.com.'), 'foo.example.com');
  });

  it('a wildcard matches exactly one more label', () => {
    assert.equal(hostMatches('*.example.com', 'a.example.com'), true);
    assert.equal(hostMatches('*.example.com', 'example.com'), false);
    assert.equal(hostMatches('*.example.com', 'a.b.example.com'), false);
    assert.equal(hostMatches('foo.example.com', 'foo.example.com'), true);
    assert.equal(hostMatches('', 'anything'), true);
  });
});

describe('ingress class selection', () => {
  it('serves Ingresses naming one of our classes, and classless ones only when our class is the default', () => {
    const mine = ourClasses([ingressClass('jetkube'), ingressClass('nginx', 'k8s.io/ingress-nginx')], CONTROLLER);
    assert.equal(servesIngress(ingress('x', { className: 'jetkube' }), mine), true);
    assert.equal(servesIngress(ingress('x', { className: 'nginx' }), mine), false);
    assert.equal(servesIngress(ingress('x', {}), mine), false);
    const defaulted = ourClasses([ingressClass('jetkube', CONTROLLER, true)], CONTROLLER);
    assert.equal(servesIngress(ingress('x', {}), defaulted), true);
    assert.equal(servesIngress(ingress('x', { className: 'nginx' }), defaulted), false);
  });

  it('honours the deprecated kubernetes.io/ingress.class annotation when no class name is set', () => {
    const defaulted = ourClasses([ingressClass('jetkube', CONTROLLER, true)], CONTROLLER);
    assert.equal(servesIngress(ingress('x', {}, { annotations: { 'kubernetes.io/ingress.class': 'jetkube' } }), defaulted), true);
    assert.equal(servesIngress(ingress('x', {}, { annotations: { 'kubernetes.io/ingress.class': 'nginx' } }), defaulted), false);
  });

  it('a class whose controller is someone else does not make us serve it, even with our name', () => {
    const classes = ourClasses([ingressClass('jetkube', 'example.com/other')], CONTROLLER);
    assert.equal(servesIngress(ingress('x', { className: 'jetkube' }), classes), false);
  });
});

describe('ingress routing table', () => {
  it('routes two hosts to their own Services and answers none for an unknown host', () => {
    const objects = world([
      ingress('two-hosts', {
        className: 'jetkube',
        rules: [
          { host: 'a.example.com', paths: [{ path: '/', pathType: 'Prefix', service: 'a', port: 80 }] },
          { host: 'b.example.com', paths: [{ path: '/', pathType: 'Prefix', service: 'b', port: 80 }] },
        ],
      }),
    ]);
    assert.equal(serviceFor(objects, 'a.example.com', '/x'), 'a');
    assert.equal(serviceFor(objects, 'b.example.com', '/'), 'b');
    assert.equal(serviceFor(objects, 'c.example.com', '/'), undefined);
  });

  it('the longest matching path wins, and Exact beats Prefix at equal length', () => {
    const objects = world([
      ingress('paths', {
        className: 'jetkube',
        rules: [
          {
            host: 'h.example.com',
            paths: [
              { path: '/', pathType: 'Prefix', service: 'a', port: 80 },
              { path: '/api', pathType: 'Prefix', service: 'b', port: 80 },
              { path: '/api', pathType: 'Exact', service: 'c', port: 80 },
              { path: '/api/v2', pathType: 'ImplementationSpecific', service: 'd', port: 80 },
            ],
          },
        ],
      }),
    ]);
    assert.equal(serviceFor(objects, 'h.example.com', '/api'), 'c');
    assert.equal(serviceFor(objects, 'h.example.com', '/api/'), 'b');
    assert.equal(serviceFor(objects, 'h.example.com', '/api/v1'), 'b');
    assert.equal(serviceFor(objects, 'h.example.com', '/api/v2/x'), 'd');
    assert.equal(serviceFor(objects, 'h.example.com', '/apix'), 'a');
  });

  it('exact hosts beat wildcards, which beat host-less rules; a known host does not fall through', () => {
    const objects = world([
      ingress('hosts', {
        className: 'jetkube',
        rules: [
          { host: 'www.example.com', paths: [{ path: '/only', pathType: 'Exact', service: 'a', port: 80 }] },
          { host: '*.example.com', paths: [{ path: '/', pathType: 'Prefix', service: 'b', port: 80 }] },
          { paths: [{ path: '/', pathType: 'Prefix', service: 'c', port: 80 }] },
        ],
      }),
    ]);
    assert.equal(serviceFor(objects, 'www.example.com', '/only'), 'a');
    assert.equal(serviceFor(objects, 'www.example.com', '/other'), undefined);
    assert.equal(serviceFor(objects, 'api.example.com', '/x'), 'b');
    assert.equal(serviceFor(objects, 'a.b.example.com', '/x'), 'c');
    assert.equal(serviceFor(objects, '127.0.0.1', '/x'), 'c');
  });

  it('unmatched requests go to the host owner\'s defaultBackend, else the oldest served one', () => {
    const objects = world([
      ingress('newer', { className: 'jetkube', defaultBackend: { service: 'other', port: 80 } }, { created: '2026-01-02T00:00:00Z' }),
      ingress('with-host', {
        className: 'jetkube',
        defaultBackend: { service: 'def', port: 80 },
        rules: [{ host: 'h.example.com', paths: [{ path: '/app', pathType: 'Prefix', service: 'a', port: 80 }] }],
      }),
    ]);
    assert.equal(serviceFor(objects, 'h.example.com', '/app/1'), 'a');
    assert.equal(serviceFor(objects, 'h.example.com', '/else'), 'def');
    assert.equal(serviceFor(objects, 'unknown.example.com', '/'), 'def');
  });

  it('the oldest Ingress wins a rule for the same host, path and type', () => {
    const objects = world([
      ingress('young', { className: 'jetkube', rules: [{ host: 'h', paths: [{ path: '/', pathType: 'Prefix', service: 'b', port: 80 }] }] }, { created: '2026-02-01T00:00:00Z' }),
      ingress('old', { className: 'jetkube', rules: [{ host: 'h', paths: [{ path: '/', pathType: 'Prefix', service: 'a', port: 80 }] }] }, { created: '2026-01-01T00:00:00Z' }),
    ]);
    assert.equal(serviceFor(objects, 'h', '/'), 'a');
    assert.deepEqual(buildRoutingTable(objects, CONTROLLER).served, ['default/old', 'default/young']);
  });

  it('ignores Ingresses of another class and Ingresses being deleted', () => {
    const deleting = ingress('deleting', { className: 'jetkube', rules: [{ host: 'd', paths: [{ path: '/', pathType: 'Prefix', service: 'a', port: 80 }] }] });
    deleting.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    const objects = world([ingress('theirs', { className: 'nginx', rules: [{ host: 'h', paths: [{ path: '/', pathType: 'Prefix', service: 'a', port: 80 }] }] }), deleting]);
    const table = buildRoutingTable(objects, CONTROLLER);
    assert.deepEqual(table.served, []);
    assert.equal(routeRequest(table, 'h', '/').kind, 'none');
  });
});

describe('ingress backends', () => {
  const index = indexServices(
    [service('web', [{ name: 'http', port: 80, targetPort: 'web-http' }, { name: 'admin', port: 9000, targetPort: 9001 }])],
    [
      slice('web', [{ name: 'http', port: 8080 }, { name: 'admin', port: 9001 }], [{ ip: '10.0.0.2' }, { ip: '10.0.0.1', ready: true }, { ip: '10.0.0.3', ready: false }], 'web-1'),
      slice('web', [{ name: 'http', port: 8080 }], [{ ip: '10.0.0.4' }, { ip: '10.0.0.1' }], 'web-2'),
    ],
  );

  it('resolves a port number through the Service to the slice port of the same name, ready endpoints only', () => {
    const resolved = resolveBackend('default', backend('web', 80), index);
    assert.deepEqual(resolved?.endpoints, [
      { address: '10.0.0.1', port: 8080 },
      { address: '10.0.0.2', port: 8080 },
      { address: '10.0.0.4', port: 8080 },
    ]);
  });

  it('resolves a port name', () => {
    assert.deepEqual(resolveBackend('default', backend('web', 'admin'), index)?.endpoints, [
      { address: '10.0.0.1', port: 9001 },
      { address: '10.0.0.2', port: 9001 },
    ]);
  });

  it('has no endpoints (and says why) for a missing Service or port', () => {
    assert.deepEqual(resolveBackend('default', backend('nope', 80), index)?.endpoints, []);
    assert.match(resolveBackend('default', backend('nope', 80), index)?.problem ?? '', /not found/);
    assert.match(resolveBackend('default', backend('web', 81), index)?.problem ?? '', /no port 81/);
    assert.match(resolveBackend('other', backend('web', 80), index)?.problem ?? '', /not found/);
  });

  it('an ExternalName Service resolves to its name on the Service port', () => {
    const external = { ...service('ext', [{ port: 8443 }]), spec: { type: 'ExternalName', externalName: 'backend.example.com.', ports: [{ port: 8443 }] } };
    assert.deepEqual(resolveBackend('default', backend('ext', 8443), indexServices([external], []))?.endpoints, [{ address: 'backend.example.com', port: 8443 }]);
  });

  it('the balancer turns round-robin over endpoints and keeps turning when they change', () => {
    const balancer = new RoundRobinBalancer();
    const two = { id: 'x', namespace: 'default', service: 'x', endpoints: [{ address: 'a', port: 1 }, { address: 'b', port: 1 }] };
    assert.deepEqual([1, 2, 3, 4].map(() => balancer.pick(two)?.address), ['a', 'b', 'a', 'b']);
    assert.deepEqual(balancer.candidates(two, 3).map((e) => e.address), ['a', 'b']);
    assert.equal(balancer.pick({ ...two, endpoints: [] }), undefined);
  });
});

describe('ingress status and headers', () => {
  it('publishes the listen address once and leaves an up-to-date status alone', () => {
    const ing = ingress('x', { className: 'jetkube' });
    const status = desiredIngressStatus(ing, '127.0.0.1');
    assert.deepEqual(status, { loadBalancer: { ingress: [{ ip: '127.0.0.1' }] } });
    assert.equal(desiredIngressStatus({ ...ing, status }, '127.0.0.1'), undefined);
    assert.deepEqual(desiredIngressStatus({ ...ing, status }, '127.0.0.2'), { loadBalancer: { ingress: [{ ip: '127.0.0.2' }] } });
    assert.equal(publishedAddress('0.0.0.0'), '127.0.0.1');
  });

  it('sets X-Forwarded-* from the connection, not from what the client claims, and drops hop-by-hop headers', () => {
    const headers = forwardedRequestHeaders(
      { host: 'a.example.com', 'x-forwarded-for': '6.6.6.6', connection: 'keep-alive, x-secret', 'x-secret': '1', 'keep-alive': 'timeout=5', accept: '*/*' },
      { clientAddress: '::ffff:127.0.0.5', listenPort: 8080, scheme: 'http', upgrade: false, trustForwardedHeaders: false },
    );
    assert.equal(headers['x-forwarded-for'], '127.0.0.5');
    assert.equal(headers['x-real-ip'], '127.0.0.5');
    assert.equal(headers['x-forwarded-host'], 'a.example.com');
    assert.equal(headers['x-forwarded-proto'], 'http');
    assert.equal(headers['x-forwarded-port'], '8080');
    assert.equal(headers.host, 'a.example.com');
    assert.equal(headers.accept, '*/*');
    for (const dropped of ['connection', 'keep-alive', 'x-secret']) assert.equal(headers[dropped], undefined, dropped);
    const trusted = forwardedRequestHeaders({ host: 'h', 'x-forwarded-for': '6.6.6.6' }, { clientAddress: '127.0.0.5', listenPort: 80, scheme: 'http', upgrade: false, trustForwardedHeaders: true });
    assert.equal(trusted['x-forwarded-for'], '6.6.6.6, 127.0.0.5');
  });
});
