/**
 * Which kubelets `jetkube up` runs and their addresses, pure. Pods of real (process)
 * nodes get addresses a process can bind: node i owns 127.(128+i).0.0/16, inside the
 * cluster pod range 127.128.0.0/10, so at most 64 such nodes. Simulated nodes run no
 * process, so their pods get addresses nobody binds: node i owns 10.(i>>8).(i&255).0/24
 * (65,536 nodes), as kwok's do.
 */
import { join } from 'node:path';

export const MAX_PROCESS_NODES = 64;
export const MAX_SIMULATED_NODES = 65_536;

export interface PlannedNode {
  nodeName: string;
  podCIDR: string;
  rootDir: string;
}

export function processNodePlan(count: number, dataDir: string, host: string): PlannedNode[] {
  if (!Number.isInteger(count) || count < 0 || count > MAX_PROCESS_NODES) {
    throw new Error(`--nodes must be between 0 and ${MAX_PROCESS_NODES} (each owns a /16 of 127.128.0.0/10)`);
  }
  return Array.from({ length: count }, (_, i) => {
    const nodeName = count === 1 ? host : `${host}-${i + 1}`;
    return { nodeName, podCIDR: `127.${128 + i}.0.0/16`, rootDir: join(dataDir, 'kubelet', nodeName) };
  });
}

export function simulatedNodePlan(count: number, dataDir: string): PlannedNode[] {
  if (!Number.isInteger(count) || count < 0 || count > MAX_SIMULATED_NODES) {
    throw new Error(`--simulated-nodes must be between 0 and ${MAX_SIMULATED_NODES}`);
  }
  return Array.from({ length: count }, (_, i) => ({
    nodeName: `sim-${i + 1}`,
    podCIDR: `10.${i >> 8}.${i & 255}.0/24`,
    rootDir: join(dataDir, 'kubelet', 'simulated'),
  }));
}
