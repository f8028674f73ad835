import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { effectivePodCIDR, labelsToAdd, newNode, nodeStatus, nodeStatusChanged, type NodeConfig } from '../../src/kubelet/node-status.ts';
import { newNodeLease, renewedNodeLease } from '../../src/kubelet/node-lease.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const config: NodeConfig = {
  nodeName: 'n1',
  hostIP: '127.0.0.1',
  runtimeName: 'simulated',
  capacity: { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi' },
  allocatable: { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi' },
  podCIDR: '127.30.0.0/24',
  host: { hostname: 'h', architecture: 'amd64', kernelVersion: '6.1', osImage: 'Linux', machineID: 'm', bootID: 'b' },
};

describe('node registration and status', () => {
  it('builds the Node kubelet registers', () => {
    const node = newNode(config, T0);
    assert.equal(node.metadata.labels?.['kubernetes.io/hostname'], 'n1');
    assert.equal(node.metadata.labels?.['kubernetes.io/arch'], 'amd64');
    assert.deepEqual(node.spec, { podCIDR: '127.30.0.0/24', podCIDRs: ['127.30.0.0/24'] });
    const status = node.status as { conditions: Array<Record<string, string>>; nodeInfo: Record<string, string>; daemonEndpoints: unknown };
    assert.deepEqual(status.conditions.map((c) => `${c.type}=${c.status}`), ['MemoryPressure=False', 'DiskPressure=False', 'PIDPressure=False', 'Ready=True']);
    const ready = status.conditions[3]!;
    assert.deepEqual([ready.reason, ready.message, ready.lastHeartbeatTime], ['KubeletReady', 'kubelet is posting ready status', '2026-01-01T00:00:00Z']);
    assert.equal(status.nodeInfo.containerRuntimeVersion, 'jetkube-simulated://0.1');
    assert.equal(status.nodeInfo.kubeletVersion, 'v1.32.4');
    assert.deepEqual(status.daemonEndpoints, { kubeletEndpoint: { Port: 10250 } });
  });

  it('moves heartbeats but keeps transition times, and sees no change in a heartbeat alone', () => {
    const node = newNode(config, T0);
    const later = nodeStatus(config, node, T0 + 60_000) as { conditions: Array<Record<string, string>> };
    assert.equal(later.conditions[3]!.lastHeartbeatTime, '2026-01-01T00:01:00Z');
    assert.equal(later.conditions[3]!.lastTransitionTime, '2026-01-01T00:00:00Z');
    assert.equal(nodeStatusChanged(node.status, later), false);
    assert.equal(nodeStatusChanged(node.status, nodeStatus({ ...config, capacity: { ...config.capacity, pods: '50' } }, node, T0)), true);
  });

  it('adds missing labels only, and prefers a podCIDR set on the Node', () => {
    const node = newNode(config, T0);
    assert.equal(labelsToAdd(config, node), undefined);
    assert.deepEqual(labelsToAdd(config, { ...node, metadata: { name: 'n1', labels: { 'kubernetes.io/os': 'linux' } } })?.['kubernetes.io/hostname'], 'n1');
    assert.equal(effectivePodCIDR({ ...node, spec: { podCIDR: '10.244.3.0/24' } }, '127.30.0.0/24'), '10.244.3.0/24');
    assert.equal(effectivePodCIDR({ ...node, spec: {} }, '127.30.0.0/24'), '127.30.0.0/24');
  });

  it('builds and renews the node Lease', () => {
    const node = { ...newNode(config, T0), metadata: { name: 'n1', uid: 'node-uid' } };
    const lease = newNodeLease(node, T0);
    assert.equal(lease.metadata.namespace, 'kube-node-lease');
    assert.deepEqual(lease.spec, { holderIdentity: 'n1', leaseDurationSeconds: 40, renewTime: '2026-01-01T00:00:00.000000Z' });
    assert.deepEqual(lease.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'node-uid' }]);
    const renewed = renewedNodeLease({ ...lease, metadata: { ...lease.metadata, resourceVersion: '7' } }, node, T0 + 10_000);
    assert.equal((renewed.spec as { renewTime: string }).renewTime, '2026-01-01T00:00:10.000000Z');
    assert.equal(renewed.metadata.resourceVersion, '7', 'the renewal is pinned to what was read');
  });
});
