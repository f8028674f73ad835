// The HorizontalPodAutoscaler end to end: a Deployment of one CPU-burning busybox loop
// (requests cpu 100m) under an autoscaling/v2 HPA targeting 50% is scaled up by the
// controller manager from the pods' metrics.k8s.io usage, and the HPA's status says so.
// The cluster is startNodeCluster's, with a short HPA sync period.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createActor, waitFor, type AnyActorRef } from 'xstate';
import { controllerManagerMachine } from '../../actors/controller-manager.machine.ts';
import { kubeletMachine } from '../../actors/kubelet.machine.ts';
import { schedulerMachine } from '../../actors/scheduler.machine.ts';
import { eventually } from '../support/cluster.ts';
import { kubectlOk, startHttpTestCluster, writeManifest, type HttpTestCluster } from '../support/http-cluster.ts';

const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: burner
spec:
  replicas: 1
  selector:
    matchLabels: { app: burner }
  template:
    metadata:
      labels: { app: burner }
    spec:
      terminationGracePeriodSeconds: 0
      containers:
      - name: burn
        image: busybox
        command: ["sh", "-c", "while :; do :; done"]
        resources:
          requests: { cpu: 100m }
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: burner
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: burner }
  minReplicas: 1
  maxReplicas: 3
  metrics:
  - type: Resource
    resource:
      name: cpu
      target: { type: Utilization, averageUtilization: 50 }
`;

describe('HorizontalPodAutoscaler on CPU', { timeout: 120_000 }, () => {
  let cluster: HttpTestCluster;
  const components: AnyActorRef[] = [];
  before(async () => {
    cluster = await startHttpTestCluster();
    const natsUrl = cluster.nats.url;
    const podCIDR = `127.${128 + Math.floor(Math.random() * 64)}.${Math.floor(Math.random() * 256)}.0/24`;
    components.push(
      createActor(controllerManagerMachine, { input: { natsUrl, leaderElect: false, localPathRoot: join(cluster.dataDir, 'volumes'), hpaSyncPeriodMs: 2_000, hpaDownscaleStabilizationMs: 60_000 } }),
      createActor(schedulerMachine, { input: { natsUrl, leaderElect: false } }),
      createActor(kubeletMachine, { input: { natsUrl, nodeName: 'node-1', runtime: 'process', rootDir: join(cluster.dataDir, 'kubelet'), podCIDR, backoff: { baseMs: 1_000 } } }),
    );
    for (const component of components) component.start();
  });
  after(async () => {
    await cluster.kubectl('delete', 'deployment', 'burner', '--wait=false');
    for (const component of components) component.send({ type: 'stop' });
    for (const component of components) await waitFor(component, (s) => s.status === 'done', { timeout: 30_000 }).catch(() => undefined);
    await cluster.dispose();
  });

  it('scales a busy Deployment up from 1 and reports the utilisation and conditions', async () => {
    await kubectlOk(cluster, 'apply', '-f', await writeManifest(cluster, 'burner.yaml', MANIFEST));
    const replicas = await eventually(async () => {
      const r = await cluster.kubectl('get', 'deployment', 'burner', '-o', 'jsonpath={.spec.replicas}');
      return r.code === 0 && Number(r.stdout) >= 2 ? Number(r.stdout) : undefined;
    }, 90_000, 'the HPA scaling the Deployment up');
    assert.ok(replicas <= 3, 'never above maxReplicas');
    const hpa = JSON.parse((await kubectlOk(cluster, 'get', 'hpa', 'burner', '-o', 'json')).stdout) as {
      status: { currentReplicas: number; desiredReplicas: number; lastScaleTime?: string; currentMetrics?: Array<{ resource: { current: { averageUtilization: number } } }>; conditions: Array<{ type: string; status: string; reason: string }> };
    };
    assert.ok(hpa.status.desiredReplicas >= 2);
    assert.ok(hpa.status.lastScaleTime, 'lastScaleTime set');
    assert.ok((hpa.status.currentMetrics?.[0]?.resource.current.averageUtilization ?? 0) > 55, 'utilisation above the target and its tolerance');
    const conditions = Object.fromEntries(hpa.status.conditions.map((c) => [c.type, c.status]));
    assert.deepEqual(conditions, { AbleToScale: 'True', ScalingActive: 'True', ScalingLimited: conditions.ScalingLimited ?? 'missing' });
    assert.notEqual(conditions.ScalingLimited, 'missing');
    const row = (await kubectlOk(cluster, 'get', 'hpa', 'burner', '--no-headers')).stdout;
    assert.match(row, /^burner\s+Deployment\/burner\s+cpu: \d+%\/50%\s+1\s+3\s+\d+/);
  });
});
