/**
 * The cluster DNS against a real API server on a real nats-server, asked with Debian's
 * dig over real UDP and TCP sockets. Services and EndpointSlices are written by hand
 * through the client (no ClusterIP allocator or EndpointSlice controller runs here).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { promises as dnsPromises } from 'node:dns';
import * as dnsPacket from 'dns-packet';
import { createActor, waitFor, type Actor } from 'xstate';
import { clusterDnsMachine, type ClusterDnsInput } from '../../actors/dns.machine.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { listenDns, type DnsServerHandle } from '../../src/dns/server.ts';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { dig } from '../support/dns-dig.ts';

const octet = () => 1 + Math.floor(Math.random() * 250);
/** A loopback address of our own, so parallel test files never meet. */
const ADDRESS = `127.53.${octet()}.${octet()}`;
const UPSTREAM_ADDRESS = `127.54.${octet()}.${octet()}`;

const service = (name: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec });
const slice = (serviceName: string, endpoints: Array<{ ip: string; hostname?: string; ready?: boolean }>, ports: Array<{ name: string; port: number }>): KubeObject => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: `${serviceName}-x1`, namespace: 'default', labels: { 'kubernetes.io/service-name': serviceName } },
  addressType: 'IPv4',
  endpoints: endpoints.map((e) => ({ addresses: [e.ip], ...(e.hostname ? { hostname: e.hostname } : {}), conditions: { ready: e.ready ?? true } })),
  ports: ports.map((p) => ({ ...p, protocol: 'TCP' })),
});

async function startDns(cluster: TestCluster, input: Partial<ClusterDnsInput>): Promise<{ actor: Actor<typeof clusterDnsMachine>; server: DnsServerHandle }> {
  const actor = createActor(clusterDnsMachine, { input: { natsUrl: cluster.nats.url, address: ADDRESS, port: 0, upstreams: [], ...input } });
  actor.start();
  const snapshot = await waitFor(actor, (s) => s.matches('serving'), { timeout: 20_000 });
  return { actor, server: snapshot.context.server! };
}

async function stopDns(actor: Actor<typeof clusterDnsMachine>): Promise<void> {
  actor.send({ type: 'stop' });
  await waitFor(actor, (s) => s.status === 'done', { timeout: 10_000 });
}

/** A stand-in for the host's resolver: example.org has 127.1.2.3, everything else is NXDOMAIN. */
async function startUpstream(): Promise<DnsServerHandle> {
  return listenDns({
    address: UPSTREAM_ADDRESS,
    port: 0,
    handle: async (raw) => {
      const query = dnsPacket.decode(raw);
      const question = query.questions![0]!;
      const known = question.name.toLowerCase() === 'example.org' && question.type === 'A';
      return dnsPacket.encode({
        type: 'response',
        id: query.id,
        flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (known ? 0 : 3),
        questions: query.questions,
        answers: known ? [{ type: 'A', name: question.name, ttl: 300, class: 'IN', data: '127.1.2.3' }] : [],
      });
    },
  });
}

