import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.ts';
import { resolveQuestion, type Resolution, type ZoneSettings } from '../../src/dns/answer.ts';
import { staticClusterView, type ClusterObjects } from '../../src/dns/cluster-view.ts';

const SETTINGS: ZoneSettings = { zone: 'cluster.local', ttl: 30, dnsIP: '127.96.0.10', podMode: 'insecure' };

const namespace = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const service = (name: string, spec: Record<string, unknown>, ns = 'default'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns, resourceVersion: '7' },
  spec,
});
const slice = (
  service: string,
  endpoints: Array<{ addresses: string[]; hostname?: string; ready?: boolean }>,
  ports: Array<{ name?: string; port: number; protocol?: string }> = [],
  ns = 'default',
): KubeObject => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: `${service}-abc`, namespace: ns, labels: { 'kubernetes.io/service-name': service } },
  addressType: 'IPv4',
  endpoints: endpoints.map((e) => ({ addresses: e.addresses, ...(e.hostname ? { hostname: e.hostname } : {}), conditions: { ready: e.ready ?? true } })),
  ports,
});

const cluster: ClusterObjects = {
  namespaces: [namespace('default'), namespace('kube-system'), namespace('empty')],
  services: [
    service('nginx', { clusterIP: '127.96.0.20', clusterIPs: ['127.96.0.20'], ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }] }),
    service('db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] }),
    service('lonely', { clusterIP: 'None' }),
    service('external', { type: 'ExternalName', externalName: 'example.org' }),
    service('alias', { type: 'ExternalName', externalName: 'nginx.default.svc.cluster.local' }),
    service('pending', { clusterIP: '', ports: [{ port: 80 }] }),
  ],
  endpointSlices: [
    slice('db', [{ addresses: ['127.128.0.5'], hostname: 'db-0' }, { addresses: ['127.128.0.6'], hostname: 'db-1' }, { addresses: ['127.128.0.7'], ready: false }], [{ name: 'pg', port: 5432, protocol: 'TCP' }]),
    slice('nginx', [{ addresses: ['127.128.0.2'] }, { addresses: ['127.128.0.3'] }], [{ name: 'http', port: 8080, protocol: 'TCP' }]),
    slice('lonely', [{ addresses: ['127.128.0.9'] }]),
  ],
};
const view = staticClusterView(cluster);
const ask = (name: string, type = 'A', settings = SETTINGS, v = view) => resolveQuestion({ name, type }, v, settings);

function answered(r: Resolution) {
  assert.equal(r.kind, 'answer');
  return r as Extract<Resolution, { kind: 'answer' }>;
}
const data = (r: Resolution) => answered(r).answers.map((a) => (a as { data: unknown }).data);

