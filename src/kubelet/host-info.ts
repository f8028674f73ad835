/**
 * What the node reports about its host, read once per process (thousands of simulated
 * kubelets share it): hostname, architecture in Go's spelling, kernel, OS image, machine
 * and boot ids, and the capacity the host offers.
 */
import { readFileSync, statfsSync } from 'node:fs';
import { arch, cpus, hostname, release, totalmem } from 'node:os';
import type { HostInfo, NodeResources } from './node-status.ts';

let cached: HostInfo | undefined;

const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' };

function readTrimmed(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

export function hostInfo(): HostInfo {
  if (cached) return cached;
  const osRelease = readTrimmed('/etc/os-release') ?? '';
  const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(osRelease)?.[1];
  cached = {
    hostname: hostname(),
    architecture: GO_ARCH[arch()] ?? arch(),
    kernelVersion: release(),
    osImage: pretty ?? 'Linux',
    machineID: readTrimmed('/etc/machine-id') ?? '',
    bootID: readTrimmed('/proc/sys/kernel/random/boot_id') ?? '',
  };
  return cached;
}

const capacityCache = new Map<string, NodeResources>();

/** The host's capacity: every CPU, all memory, 110 pods, the size of the filesystem holding rootDir. */
export function hostCapacity(rootDir: string): NodeResources {
  const known = capacityCache.get(rootDir);
  if (known) return known;
  let storageKi = 0;
  try {
    const fs = statfsSync(rootDir);
    storageKi = Math.floor((fs.blocks * fs.bsize) / 1024);
  } catch {
    try {
      const fs = statfsSync('/');
      storageKi = Math.floor((fs.blocks * fs.bsize) / 1024);
    } catch {
      storageKi = 0;
    }
  }
  const capacity: NodeResources = {
    cpu: String(cpus().length || 1),
    memory: `${Math.floor(totalmem() / 1024)}Ki`,
    pods: '110',
    'ephemeral-storage': `${storageKi}Ki`,
  };
  capacityCache.set(rootDir, capacity);
  return capacity;
}
