/**
 * The node IPAM allocator's occupancy, kept from Node events, equals the occupancy
 * recomputed from the Nodes that exist after any sequence of adds, CIDR changes and
 * deletes (including Nodes outside the range, without a CIDR, and two Nodes sharing one
 * subnet).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import type { KubeObject } from '../../src/api/object.ts';
import { occupiedSubnets } from '../../src/controllers/node-ipam/decide.ts';
import { SubnetOccupancy } from '../../src/controllers/node-ipam/occupancy.ts';
import { subnetPlan } from '../../src/net/pod-cidrs.ts';

const plan = subnetPlan('127.128.0.0/10');
const names = ['a', 'b', 'c', 'd', 'e'];
const cidrs = [undefined, '127.128.0.0/16', '127.129.3.0/24', '127.129.0.0/16', '127.191.0.0/16', '10.0.0.0/24', 'not-a-cidr'];

const node = (name: string, podCIDR: string | undefined): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: podCIDR ? { podCIDR } : {} });

const event = fc.record({
  name: fc.constantFrom(...names),
  podCIDR: fc.constantFrom(...cidrs),
  deleted: fc.boolean(),
});

it('occupancy kept from events equals occupancy recomputed from the Nodes', () => {
  fc.assert(
    fc.property(fc.array(event, { maxLength: 60 }), (events) => {
      const occupancy = new SubnetOccupancy(plan);
      const existing = new Map<string, KubeObject>();
      for (const e of events) {
        if (e.deleted) {
          existing.delete(e.name);
          occupancy.forget(e.name);
        } else {
          const n = node(e.name, e.podCIDR);
          existing.set(e.name, n);
          occupancy.observe(e.name, n);
        }
        const expected = [...occupiedSubnets(plan, [...existing.values()])].sort((x, y) => x - y);
        assert.deepEqual(occupancy.indexes(), expected);
        for (let index = 0; index < plan.count; index++) assert.equal(occupancy.has(index), expected.includes(index));
      }
    }),
  );
});
