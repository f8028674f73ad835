/**
 * A whole cluster for end-to-end tests of the node side: the HTTPS test cluster plus the
 * controller manager, the scheduler (both without leader election) and one kubelet with
 * the process runtime, under the cluster's data dir. Its pods get a random /24 of the
 * cluster pod range, so two test files running at once never share an address.
 */
import { join } from 'node:path';
import { createActor, waitFor, type AnyActorRef } from 'xstate';
import { controllerManagerMachine } from '../../actors/controller-manager.machine.ts';
import { kubeletMachine } from '../../actors/kubelet.machine.ts';
import { schedulerMachine } from '../../actors/scheduler.machine.ts';
import { startHttpTestCluster, type HttpTestCluster } from './http-cluster.ts';

export interface NodeTestCluster extends HttpTestCluster {
  nodeName: string;
  podCIDR: string;
}

export async function startNodeCluster(options: { nodeName?: string; leaderElect?: boolean; clusterDNS?: string[] } = {}): Promise<NodeTestCluster> {
  const cluster = await startHttpTestCluster();
  const nodeName = options.nodeName ?? 'node-1';
  const podCIDR = `127.${128 + Math.floor(Math.random() * 64)}.${Math.floor(Math.random() * 256)}.0/24`;
  const natsUrl = cluster.nats.url;
  const components: AnyActorRef[] = [
    createActor(controllerManagerMachine, { input: { natsUrl, leaderElect: options.leaderElect ?? false, localPathRoot: join(cluster.dataDir, 'volumes'), rootCACert: cluster.pki.caCert } }),
    createActor(schedulerMachine, { input: { natsUrl, leaderElect: options.leaderElect ?? false } }),
    createActor(kubeletMachine, {
      input: {
        natsUrl,
        nodeName,
        runtime: 'process',
        rootDir: join(cluster.dataDir, 'kubelet'),
        podCIDR,
        backoff: { baseMs: 1_000 },
        ...(options.clusterDNS ? { clusterDNS: options.clusterDNS } : {}),
      },
    }),
  ];
  for (const component of components) component.start();
  const dispose = cluster.dispose;
  return {
    ...cluster,
    nodeName,
    podCIDR,
    async dispose() {
      for (const component of components) component.send({ type: 'stop' });
      for (const component of components) await waitFor(component, (s) => s.status === 'done', { timeout: 30_000 }).catch(() => undefined);
      await dispose();
    },
  };
}