describe('cluster DNS server', () => {
  let cluster: TestCluster;
  let upstream: DnsServerHandle;
  let dns: { actor: Actor<typeof clusterDnsMachine>; server: DnsServerHandle };

  before(async () => {
    cluster = await startTestCluster();
    upstream = await startUpstream();
    const { client } = cluster;
    await client.create('services', service('nginx', { clusterIP: '127.96.0.20', ports: [{ name: 'http', port: 80, targetPort: 80, protocol: 'TCP' }] }));
    await client.create('services', service('db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] }));
    await client.create('services', service('external', { type: 'ExternalName', externalName: 'example.org' }));
    await client.create(
      'endpointslices.discovery.k8s.io',
      slice('db', [{ ip: '127.128.0.5', hostname: 'db-0' }, { ip: '127.128.0.6', hostname: 'db-1' }, { ip: '127.128.0.7', ready: false }], [{ name: 'pg', port: 5432 }]),
    );
    dns = await startDns(cluster, { upstreams: [`${upstream.address}:${upstream.port}`] });
  });

  after(async () => {
    if (dns) await stopDns(dns.actor);
    await upstream?.close();
    await cluster?.dispose();
  });

  it('answers `dig nginx.default.svc.cluster.local` with the ClusterIP, authoritatively, TTL 30', async () => {
    const reply = await dig(dns.server, ['nginx.default.svc.cluster.local']);
    assert.equal(reply.status, 'NOERROR');
    assert.ok(reply.flags.includes('aa'), `flags ${reply.flags}`);
    assert.deepEqual(reply.answer, [{ name: 'nginx.default.svc.cluster.local.', ttl: 30, type: 'A', data: '127.96.0.20' }]);
  });

  it('answers the same over TCP', async () => {
    const reply = await dig(dns.server, ['+tcp', 'nginx.default.svc.cluster.local']);
    assert.equal(reply.status, 'NOERROR');
    assert.deepEqual(reply.answer.map((r) => r.data), ['127.96.0.20']);
  });

  it('answers a headless Service with its ready endpoints, and each by hostname', async () => {
    const reply = await dig(dns.server, ['db.default.svc.cluster.local']);
    assert.deepEqual(reply.answer.map((r) => r.data).sort(), ['127.128.0.5', '127.128.0.6']);
    const one = await dig(dns.server, ['db-1.db.default.svc.cluster.local']);
    assert.deepEqual(one.answer.map((r) => r.data), ['127.128.0.6']);
  });

  it('answers SRV for a named port, with the targets in the additional section', async () => {
    const reply = await dig(dns.server, ['SRV', '_pg._tcp.db.default.svc.cluster.local']);
    assert.equal(reply.status, 'NOERROR');
    assert.deepEqual(reply.answer.map((r) => r.data).sort(), ['0 50 5432 db-0.db.default.svc.cluster.local.', '0 50 5432 db-1.db.default.svc.cluster.local.']);
    assert.deepEqual(reply.additional.map((r) => `${r.name} ${r.data}`).sort(), ['db-0.db.default.svc.cluster.local. 127.128.0.5', 'db-1.db.default.svc.cluster.local. 127.128.0.6']);
    const clusterIP = await dig(dns.server, ['SRV', '_http._tcp.nginx.default.svc.cluster.local']);
    assert.deepEqual(clusterIP.answer.map((r) => r.data), ['0 100 80 nginx.default.svc.cluster.local.']);
  });

  it('is NXDOMAIN with the SOA in authority for a name that does not exist', async () => {
    const reply = await dig(dns.server, ['nothing.default.svc.cluster.local']);
    assert.equal(reply.status, 'NXDOMAIN');
    assert.deepEqual(reply.answer, []);
    assert.equal(reply.authority.length, 1);
    assert.equal(reply.authority[0]!.type, 'SOA');
    assert.match(reply.authority[0]!.data, /^ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\. \d+ 7200 1800 86400 30$/);
  });

  it('is NOERROR without answers for an existing name and another type', async () => {
    const reply = await dig(dns.server, ['AAAA', 'nginx.default.svc.cluster.local']);
    assert.equal(reply.status, 'NOERROR');
    assert.deepEqual(reply.answer, []);
    assert.equal(reply.authority[0]?.type, 'SOA');
  });

  it('answers a pod name and a reverse lookup of a ClusterIP', async () => {
    const pod = await dig(dns.server, ['127-128-0-9.default.pod.cluster.local']);
    assert.deepEqual(pod.answer.map((r) => r.data), ['127.128.0.9']);
    const ptr = await dig(dns.server, ['-x', '127.96.0.20']);
    assert.deepEqual(ptr.answer.map((r) => `${r.type} ${r.data}`), ['PTR nginx.default.svc.cluster.local.']);
  });

  it('forwards names outside the cluster to the upstream resolver, over UDP and TCP', async () => {
    for (const transport of [[], ['+tcp']]) {
      const reply = await dig(dns.server, [...transport, 'example.org']);
      assert.equal(reply.status, 'NOERROR');
      assert.deepEqual(reply.answer.map((r) => r.data), ['127.1.2.3']);
      assert.equal((await dig(dns.server, [...transport, 'unknown.example.org'])).status, 'NXDOMAIN');
    }
  });

  it('answers an ExternalName Service with a CNAME and the target address from upstream', async () => {
    const reply = await dig(dns.server, ['external.default.svc.cluster.local']);
    assert.deepEqual(reply.answer.map((r) => `${r.type} ${r.data}`), ['CNAME example.org.', 'A 127.1.2.3']);
  });

  it('answers a Service created after start within a second', async () => {
    const resolver = new dnsPromises.Resolver({ timeout: 500, tries: 1 });
    resolver.setServers([`${dns.server.address}:${dns.server.port}`]);
    await assert.rejects(resolver.resolve4('late.default.svc.cluster.local'), { code: 'ENOTFOUND' });
    const created = Date.now();
    await cluster.client.create('services', service('late', { clusterIP: '127.96.0.77', ports: [{ port: 80 }] }));
    let answer: string[] = [];
    while (Date.now() - created < 5_000) {
      answer = await resolver.resolve4('late.default.svc.cluster.local').catch(() => []);
      if (answer.length > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const elapsed = Date.now() - created;
    assert.deepEqual(answer, ['127.96.0.77']);
    assert.ok(elapsed < 1_000, `answered after ${elapsed} ms`);
    // Deleting it takes the name away again.
    await cluster.client.delete('services', 'default', 'late');
    const deleted = Date.now();
    for (;;) {
      const gone = await resolver.resolve4('late.default.svc.cluster.local').then(() => false, (e: NodeJS.ErrnoException) => e.code === 'ENOTFOUND');
      if (gone) break;
      assert.ok(Date.now() - deleted < 1_000, 'still answered a second after the delete');
      await new Promise((r) => setTimeout(r, 20));
    }
  });

  it('truncates a large UDP answer so that dig retries over TCP', async () => {
    const many = Array.from({ length: 60 }, (_, i) => ({ ip: `127.128.1.${i + 1}` }));
    await cluster.client.create('services', service('big', { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] }));
    await cluster.client.create('endpointslices.discovery.k8s.io', slice('big', many, [{ name: 'http', port: 80 }]));
    const all = await (async () => {
      for (const deadline = Date.now() + 5_000; Date.now() < deadline; ) {
        const reply = await dig(dns.server, ['+ignore', '+noedns', 'big.default.svc.cluster.local']);
        if (reply.flags.includes('tc')) return reply;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error('never truncated');
    })();
    assert.deepEqual(all.answer, [], 'a truncated UDP answer carries no records');
    const full = await dig(dns.server, ['+noedns', 'big.default.svc.cluster.local']);
    assert.equal(full.answer.length, 60, 'dig retried over TCP and got every address');
  });

  it('refuses names outside the cluster when it has no upstream resolver', async () => {
    const lonely = await startDns(cluster, { address: `127.55.${octet()}.${octet()}`, upstreams: [] });
    try {
      assert.equal((await dig(lonely.server, ['example.org'])).status, 'REFUSED');
      assert.equal((await dig(lonely.server, ['nginx.default.svc.cluster.local'])).answer[0]?.data, '127.96.0.20');
    } finally {
      await stopDns(lonely.actor);
    }
  });
});
