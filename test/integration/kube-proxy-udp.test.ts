import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import type { Actor } from 'xstate';
import type { kubeProxyMachine } from '../../actors/kube-proxy.machine.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/cluster.ts';
import {
  endpointSliceObject,
  randomNodePort,
  randomServiceIP,
  serviceObject,
  startKubeProxy,
  startUdpEchoBackend,
  stopKubeProxy,
  udpExchange,
  type UdpBackend,
} from '../support/proxy-fixtures.ts';

const SLICES = 'endpointslices.discovery.k8s.io';

describe('kube-proxy over UDP, with real sockets', () => {
  let cluster: TestCluster;
  let proxy: Actor<typeof kubeProxyMachine>;
  let a: UdpBackend;
  let b: UdpBackend;
  const clusterIP = randomServiceIP();
  const nodePort = randomNodePort();
  const clients: Socket[] = [];

  async function client(address = '127.0.0.1'): Promise<Socket> {
    const socket = createSocket('udp4');
    socket.bind(0, address);
    await once(socket, 'listening');
    clients.push(socket);
    return socket;
  }

  before(async () => {
    cluster = await startTestCluster();
    [a, b] = await Promise.all([startUdpEchoBackend('a'), startUdpEchoBackend('b')]);
    proxy = await startKubeProxy({ natsUrl: cluster.nats.url, hostname: 'test-host', udpIdleTimeoutMs: 300 });
    await cluster.client.create('services', serviceObject('echo', { type: 'NodePort', clusterIP, ports: [{ name: 'echo', port: 53, targetPort: 5353, protocol: 'UDP', nodePort }] }));
    await cluster.client.create(SLICES, endpointSliceObject('echo-1', 'echo', [{ name: 'echo', port: 5353, protocol: 'UDP' }], [{ ip: a.ip }, { ip: b.ip }]));
  });

  after(async () => {
    for (const socket of clients) socket.close();
    if (proxy) await stopKubeProxy(proxy);
    await Promise.all([a, b].filter(Boolean).map((s) => s.close()));
    await cluster?.dispose();
  });

  it('relays a datagram to a backend and its reply back from the ClusterIP, keeping a client on its backend', async () => {
    const socket = await client('127.0.0.11');
    const first = await eventually(() => udpExchange(socket, clusterIP, 53, 'hello', 300).catch(() => undefined), 5_000, 'the UDP ClusterIP');
    assert.match(first.reply, /^[ab]:hello$/);
    assert.equal(first.from, `${clusterIP}:53`, 'the reply comes from the Service address');
    const backend = first.reply.split(':')[0];
    for (let i = 0; i < 5; i++) assert.equal((await udpExchange(socket, clusterIP, 53, `n${i}`)).reply, `${backend}:n${i}`);
    assert.equal((backend === 'a' ? a : b).clients.at(-1), '127.0.0.11', 'the backend sees the client address');
  });

  it('spreads clients over both endpoints, and answers on the NodePort', async () => {
    const replies = new Set<string>();
    for (let i = 0; i < 6; i++) replies.add((await udpExchange(await client(), clusterIP, 53, 'x')).reply);
    assert.deepEqual([...replies].sort(), ['a:x', 'b:x']);
    const viaNodePort = await udpExchange(await client(), '127.0.0.1', nodePort, 'np');
    assert.match(viaNodePort.reply, /^[ab]:np$/);
    assert.equal(viaNodePort.from, `127.0.0.1:${nodePort}`);
  });

  it('moves a client whose backend stopped being ready to the other one', async () => {
    const socket = await client();
    const backend = (await udpExchange(socket, clusterIP, 53, 'before')).reply.split(':')[0];
    const [staying, leaving] = backend === 'a' ? [b, a] : [a, b];
    const current = await cluster.client.get(SLICES, 'default', 'echo-1');
    await cluster.client.update(SLICES, {
      ...endpointSliceObject('echo-1', 'echo', [{ name: 'echo', port: 5353, protocol: 'UDP' }], [{ ip: staying.ip }, { ip: leaving.ip, ready: false }]),
      metadata: { ...current.metadata },
    });
    await eventually(async () => (await udpExchange(socket, clusterIP, 53, 'after').catch(() => undefined))?.reply === `${staying.name}:after` || undefined, 5_000, 'the association moving');
  });

  it('closes an idle association after the idle timeout', async () => {
    const socket = await client();
    await udpExchange(socket, clusterIP, 53, 'ping');
    const frontend = proxy.getSnapshot().context.session!.listeners.listening().get(`UDP/${clusterIP}:53`);
    assert.ok(frontend && 'pruneAssociations' in frontend);
    assert.ok(frontend.stats.associations >= 1);
    await eventually(() => frontend.stats.associations === 0 || undefined, 3_000, 'associations expiring');
  });

  it('closes the UDP listener when the Service is deleted', async () => {
    await cluster.client.delete('services', 'default', 'echo');
    await eventually(() => !proxy.getSnapshot().context.session!.listeners.listening().has(`UDP/${clusterIP}:53`) || undefined, 5_000, 'the listener closed');
    // The port is free again: another socket can bind it.
    const probe = createSocket('udp4');
    probe.bind(53, clusterIP);
    await once(probe, 'listening');
    probe.close();
  });
});
