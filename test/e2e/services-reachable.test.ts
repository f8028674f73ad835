// Issue 6's done-when with the real kubectl: `kubectl expose deployment nginx --port 80
// --type NodePort`, then the pods answer on the ClusterIP and the NodePort (kube-proxy),
// by DNS name (dig, and a pod resolving the short name through its resolv.conf), and
// through an Ingress. A whole cluster: API server, controller manager (endpoints, slices,
// allocation repair), scheduler, a process kubelet, kube-proxy, the cluster DNS on a free
// port of 127.96.0.10, and the ingress controller on a free port.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createActor, waitFor, type AnyActorRef } from 'xstate';
import { clusterDnsMachine } from '../../actors/dns.machine.ts';
import { ingressMachine } from '../../actors/ingress.machine.ts';
import { kubeProxyMachine } from '../../actors/kube-proxy.machine.ts';
import { CLUSTER_DNS_IP } from '../../src/net/cluster-network.ts';
import { eventually } from '../support/cluster.ts';
import { dig } from '../support/dns-dig.ts';
import { kubectlOk } from '../support/http-cluster.ts';
import { startNodeCluster, type NodeTestCluster } from '../support/node-cluster.ts';

const DNS_PORT = 20_000 + Math.floor(Math.random() * 10_000);

function get(url: string, host?: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request(url, { headers: host ? { host } : {}, timeout: 2_000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(res.statusCode === 200 ? body : undefined));
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

describe('a Service in front of a Deployment is reachable every way', { timeout: 180_000 }, () => {
  let cluster: NodeTestCluster;
  const extras: AnyActorRef[] = [];
  let ingressUrl = '';

  before(async () => {
    cluster = await startNodeCluster({ clusterDNS: [`${CLUSTER_DNS_IP}:${DNS_PORT}`] });
    const natsUrl = cluster.nats.url;
    const proxy = createActor(kubeProxyMachine, { input: { natsUrl } });
    const dns = createActor(clusterDnsMachine, { input: { natsUrl, address: CLUSTER_DNS_IP, port: DNS_PORT } });
    const ingress = createActor(ingressMachine, { input: { natsUrl, host: '127.0.0.1', port: 0 } });
    for (const actor of [proxy, dns, ingress]) {
      extras.push(actor);
      actor.start();
    }
    await waitFor(dns, (s) => s.matches('serving'), { timeout: 30_000 });
    const served = await waitFor(ingress, (s) => s.matches('serving'), { timeout: 30_000 });
    const address = served.context.address as { host: string; port: number };
    ingressUrl = `http://${address.host}:${address.port}/`;
  });
  after(async () => {
    for (const actor of extras) {
      actor.send({ type: 'stop' });
      await waitFor(actor, (s) => s.status === 'done', { timeout: 30_000 }).catch(() => undefined);
    }
    await cluster?.dispose();
  });

  const ok = async (...args: string[]) => (await kubectlOk(cluster, ...args)).stdout;
  let clusterIP = '';
  let nodePort = 0;

  it('kubectl expose gives the Deployment a ClusterIP and a NodePort', async () => {
    await ok('create', 'deployment', 'nginx', '--image=nginx', '--replicas=2', '--port=80');
    await ok('rollout', 'status', 'deployment/nginx', '--timeout=90s');
    await ok('expose', 'deployment', 'nginx', '--port', '80', '--type', 'NodePort');
    clusterIP = await ok('get', 'svc', 'nginx', '-o', 'jsonpath={.spec.clusterIP}');
    nodePort = Number(await ok('get', 'svc', 'nginx', '-o', 'jsonpath={.spec.ports[0].nodePort}'));
    assert.match(clusterIP, /^127\.96\.\d+\.\d+$/);
    assert.ok(nodePort >= 30000 && nodePort <= 32767, String(nodePort));
  });

  it('the ClusterIP and the NodePort answer from the pods', async () => {
    for (const url of [`http://${clusterIP}:80/`, `http://127.0.0.1:${nodePort}/`]) {
      const page = await eventually(() => get(url), 30_000, url);
      assert.match(page, /Welcome to nginx!/);
    }
  });

  it('the DNS name resolves to the ClusterIP, and a pod reaches the Service by its short name', async () => {
    const answer = await eventually(async () => {
      const a = await dig({ address: CLUSTER_DNS_IP, port: DNS_PORT }, ['nginx.default.svc.cluster.local', 'A']);
      return a.answer.length > 0 ? a : undefined;
    }, 20_000, 'the A record');
    assert.deepEqual(answer.answer.map((r) => r.data), [clusterIP]);
    await ok('run', 'client', '--image=node', '--restart=Never', '--', 'node', '-e', "fetch('http://nginx').then((r) => r.text()).then((t) => console.log(t.includes('Welcome to nginx!') ? 'reached nginx' : 'wrong page'))");
    await ok('wait', '--for=jsonpath={.status.phase}=Succeeded', 'pod/client', '--timeout=60s');
    assert.equal(await ok('logs', 'client'), 'reached nginx\n');
  });

  it('an Ingress routes its host to the Service', async () => {
    await ok('create', 'ingress', 'nginx', '--rule=nginx.example/*=nginx:80');
    const page = await eventually(() => get(ingressUrl, 'nginx.example'), 30_000, 'the ingress');
    assert.match(page, /Welcome to nginx!/);
    const status = await eventually(async () => (await ok('get', 'ingress', 'nginx', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}')) || undefined, 20_000, 'the ingress status');
    assert.equal(status, '127.0.0.1');
  });
});
