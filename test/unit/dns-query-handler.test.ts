import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as dnsPacket from 'dns-packet';
import { createActor, fromPromise, waitFor } from 'xstate';
import { clusterDnsMachine } from '../../actors/dns.machine.ts';
import type { KubeObject } from '../../src/api/object.ts';
import type { ZoneSettings } from '../../src/dns/answer.ts';
import { staticClusterView } from '../../src/dns/cluster-view.ts';
import type { DnsSet } from '../../src/dns/effects.ts';
import { parseUpstream } from '../../src/dns/forwarder.ts';
import { createQueryHandler } from '../../src/dns/query-handler.ts';
import type { DnsServerHandle } from '../../src/dns/server.ts';

const SETTINGS: ZoneSettings = { zone: 'cluster.local', ttl: 30, dnsIP: '127.96.0.10', podMode: 'insecure' };
const services: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'nginx', namespace: 'default' }, spec: { clusterIP: '127.96.0.20', ports: [{ port: 80 }] } },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'many', namespace: 'default' },
    spec: { clusterIP: 'None', ports: [{ port: 80 }] },
  },
];
const slices: KubeObject[] = [
  {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'many-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'many' } },
    endpoints: Array.from({ length: 40 }, (_, i) => ({ addresses: [`127.128.2.${i + 1}`], conditions: { ready: true } })),
    ports: [{ port: 80, protocol: 'TCP' }],
  } as KubeObject,
];
const view = staticClusterView({ services, endpointSlices: slices });

const query = (name: string, type: dnsPacket.RecordType = 'A', extra: Partial<dnsPacket.Packet> = {}) =>
  dnsPacket.encode({ type: 'query', id: 4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type, class: 'IN' }], ...extra });
const decode = (b: Buffer | undefined) => {
  assert.ok(b, 'an answer');
  return dnsPacket.decode(b) as dnsPacket.DecodedPacket & { rcode: string };
};

describe('DNS query handling', () => {
  it('answers with the query id, QR, AA, RD echoed and no RA', async () => {
    const handle = createQueryHandler({ view, settings: SETTINGS });
    const reply = decode(await handle(query('nginx.default.svc.cluster.local'), 'udp'));
    assert.equal(reply.id, 4242);
    assert.equal(reply.type, 'response');
    assert.ok(reply.flag_aa && reply.flag_rd && !reply.flag_ra);
    assert.equal(reply.rcode, 'NOERROR');
    assert.deepEqual(reply.questions, [{ name: 'nginx.default.svc.cluster.local', type: 'A', class: 'IN' }]);
    assert.deepEqual(reply.answers!.map((a) => (a as { data: unknown }).data), ['127.96.0.20']);
  });

  it('refuses what it would forward when it has no upstream, and relays the upstream answer when it has one', async () => {
    const refused = decode(await createQueryHandler({ view, settings: SETTINGS })(query('example.org'), 'udp'));
    assert.equal(refused.rcode, 'REFUSED');
    assert.equal(refused.id, 4242);
    const relayed: Array<[Buffer, string]> = [];
    const upstreamAnswer = dnsPacket.encode({ type: 'response', id: 4242, questions: [{ name: 'example.org', type: 'A' }], answers: [{ type: 'A', name: 'example.org', data: '127.1.2.3' }] });
    const handle = createQueryHandler({ view, settings: SETTINGS, forward: async (raw, transport) => (relayed.push([raw, transport]), upstreamAnswer) });
    const reply = await handle(query('example.org'), 'tcp');
    assert.deepEqual(reply, upstreamAnswer);
    assert.deepEqual(relayed, [[query('example.org'), 'tcp']], 'the client query goes upstream unchanged, on its transport');
  });

  it('is SERVFAIL when no upstream answers', async () => {
    const handle = createQueryHandler({ view, settings: SETTINGS, forward: async () => undefined });
    assert.equal(decode(await handle(query('example.org'), 'udp')).rcode, 'SERVFAIL');
  });

  it('is FORMERR for bytes that do not decode, NOTIMP for other opcodes, silent for responses and runts', async () => {
    const handle = createQueryHandler({ view, settings: SETTINGS });
    const garbage = Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0x3f]);
    const formerr = decode(await handle(garbage, 'udp'));
    assert.equal(formerr.id, 0x1234);
    assert.equal(formerr.rcode, 'FORMERR');
    const notify = query('cluster.local', 'SOA', { flags: 4 << 11 });
    assert.equal(decode(await handle(notify, 'udp')).rcode, 'NOTIMP');
    assert.equal(await handle(dnsPacket.encode({ type: 'response', id: 1, questions: [{ name: 'a', type: 'A' }] }), 'udp'), undefined);
    assert.equal(await handle(Buffer.from([1, 2, 3]), 'udp'), undefined);
  });

  it('truncates a UDP answer past 512 bytes (without EDNS0) but not one within the EDNS0 size, and never over TCP', async () => {
    const handle = createQueryHandler({ view, settings: SETTINGS });
    const small = decode(await handle(query('many.default.svc.cluster.local'), 'udp'));
    assert.ok(small.flag_tc);
    assert.deepEqual(small.answers, []);
    const edns = query('many.default.svc.cluster.local', 'A', {
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] } as dnsPacket.Answer],
    });
    const big = decode(await handle(edns, 'udp'));
    assert.ok(!big.flag_tc);
    assert.equal(big.answers!.length, 40);
    assert.equal(big.additionals!.find((a) => a.type === 'OPT')?.type, 'OPT', 'EDNS0 is answered with EDNS0');
    const tcp = decode(await handle(query('many.default.svc.cluster.local'), 'tcp'));
    assert.equal(tcp.answers!.length, 40);
  });

  it('reads upstreams with and without ports', () => {
    assert.deepEqual(parseUpstream('127.0.0.53'), { host: '127.0.0.53', port: 53 });
    assert.deepEqual(parseUpstream('127.0.0.53:5353'), { host: '127.0.0.53', port: 5353 });
    assert.deepEqual(parseUpstream('[::1]:5353'), { host: '::1', port: 5353 });
    assert.deepEqual(parseUpstream('::1'), { host: '::1', port: 53 });
    assert.equal(parseUpstream('resolver.example'), undefined);
  });
});

