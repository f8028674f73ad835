// The ingress controller in front of real pods: a whole cluster (API server, controller
// manager, scheduler, a process kubelet) runs two agnhost netexec pods with a readiness
// probe; a selector-less Service and an EndpointSlice written from the pods' addresses
// (so no EndpointSlice controller is needed) put them behind an Ingress; requests
// through the proxy reach both pods, and `kubectl get ingress` shows the proxy's address.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createActor, waitFor, type Actor } from 'xstate';
import { ingressMachine } from '../../actors/ingress.machine.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { eventually } from '../support/cluster.ts';
import { kubectlOk, writeManifest } from '../support/http-cluster.ts';
import { startNodeCluster, type NodeTestCluster } from '../support/node-cluster.ts';

const LISTEN = '127.0.98.1';

const manifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: hostnames
spec:
  replicas: 2
  selector:
    matchLabels: { app: hostnames }
  template:
    metadata:
      labels: { app: hostnames }
    spec:
      containers:
        - name: netexec
          image: agnhost:2.53
          args: [netexec, --http-port=8080]
          readinessProbe:
            httpGet: { path: /healthz, port: 8080 }
            periodSeconds: 1
---
apiVersion: v1
kind: Service
metadata:
  name: hostnames
spec:
  ports:
    - { name: http, port: 80, targetPort: 8080 }
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: hostnames
spec:
  ingressClassName: jetkube
  rules:
    - host: hostnames.test
      http:
        paths:
          - { path: /, pathType: Prefix, backend: { service: { name: hostnames, port: { name: http } } } }
`;

function get(port: number, host: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: LISTEN, port, path, headers: { host }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

const isReady = (pod: KubeObject) =>
  ((pod.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

describe('ingress in front of real pods', { timeout: 180_000 }, () => {
  let cluster: NodeTestCluster;
  let controller: Actor<typeof ingressMachine>;
  let port = 0;

  before(async () => {
    cluster = await startNodeCluster();
    controller = createActor(ingressMachine, { input: { natsUrl: cluster.nats.url, host: LISTEN, port: 0, drainGraceMs: 200 } });
    controller.start();
    port = (await waitFor(controller, (s) => s.matches('serving'), { timeout: 30_000 })).context.address!.port;
  });

  after(async () => {
    controller?.send({ type: 'stop' });
    if (controller) await waitFor(controller, (s) => s.status === 'done', { timeout: 30_000 });
    await cluster?.dispose();
  });

  it('routes a host to the ready pods behind its Service, spread over both', async () => {
    await kubectlOk(cluster, 'apply', '-f', await writeManifest(cluster, 'hostnames.yaml', manifest));
    const pods = await eventually(async () => {
      const items = (await cluster.client.list('pods', 'default', { labelSelector: 'app=hostnames' })).items;
      return items.length === 2 && items.every(isReady) ? items : undefined;
    }, 90_000, 'two ready pods');
    await cluster.client.create('endpointslices.discovery.k8s.io', {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'hostnames-manual', namespace: 'default', labels: { 'kubernetes.io/service-name': 'hostnames' } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: pods.map((pod) => ({
        addresses: [(pod.status as { podIP: string }).podIP],
        conditions: { ready: true },
        targetRef: { kind: 'Pod', namespace: 'default', name: pod.metadata.name!, uid: pod.metadata.uid! },
      })),
    });
    const names = new Set(pods.map((p) => p.metadata.name));
    const answered = await eventually(async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 10; i++) {
        const res = await get(port, 'hostnames.test', '/hostname');
        if (res.status === 200) seen.add(res.body.trim());
      }
      return seen.size === 2 ? seen : undefined;
    }, 20_000, 'both pods answering through the ingress');
    assert.deepEqual([...answered].sort(), [...names].sort());
    assert.equal((await get(port, 'other.test', '/hostname')).status, 404);
    const address = await eventually(
      async () => (await kubectlOk(cluster, 'get', 'ingress', 'hostnames', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}')).stdout || undefined,
      10_000,
      'the Ingress address',
    );
    assert.equal(address, LISTEN);
    const row = (await kubectlOk(cluster, 'get', 'ingress', 'hostnames', '--no-headers')).stdout.trim().split(/\s+/);
    assert.deepEqual(row.slice(0, 5), ['hostnames', 'jetkube', 'hostnames.test', LISTEN, '80']);
  });
});
