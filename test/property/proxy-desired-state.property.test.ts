/**
 * Property: for random Services (types, cluster IPs shared or not, ports by name and
 * protocol, node ports) and random EndpointSlices (endpoints with any mix of ready,
 * serving and terminating, duplicated across slices), the plan is the same whatever the
 * input order; no two frontends share an address:port:protocol; every frontend's group
 * exists; NodePorts appear only for NodePort Services; and a backend is an endpoint of its
 * own Service that a small model calls usable (ready, or serving and terminating when no
 * endpoint of that port is ready).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { KubeObject } from '../../src/api/object.ts';
import { desiredProxyState } from '../../src/proxy/desired-state.ts';
import { SERVICE_NAME_LABEL } from '../../src/proxy/endpoints.ts';

const names = ['a', 'b', 'c', 'd'];
const portNames = ['', 'http', 'dns'];
const ips = ['127.96.0.1', '127.96.0.2', '127.96.0.3'];
const endpointIPs = ['127.128.0.1', '127.128.0.2', '127.128.0.3', '127.128.0.4'];
const maybe = fc.option(fc.boolean(), { nil: undefined });

const serviceArb = fc.record({
  name: fc.constantFrom(...names),
  type: fc.constantFrom('ClusterIP', 'NodePort', 'ExternalName'),
  clusterIP: fc.constantFrom(...ips, 'None', ''),
  ports: fc.array(fc.record({ name: fc.constantFrom(...portNames), port: fc.constantFrom(53, 80), protocol: fc.constantFrom('TCP', 'UDP'), nodePort: fc.constantFrom(30001, 30002) }), { maxLength: 3 }),
});

const sliceArb = fc.record({
  name: fc.constantFrom('s1', 's2', 's3'),
  service: fc.constantFrom(...names),
  ports: fc.array(fc.record({ name: fc.constantFrom(...portNames), port: fc.integer({ min: 8000, max: 8002 }), protocol: fc.constantFrom('TCP', 'UDP') }), { maxLength: 3 }),
  endpoints: fc.array(fc.record({ ip: fc.constantFrom(...endpointIPs), ready: maybe, serving: maybe, terminating: maybe }), { maxLength: 4 }),
});

type ServiceModel = typeof serviceArb extends fc.Arbitrary<infer T> ? T : never;
type SliceModel = typeof sliceArb extends fc.Arbitrary<infer T> ? T : never;

const toService = (s: ServiceModel): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: s.name, namespace: 'default' },
  spec: { type: s.type, clusterIP: s.clusterIP, ports: s.ports },
});

const toSlice = (s: SliceModel, i: number): KubeObject => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: `${s.service}-${s.name}-${i}`, namespace: 'default', labels: { [SERVICE_NAME_LABEL]: s.service } },
  addressType: 'IPv4',
  ports: s.ports,
  endpoints: s.endpoints.map((e) => ({ addresses: [e.ip], conditions: { ...(e.ready !== undefined ? { ready: e.ready } : {}), ...(e.serving !== undefined ? { serving: e.serving } : {}), ...(e.terminating !== undefined ? { terminating: e.terminating } : {}) } })),
});

/** Unique by name, as the API would have them. */
const uniqueBy = <T>(items: T[], key: (t: T) => string) => [...new Map(items.map((t) => [key(t), t])).values()];

describe('desiredProxyState (property)', () => {
  it('is order-independent, conflict-free, and balances only over usable endpoints of the right Service', () => {
    fc.assert(
      fc.property(fc.array(serviceArb, { maxLength: 4 }), fc.array(sliceArb, { maxLength: 5 }), fc.integer(), (serviceModels, sliceModels, seed) => {
        const serviceSet = uniqueBy(serviceModels, (s) => s.name);
        const services = serviceSet.map(toService);
        const slices = sliceModels.map(toSlice);
        const options = { nodePortAddresses: ['127.0.0.1'] };
        const plan = desiredProxyState(services, slices, options);

        const shuffle = <T>(items: T[]) => [...items].sort((x, y) => ((JSON.stringify(x).length * 31 + seed) % 7) - ((JSON.stringify(y).length * 31 + seed) % 7));
        assert.deepEqual(desiredProxyState(shuffle(services).reverse(), shuffle(slices).reverse(), options), plan);

        const keys = plan.frontends.map((f) => f.key);
        assert.equal(new Set(keys).size, keys.length, 'frontend keys are unique');
        const groups = new Map(plan.servicePorts.map((g) => [g.key, g]));
        for (const frontend of plan.frontends) {
          const group = groups.get(frontend.servicePortKey);
          assert.ok(group, `group of ${frontend.key}`);
          assert.equal(group.protocol, frontend.protocol);
          const service = serviceSet.find((s) => s.name === group.service.name)!;
          if (frontend.kind === 'NodePort') assert.equal(service.type, 'NodePort');
          assert.notEqual(service.type, 'ExternalName');
          assert.notEqual(service.clusterIP, 'None');
        }
        for (const group of plan.servicePorts) {
          const endpoints = sliceModels
            .filter((s) => s.service === group.service.name)
            .flatMap((s) => {
              const port = s.ports.find((p) => p.name === group.portName && p.protocol === group.protocol);
              return port ? s.endpoints.map((e) => ({ ...e, port: port.port })) : [];
            });
          const ready = endpoints.filter((e) => e.ready ?? true);
          const usable = ready.length > 0 ? ready : endpoints.filter((e) => (e.serving ?? e.ready ?? true) && (e.terminating ?? false));
          for (const backend of group.backends) {
            assert.ok(
              usable.some((e) => e.ip === backend.ip && e.port === backend.port),
              `${backend.ip}:${backend.port} is a usable endpoint of ${group.key}`,
            );
          }
          if (usable.length === 0) assert.deepEqual(group.backends, []);
        }
      }),
      { numRuns: 500 },
    );
  });
});