describe('cluster DNS answers', () => {
  it('answers a Service name with its ClusterIP, TTL 30, no authority section', () => {
    const r = answered(ask('nginx.default.svc.cluster.local'));
    assert.equal(r.rcode, 'NOERROR');
    assert.deepEqual(r.answers, [{ type: 'A', name: 'nginx.default.svc.cluster.local', ttl: 30, class: 'IN', data: '127.96.0.20' }]);
    assert.deepEqual(r.authorities, []);
  });

  it('answers in the case the question was asked in', () => {
    const r = answered(ask('NGINX.Default.svc.Cluster.Local'));
    assert.equal(r.answers[0]!.name, 'NGINX.Default.svc.Cluster.Local');
    assert.deepEqual(data(r), ['127.96.0.20']);
  });

  it('answers a headless Service with its ready endpoint addresses only', () => {
    assert.deepEqual(data(ask('db.default.svc.cluster.local')).sort(), ['127.128.0.5', '127.128.0.6']);
  });

  it('answers one endpoint of a headless Service by hostname, and by dashed address without one', () => {
    assert.deepEqual(data(ask('db-1.db.default.svc.cluster.local')), ['127.128.0.6']);
    assert.deepEqual(data(ask('127-128-0-9.lonely.default.svc.cluster.local')), ['127.128.0.9']);
    assert.equal(answered(ask('db-7.db.default.svc.cluster.local')).rcode, 'NXDOMAIN');
  });

  it('answers a headless Service without ports from its endpoints', () => {
    assert.deepEqual(data(ask('lonely.default.svc.cluster.local')), ['127.128.0.9']);
  });

  it('answers SRV for a named port of a ClusterIP Service, with the target address as additional', () => {
    const r = answered(ask('_http._tcp.nginx.default.svc.cluster.local', 'SRV'));
    assert.deepEqual(data(r), [{ priority: 0, weight: 100, port: 80, target: 'nginx.default.svc.cluster.local' }]);
    assert.deepEqual(r.additionals, [{ type: 'A', name: 'nginx.default.svc.cluster.local', ttl: 30, class: 'IN', data: '127.96.0.20' }]);
    assert.deepEqual(data(ask('_dns._udp.nginx.default.svc.cluster.local', 'SRV')), [{ priority: 0, weight: 100, port: 53, target: 'nginx.default.svc.cluster.local' }]);
  });

  it('answers SRV of a headless Service per endpoint, weights shared', () => {
    const r = answered(ask('_pg._tcp.db.default.svc.cluster.local', 'SRV'));
    assert.deepEqual(
      data(r),
      [
        { priority: 0, weight: 50, port: 5432, target: 'db-0.db.default.svc.cluster.local' },
        { priority: 0, weight: 50, port: 5432, target: 'db-1.db.default.svc.cluster.local' },
      ],
    );
    assert.deepEqual(r.additionals.map((a) => [a.name, (a as { data: unknown }).data]), [
      ['db-0.db.default.svc.cluster.local', '127.128.0.5'],
      ['db-1.db.default.svc.cluster.local', '127.128.0.6'],
    ]);
  });

  it('answers SRV for the Service name itself with every port', () => {
    assert.deepEqual(data(ask('nginx.default.svc.cluster.local', 'SRV')).map((d) => (d as { port: number }).port), [80, 53]);
  });

  it('is NXDOMAIN for a port the Service does not have, or the wrong protocol', () => {
    assert.equal(answered(ask('_https._tcp.nginx.default.svc.cluster.local', 'SRV')).rcode, 'NXDOMAIN');
    assert.equal(answered(ask('_http._udp.nginx.default.svc.cluster.local', 'SRV')).rcode, 'NXDOMAIN');
  });

  it('is NXDOMAIN with the SOA in authority for names that do not exist', () => {
    for (const name of [
      'nope.default.svc.cluster.local',
      'nginx.nowhere.svc.cluster.local',
      'nowhere.svc.cluster.local',
      'x.cluster.local',
      'a.b.c.nginx.default.svc.cluster.local',
    ]) {
      const r = answered(ask(name));
      assert.equal(r.rcode, 'NXDOMAIN', name);
      assert.deepEqual(r.answers, []);
      assert.equal(r.authorities.length, 1);
      const soa = r.authorities[0]!;
      assert.equal(soa.type, 'SOA');
      assert.equal(soa.name, 'cluster.local');
      assert.equal(soa.ttl, 30);
      assert.deepEqual({ ...(soa as { data: object }).data, serial: 0 }, {
        mname: 'ns.dns.cluster.local',
        rname: 'hostmaster.cluster.local',
        serial: 0,
        refresh: 7200,
        retry: 1800,
        expire: 86400,
        minimum: 30,
      });
    }
  });

  it('is NXDOMAIN for a headless Service whose endpoints are all not ready', () => {
    const v = staticClusterView({ ...cluster, endpointSlices: [slice('db', [{ addresses: ['127.128.0.5'], ready: false }])] });
    assert.equal(answered(ask('db.default.svc.cluster.local', 'A', SETTINGS, v)).rcode, 'NXDOMAIN');
  });

  it('is NODATA (NOERROR, no answer, SOA) for an existing name and another type', () => {
    for (const [name, type] of [
      ['nginx.default.svc.cluster.local', 'AAAA'],
      ['nginx.default.svc.cluster.local', 'MX'],
      ['nginx.default.svc.cluster.local', 'TXT'],
      ['default.svc.cluster.local', 'A'],
      ['empty.svc.cluster.local', 'A'],
      ['svc.cluster.local', 'A'],
      ['cluster.local', 'A'],
      ['pending.default.svc.cluster.local', 'A'],
    ] as const) {
      const r = answered(ask(name, type));
      assert.equal(r.rcode, 'NOERROR', `${name} ${type}`);
      assert.deepEqual(r.answers, [], `${name} ${type}`);
      assert.equal(r.authorities[0]?.type, 'SOA', `${name} ${type}`);
    }
  });

  it('answers an ExternalName Service with a CNAME, and hands an outside target back to chase', () => {
    const r = answered(ask('external.default.svc.cluster.local'));
    assert.deepEqual(r.answers, [{ type: 'CNAME', name: 'external.default.svc.cluster.local', ttl: 30, class: 'IN', data: 'example.org' }]);
    assert.deepEqual(r.chase, { name: 'example.org', type: 'A' });
    assert.deepEqual(data(ask('external.default.svc.cluster.local', 'CNAME')), ['example.org']);
    assert.equal(answered(ask('external.default.svc.cluster.local', 'SRV')).answers.length, 0);
  });

  it('follows an ExternalName that points inside the cluster zone', () => {
    const r = answered(ask('alias.default.svc.cluster.local'));
    assert.deepEqual(r.answers.map((a) => [a.type, (a as { data: unknown }).data]), [
      ['CNAME', 'nginx.default.svc.cluster.local'],
      ['A', '127.96.0.20'],
    ]);
    assert.equal(r.chase, undefined);
  });

  it('answers pod names from the address in the name (pods insecure)', () => {
    assert.deepEqual(data(ask('127-128-0-2.default.pod.cluster.local')), ['127.128.0.2']);
    assert.equal(answered(ask('127-128-0-2.nowhere.pod.cluster.local')).rcode, 'NXDOMAIN');
    assert.equal(answered(ask('not-an-ip.default.pod.cluster.local')).rcode, 'NXDOMAIN');
  });

  it('answers pod names only for existing pods with pods verified, and never with pods disabled', () => {
    const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, status: { podIP: '127.128.0.2' } };
    const v = staticClusterView({ ...cluster, pods: [pod] });
    const verified = { ...SETTINGS, podMode: 'verified' as const };
    assert.deepEqual(data(ask('127-128-0-2.default.pod.cluster.local', 'A', verified, v)), ['127.128.0.2']);
    assert.equal(answered(ask('127-128-0-3.default.pod.cluster.local', 'A', verified, v)).rcode, 'NXDOMAIN');
    assert.equal(answered(ask('127-128-0-2.default.pod.cluster.local', 'A', { ...SETTINGS, podMode: 'disabled' }, v)).rcode, 'NXDOMAIN');
  });

  it('answers PTR for a ClusterIP and for endpoint addresses, and forwards unknown addresses', () => {
    assert.deepEqual(data(ask('20.0.96.127.in-addr.arpa', 'PTR')), ['nginx.default.svc.cluster.local']);
    assert.deepEqual(data(ask('6.0.128.127.in-addr.arpa', 'PTR')), ['db-1.db.default.svc.cluster.local']);
    assert.deepEqual(data(ask('2.0.128.127.in-addr.arpa', 'PTR')), ['127-128-0-2.nginx.default.svc.cluster.local']);
    assert.deepEqual(ask('7.0.128.127.in-addr.arpa', 'PTR'), { kind: 'forward' }, 'a not-ready endpoint has no PTR');
    assert.deepEqual(ask('1.1.1.1.in-addr.arpa', 'PTR'), { kind: 'forward' });
  });

  it('forwards names outside the cluster zone', () => {
    assert.deepEqual(ask('example.org'), { kind: 'forward' });
    assert.deepEqual(ask('cluster.local.example.org'), { kind: 'forward' });
    assert.deepEqual(ask('notcluster.local'), { kind: 'forward' });
  });

  it('answers the apex SOA and NS, ns.dns and dns-version as CoreDNS', () => {
    assert.equal(answered(ask('cluster.local', 'SOA')).answers[0]!.type, 'SOA');
    const ns = answered(ask('cluster.local', 'NS'));
    assert.deepEqual(data(ns), ['ns.dns.cluster.local']);
    assert.deepEqual(ns.additionals.map((a) => (a as { data: unknown }).data), ['127.96.0.10']);
    assert.deepEqual(data(ask('ns.dns.cluster.local')), ['127.96.0.10']);
    assert.deepEqual(data(ask('dns-version.cluster.local', 'TXT')), [['1.1.0']]);
  });

  it('uses another cluster domain when configured', () => {
    const settings = { ...SETTINGS, zone: 'jet.internal' };
    assert.deepEqual(data(ask('nginx.default.svc.jet.internal', 'A', settings)), ['127.96.0.20']);
    assert.deepEqual(ask('nginx.default.svc.cluster.local', 'A', settings), { kind: 'forward' });
  });
});
