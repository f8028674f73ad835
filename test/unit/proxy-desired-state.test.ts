import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.ts';
import { desiredProxyState, SERVICE_PROXY_NAME_LABEL } from '../../src/proxy/desired-state.ts';
import { backendsFor, SERVICE_NAME_LABEL } from '../../src/proxy/endpoints.ts';

const NODE_ADDRESSES = { nodePortAddresses: ['127.0.0.1', '127.0.0.2'] };

function service(name: string, spec: Record<string, unknown>, labels?: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', uid: `uid-${name}`, ...(labels ? { labels } : {}) }, spec };
}

interface EndpointSpec {
  ip: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

function slice(name: string, serviceName: string, ports: { name?: string; port: number; protocol?: string }[], endpoints: EndpointSpec[], extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'default', labels: { [SERVICE_NAME_LABEL]: serviceName } },
    addressType: 'IPv4',
    ports: ports.map((p) => ({ name: p.name ?? '', protocol: p.protocol ?? 'TCP', port: p.port })),
    endpoints: endpoints.map((e) => {
      const conditions: Record<string, boolean> = {};
      if (e.ready !== undefined) conditions.ready = e.ready;
      if (e.serving !== undefined) conditions.serving = e.serving;
      if (e.terminating !== undefined) conditions.terminating = e.terminating;
      return { addresses: [e.ip], conditions };
    }),
    ...extra,
  };
}

const web = service('web', { type: 'ClusterIP', clusterIP: '127.96.0.20', clusterIPs: ['127.96.0.20'], ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] });

describe('desiredProxyState', () => {
  it('given a ClusterIP Service with two ready endpoints, plans ClusterIP:port balancing over both', () => {
    const plan = desiredProxyState([web], [slice('web-a', 'web', [{ port: 8080 }], [{ ip: '127.128.0.3', ready: true }, { ip: '127.128.0.2' }])], NODE_ADDRESSES);
    assert.deepEqual(plan.frontends, [{ key: 'TCP/127.96.0.20:80', protocol: 'TCP', ip: '127.96.0.20', port: 80, kind: 'ClusterIP', servicePortKey: 'default/web:/TCP' }]);
    assert.deepEqual(plan.servicePorts, [
      {
        key: 'default/web:/TCP',
        service: { namespace: 'default', name: 'web', uid: 'uid-web' },
        portName: '',
        protocol: 'TCP',
        backends: [
          { ip: '127.128.0.2', port: 8080 },
          { ip: '127.128.0.3', port: 8080 },
        ],
      },
    ]);
  });

  it('given no EndpointSlice, still plans the frontend (it refuses connections) with no backend', () => {
    const plan = desiredProxyState([web], [], NODE_ADDRESSES);
    assert.equal(plan.frontends.length, 1);
    assert.deepEqual(plan.servicePorts[0]!.backends, []);
  });

  it('given a NodePort Service, plans the nodePort on every node address, sharing the ClusterIP group', () => {
    const np = service('np', { type: 'NodePort', clusterIP: '127.96.0.21', ports: [{ name: 'http', port: 80, nodePort: 30080, protocol: 'TCP' }, { name: 'dns', port: 53, nodePort: 30053, protocol: 'UDP' }] });
    const plan = desiredProxyState([np], [], NODE_ADDRESSES);
    assert.deepEqual(
      plan.frontends.map((f) => [f.key, f.kind, f.servicePortKey]),
      [
        ['TCP/127.96.0.21:80', 'ClusterIP', 'default/np:http/TCP'],
        ['TCP/127.0.0.1:30080', 'NodePort', 'default/np:http/TCP'],
        ['TCP/127.0.0.2:30080', 'NodePort', 'default/np:http/TCP'],
        ['UDP/127.96.0.21:53', 'ClusterIP', 'default/np:dns/UDP'],
        ['UDP/127.0.0.1:30053', 'NodePort', 'default/np:dns/UDP'],
        ['UDP/127.0.0.2:30053', 'NodePort', 'default/np:dns/UDP'],
      ],
    );
  });

  it('given a ClusterIP Service carrying a nodePort, opens no NodePort; externalIPs get frontends', () => {
    const s = service('ext', { type: 'ClusterIP', clusterIP: '127.96.0.22', externalIPs: ['127.50.0.1'], ports: [{ port: 8080, nodePort: 30081 }] });
    assert.deepEqual(
      desiredProxyState([s], [], NODE_ADDRESSES).frontends.map((f) => f.key),
      ['TCP/127.96.0.22:8080', 'TCP/127.50.0.1:8080'],
    );
  });

  it('skips headless, ExternalName, another proxy\'s Services and SCTP ports; a Service without a ClusterIP yet gets only NodePorts', () => {
    const services = [
      service('headless', { clusterIP: 'None', ports: [{ port: 80 }] }),
      service('external', { type: 'ExternalName', externalName: 'example.invalid' }),
      service('other', { clusterIP: '127.96.0.23', ports: [{ port: 80 }] }, { [SERVICE_PROXY_NAME_LABEL]: 'someone-else' }),
      service('sctp', { clusterIP: '127.96.0.24', ports: [{ port: 80, protocol: 'SCTP' }] }),
      service('pending', { type: 'NodePort', ports: [{ port: 80, nodePort: 30090 }] }),
    ];
    const plan = desiredProxyState(services, [], { nodePortAddresses: ['127.0.0.1'] });
    assert.deepEqual(
      plan.frontends.map((f) => f.key),
      ['TCP/127.0.0.1:30090'],
    );
  });

  it('given ClientIP affinity, the group carries its timeout (Kubernetes default 10800 s when unset)', () => {
    const sticky = service('sticky', { clusterIP: '127.96.0.25', sessionAffinity: 'ClientIP', ports: [{ port: 80 }] });
    const custom = service('custom', { clusterIP: '127.96.0.26', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } }, ports: [{ port: 80 }] });
    const plan = desiredProxyState([sticky, custom], [], NODE_ADDRESSES);
    assert.deepEqual(
      plan.servicePorts.map((g) => [g.key, g.affinityTimeoutMs]),
      [
        ['default/custom:/TCP', 60_000],
        ['default/sticky:/TCP', 10_800_000],
      ],
    );
  });

  it('given two Services claiming one address:port, the first in name order keeps it', () => {
    const a = service('a', { clusterIP: '127.96.0.27', ports: [{ port: 80 }] });
    const b = service('b', { clusterIP: '127.96.0.27', ports: [{ port: 80 }] });
    const plan = desiredProxyState([b, a], [], NODE_ADDRESSES);
    assert.deepEqual(
      plan.frontends.map((f) => f.servicePortKey),
      ['default/a:/TCP'],
    );
  });

  it('is the same plan whatever the order of its inputs', () => {
    const s1 = slice('web-1', 'web', [{ port: 8080 }], [{ ip: '127.128.0.9' }]);
    const s2 = slice('web-2', 'web', [{ port: 8080 }], [{ ip: '127.128.0.4' }]);
    const other = service('zz', { clusterIP: '127.96.0.28', ports: [{ port: 81 }] });
    assert.deepEqual(desiredProxyState([web, other], [s1, s2], NODE_ADDRESSES), desiredProxyState([other, web], [s2, s1], NODE_ADDRESSES));
  });
});

