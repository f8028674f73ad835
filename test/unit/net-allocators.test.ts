import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pickFree, withStaticBand } from '../../src/net/range-allocator.ts';
import { clusterIPRange, formatIPv4, ipInRange, nodePortRange } from '../../src/net/service-ranges.ts';
import { nextFreeSubnet, subnetCIDR, subnetIndexOf, subnetPlan } from '../../src/net/pod-cidrs.ts';
import { decideNodeCIDR, occupiedSubnets } from '../../src/controllers/node-ipam/decide.ts';
import { allocationWants, carryAllocatedValues, heldBy, withAllocations } from '../../src/net/service-allocation-rules.ts';
import { decideRepair } from '../../src/apiserver/service-allocation-repair.ts';
import type { KubeObject } from '../../src/api/object.ts';

const svc = (spec: Record<string, unknown>, uid = 'u1'): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default', uid }, spec });

describe('service ranges', () => {
  it('the ClusterIP range is 127.96.0.0/16 without network and broadcast, with a 256-address static band', () => {
    const range = clusterIPRange();
    assert.equal(formatIPv4(range.first), '127.96.0.1');
    assert.equal(formatIPv4(range.last), '127.96.255.254');
    assert.equal(formatIPv4(range.staticEnd), '127.96.1.0');
    assert.ok(ipInRange(range, '127.96.0.10'));
    assert.ok(!ipInRange(range, '127.97.0.1'));
    assert.ok(!ipInRange(range, '127.96.0.0'));
  });

  it('NodePorts are 30000-32767 with a 128-port static band', () => {
    assert.deepEqual(nodePortRange(), { first: 30000, last: 32767, staticEnd: 30127 });
  });

  it('dynamic picks stay out of the static band until the upper part is full', () => {
    const range = withStaticBand(1, 64, 16, 256);
    assert.equal(range.staticEnd, 16);
    for (let i = 0; i < 50; i++) assert.ok(pickFree(range, () => false, Math.random)! > 16);
    const upperTaken = (v: number) => v > 16;
    assert.ok(pickFree(range, upperTaken, Math.random)! <= 16);
    assert.equal(pickFree(range, () => true, Math.random), undefined);
  });

  it('walks on from a taken value to the next free one', () => {
    const range = withStaticBand(0, 99, 16, 16);
    assert.equal(pickFree(range, (v) => v === 16 || v === 17, () => 0), 18);
  });
});

describe('pod CIDRs (node IPAM)', () => {
  const plan = subnetPlan('127.128.0.0/10');
  it('cuts the cluster range into 64 /16s', () => {
    assert.equal(plan.count, 64);
    assert.equal(subnetCIDR(plan, 0), '127.128.0.0/16');
    assert.equal(subnetCIDR(plan, 63), '127.191.0.0/16');
    assert.equal(subnetIndexOf(plan, '127.130.5.0/24'), 2);
    assert.equal(subnetIndexOf(plan, '10.0.3.0/24'), undefined);
    assert.equal(nextFreeSubnet(plan, new Set([0, 1, 3]), 0), 2);
    assert.equal(nextFreeSubnet(plan, new Set([63]), 63), 0);
  });

  const node = (name: string, podCIDR?: string): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: podCIDR ? { podCIDR } : {} });

  it('gives a node without a podCIDR the next free /16, counting CIDRs nodes brought themselves', () => {
    const nodes = [node('a', '127.128.0.0/16'), node('sim', '10.0.0.0/24'), node('test', '127.129.7.0/24'), node('new')];
    const occupied = occupiedSubnets(plan, nodes);
    assert.deepEqual([...occupied].sort(), [0, 1]);
    assert.deepEqual(decideNodeCIDR(plan, nodes[3], occupied, 0), { type: 'assign', index: 2, podCIDR: '127.130.0.0/16' });
    assert.deepEqual(decideNodeCIDR(plan, nodes[0], occupied, 0), { type: 'none' });
    assert.deepEqual(decideNodeCIDR(plan, nodes[1], occupied, 0), { type: 'none' }, 'simulated nodes keep their 10.x range');
    assert.deepEqual(decideNodeCIDR(plan, node('x'), new Set(Array.from({ length: 64 }, (_, i) => i)), 0), { type: 'exhausted' });
  });
});

