/**
 * A real three-server NATS cluster for one test file: free ports, a temporary store root,
 * removed again by dispose().
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNatsCluster, type NatsCluster } from '../../src/natsd/cluster.ts';

export interface TestNatsCluster extends NatsCluster {
  dispose(): Promise<void>;
}

export async function startTestNatsCluster(size = 3): Promise<TestNatsCluster> {
  const storeRoot = await mkdtemp(join(tmpdir(), 'jetkube-test-nats-cluster-'));
  const cluster = await startNatsCluster({ size, storeRoot });
  return {
    get url() {
      return cluster.url;
    },
    get members() {
      return cluster.members;
    },
    restart: (name) => cluster.restart(name),
    stop: () => cluster.stop(),
    async dispose() {
      await cluster.stop();
      await rm(storeRoot, { recursive: true, force: true });
    },
  };
}