describe('backendsFor', () => {
  const port = { name: 'http', protocol: 'TCP' as const };

  it('takes ready endpoints only (a missing ready condition counts as ready)', () => {
    const s = slice('s', 'web', [{ name: 'http', port: 8080 }], [{ ip: '127.128.0.2', ready: true }, { ip: '127.128.0.3', ready: false }, { ip: '127.128.0.4' }]);
    assert.deepEqual(backendsFor(port, [s]), [
      { ip: '127.128.0.2', port: 8080 },
      { ip: '127.128.0.4', port: 8080 },
    ]);
  });

  it('falls back to serving terminating endpoints when none is ready, never to merely not-ready ones', () => {
    const s = slice('s', 'web', [{ name: 'http', port: 8080 }], [
      { ip: '127.128.0.2', ready: false, serving: true, terminating: true },
      { ip: '127.128.0.3', ready: false, serving: false, terminating: true },
      { ip: '127.128.0.4', ready: false },
    ]);
    assert.deepEqual(backendsFor(port, [s]), [{ ip: '127.128.0.2', port: 8080 }]);
    const withReady = slice('t', 'web', [{ name: 'http', port: 8080 }], [{ ip: '127.128.0.5', ready: true }]);
    assert.deepEqual(backendsFor(port, [s, withReady]), [{ ip: '127.128.0.5', port: 8080 }]);
  });

  it('matches the slice port by name and protocol, and uses its port number (not the Service targetPort)', () => {
    const s = slice('s', 'web', [{ name: 'metrics', port: 9090 }, { name: 'http', port: 8081, protocol: 'UDP' }, { name: 'http', port: 8080 }], [{ ip: '127.128.0.2' }]);
    assert.deepEqual(backendsFor(port, [s]), [{ ip: '127.128.0.2', port: 8080 }]);
    assert.deepEqual(backendsFor({ name: 'absent', protocol: 'TCP' }, [s]), []);
  });

  it('counts an address listed in two slices once, ready if either says so; ignores FQDN slices', () => {
    const notReady = slice('a', 'web', [{ name: 'http', port: 8080 }], [{ ip: '127.128.0.2', ready: false }]);
    const ready = slice('b', 'web', [{ name: 'http', port: 8080 }], [{ ip: '127.128.0.2', ready: true }]);
    const fqdn = slice('c', 'web', [{ name: 'http', port: 8080 }], [{ ip: '127.128.0.7' }], { addressType: 'FQDN' });
    assert.deepEqual(backendsFor(port, [notReady, ready, fqdn]), [{ ip: '127.128.0.2', port: 8080 }]);
  });

  it('orders backends by address numerically', () => {
    const s = slice('s', 'web', [{ name: 'http', port: 80 }], [{ ip: '127.128.0.10' }, { ip: '127.128.0.9' }]);
    assert.deepEqual(
      backendsFor(port, [s]).map((b) => b.ip),
      ['127.128.0.9', '127.128.0.10'],
    );
  });
});