describe('service allocation rules', () => {
  it('a ClusterIP Service wants an address; a headless one and an ExternalName none', () => {
    assert.deepEqual(allocationWants(svc({ type: 'ClusterIP', ports: [{ port: 80 }] })), { clusterIP: {}, nodePorts: [] });
    assert.deepEqual(allocationWants(svc({ type: 'ClusterIP', clusterIP: 'None' })), { nodePorts: [] });
    assert.deepEqual(allocationWants(svc({ type: 'ExternalName', externalName: 'x.example' })), { nodePorts: [] });
  });

  it('a NodePort Service wants a port per service port, requested ones by number', () => {
    const wants = allocationWants(svc({ type: 'NodePort', clusterIP: '127.96.0.50', ports: [{ port: 80 }, { port: 81, nodePort: 30080 }] }));
    assert.deepEqual(wants, { clusterIP: { requested: '127.96.0.50' }, nodePorts: [{ portIndex: 0 }, { portIndex: 1, requested: 30080 }] });
  });

  it('an update wants only what the stored version does not hold', () => {
    const before = svc({ type: 'NodePort', clusterIP: '127.96.3.3', clusterIPs: ['127.96.3.3'], ports: [{ port: 80, nodePort: 30001 }] });
    const after = carryAllocatedValues(before, svc({ type: 'NodePort', ports: [{ port: 80, protocol: 'TCP' }, { name: 'b', port: 81 }] }));
    assert.deepEqual(allocationWants(after, before), { nodePorts: [{ portIndex: 1 }] });
    assert.equal((after.spec as { clusterIP: string }).clusterIP, '127.96.3.3');
  });

  it('a type change back to ClusterIP drops the nodePorts it held', () => {
    const before = svc({ type: 'NodePort', clusterIP: '127.96.3.3', ports: [{ port: 80, protocol: 'TCP', nodePort: 30001 }] });
    const after = carryAllocatedValues(before, { ...before, spec: { ...(before.spec as object), type: 'ClusterIP' } });
    assert.deepEqual(heldBy(after), { ips: ['127.96.3.3'], nodePorts: [] });
    const etp = carryAllocatedValues({ ...before, spec: { ...(before.spec as object), externalTrafficPolicy: 'Cluster' } }, { ...before, spec: { ...(before.spec as object), type: 'ClusterIP', externalTrafficPolicy: 'Cluster' } });
    assert.equal((etp.spec as { externalTrafficPolicy?: string }).externalTrafficPolicy, undefined, 'externalTrafficPolicy goes with the type that needed it');
  });

  it('fills allocated values in, as Kubernetes reports them', () => {
    const filled = withAllocations(svc({ type: 'NodePort', ports: [{ port: 80 }] }), '127.96.9.9', new Map([[0, 31000]]));
    assert.deepEqual(filled.spec, { type: 'NodePort', clusterIP: '127.96.9.9', clusterIPs: ['127.96.9.9'], ports: [{ port: 80, nodePort: 31000 }], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' });
  });

  it('the repair loop keeps held records, waits out the grace for never-held ones, and releases a deleted Service\'s at once', () => {
    assert.deepEqual(decideRepair(true, false, undefined, 1000, 500), { type: 'keep' });
    assert.deepEqual(decideRepair(false, false, undefined, 1000, 500), { type: 'wait', afterMs: 500 });
    assert.deepEqual(decideRepair(false, false, 600, 1000, 500), { type: 'wait', afterMs: 100 });
    assert.deepEqual(decideRepair(false, false, 400, 1000, 500), { type: 'release' });
    assert.deepEqual(decideRepair(false, true, undefined, 1000, 500), { type: 'release' });
  });
});