describe('cluster DNS machine', () => {
  const fakeSet = {} as DnsSet;
  const fakeServer: DnsServerHandle = { address: '127.0.0.1', port: 5353, close: async () => {} };

  it('binds only after the caches synced, retries a failed bind, and closes on stop', async () => {
    const steps: string[] = [];
    let binds = 0;
    const machine = clusterDnsMachine.provide({
      actors: {
        open: fromPromise(async () => (steps.push('open'), fakeSet)),
        syncCaches: fromPromise(async (): Promise<void> => {
          steps.push('sync');
        }),
        listen: fromPromise(async () => {
          steps.push('listen');
          if (++binds === 1) throw Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });
          return fakeServer;
        }),
        close: fromPromise(async ({ input }: { input: { set?: DnsSet; server?: DnsServerHandle } }) => {
          steps.push(`close ${input.server === fakeServer} ${input.set === fakeSet}`);
        }),
      },
    });
    const actor = createActor(machine, { input: { natsUrl: 'nats://unused', retryMs: 5 } }).start();
    const serving = await waitFor(actor, (s) => s.matches('serving'), { timeout: 2_000 });
    assert.equal(serving.context.server, fakeServer);
    assert.deepEqual(steps, ['open', 'sync', 'listen', 'listen']);
    actor.send({ type: 'stop' });
    actor.send({ type: 'stop' });
    await waitFor(actor, (s) => s.status === 'done', { timeout: 2_000 });
    assert.deepEqual(steps.filter((s) => s.startsWith('close')), ['close true true'], 'closed once, with the server and the set');
  });

  it('retries a failed connect after the pause', async () => {
    let opens = 0;
    const machine = clusterDnsMachine.provide({
      actors: {
        open: fromPromise(async () => {
          if (++opens < 3) throw new Error('no NATS');
          return fakeSet;
        }),
        syncCaches: fromPromise(async (): Promise<void> => {}),
        listen: fromPromise(async () => fakeServer),
        close: fromPromise(async () => {}),
      },
    });
    const actor = createActor(machine, { input: { natsUrl: 'nats://unused', retryMs: 5 } }).start();
    await waitFor(actor, (s) => s.matches('serving'), { timeout: 2_000 });
    assert.equal(opens, 3);
    actor.send({ type: 'stop' });
    await waitFor(actor, (s) => s.status === 'done', { timeout: 2_000 });
  });
});
