/**
 * Cluster DNS from inside pods the kubelet runs: a process kubelet whose --cluster-dns
 * is the DNS actor, an nginx pod behind a Service, and an agnhost pod whose netexec
 * /dial reaches `http://web` (short name, through the resolv.conf the kubelet wrote into
 * its container root). Real nats-server, real processes, real sockets.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createActor, waitFor, type Actor } from 'xstate';
import { clusterDnsMachine } from '../../actors/dns.machine.ts';
import { kubeletMachine } from '../../actors/kubelet.machine.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { MemoryLogSink } from '../../src/kubelet/log-sink.ts';
import type { DnsServerHandle } from '../../src/dns/server.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/cluster.ts';

const NODE = 'dns-node-1';
const octet = () => 1 + Math.floor(Math.random() * 250);
const DNS_ADDRESS = `127.53.${octet()}.${octet()}`;

const statusOf = (pod: KubeObject) => (pod.status ?? {}) as { podIP?: string; conditions?: Array<{ type: string; status: string }> };

describe('cluster DNS from pods the kubelet runs', () => {
  let cluster: TestCluster;
  let dns: Actor<typeof clusterDnsMachine>;
  let server: DnsServerHandle;
  let kubelet: Actor<typeof kubeletMachine>;
  let rootDir: string;

  before(async () => {
    cluster = await startTestCluster();
    dns = createActor(clusterDnsMachine, { input: { natsUrl: cluster.nats.url, address: DNS_ADDRESS, port: 0, upstreams: [] } });
    dns.start();
    server = (await waitFor(dns, (s) => s.matches('serving'), { timeout: 20_000 })).context.server!;
    rootDir = await mkdtemp(join(tmpdir(), 'kubelet-dns-'));
    kubelet = createActor(kubeletMachine, {
      input: {
        natsUrl: cluster.nats.url,
        nodeName: NODE,
        runtime: 'process',
        rootDir,
        podCIDR: `127.${140 + Math.floor(Math.random() * 50)}.${octet()}.0/24`,
        logs: new MemoryLogSink(),
        clusterDNS: [`${server.address}:${server.port}`],
      },
    });
    kubelet.start();
    await waitFor(kubelet, (s) => s.matches('running'), { timeout: 20_000 });
  });

  after(async () => {
    kubelet?.send({ type: 'stop' });
    if (kubelet) await waitFor(kubelet, (s) => s.status === 'done', { timeout: 20_000 });
    dns?.send({ type: 'stop' });
    if (dns) await waitFor(dns, (s) => s.status === 'done', { timeout: 10_000 });
    await cluster?.dispose();
    if (rootDir) await rm(rootDir, { recursive: true, force: true });
  });

  const readyPod = (name: string) =>
    eventually(async () => {
      const p = await cluster.client.get('pods', 'default', name);
      return statusOf(p).conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? p : undefined;
    }, 20_000, `${name} Ready`);

  it('lets a pod reach a Service by its short name through the resolv.conf the kubelet wrote', async () => {
    const probe = (port: number) => ({ httpGet: { port, path: '/' }, periodSeconds: 1 });
    await cluster.client.create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'default' },
      spec: { nodeName: NODE, terminationGracePeriodSeconds: 1, containers: [{ name: 'nginx', image: 'nginx', env: [{ name: 'JETKUBE_LISTEN_PORT', value: '18090' }], readinessProbe: probe(18090) }] },
    });
    await cluster.client.create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'client', namespace: 'default' },
      spec: { nodeName: NODE, terminationGracePeriodSeconds: 1, containers: [{ name: 'agnhost', image: 'agnhost', args: ['netexec', '--http-port=18091'], readinessProbe: probe(18091) }] },
    });
    const web = await readyPod('web');
    const client = await readyPod('client');
    const webIP = statusOf(web).podIP!;
    await cluster.client.create('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: 'None', ports: [{ name: 'http', port: 18090 }] } });
    await cluster.client.create('endpointslices.discovery.k8s.io', {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'web-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [webIP], conditions: { ready: true }, targetRef: { kind: 'Pod', name: 'web', namespace: 'default' } }],
      ports: [{ name: 'http', port: 18090, protocol: 'TCP' }],
    } as KubeObject);

    const resolvConf = await readFile(join(rootDir, 'pods', client.metadata.uid!, 'containers', 'agnhost', 'etc', 'resolv.conf'), 'utf8');
    assert.equal(resolvConf, `nameserver ${server.address}:${server.port}\nsearch default.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n`);

    const result = await eventually(async () => {
      const res = await fetch(`http://${statusOf(client).podIP}:18091/dial?request=&protocol=http&host=web&port=18090&tries=1`);
      const body = (await res.json()) as { responses: string[]; errors: string[] };
      return body.responses.length > 0 ? body : undefined;
    }, 10_000, 'the client pod reaching http://web');
    assert.match(result.responses[0]!, /Welcome to nginx!/);
  });
});
