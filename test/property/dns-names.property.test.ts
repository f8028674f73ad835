import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { KubeObject } from '../../src/api/object.ts';
import { resolveQuestion, type ZoneSettings } from '../../src/dns/answer.ts';
import { staticClusterView } from '../../src/dns/cluster-view.ts';

const SETTINGS: ZoneSettings = { zone: 'cluster.local', ttl: 30, dnsIP: '127.96.0.10', podMode: 'insecure' };
const NAMESPACES = ['default', 'shop', 'kube-system'];

const label = fc.stringMatching(/^[a-z]([a-z0-9-]{0,6}[a-z0-9])?$/);
const serviceArb = fc.record({ namespace: fc.constantFrom(...NAMESPACES), name: label, ip: fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 254 })) });
const servicesArb = fc.uniqueArray(serviceArb, { selector: (s) => `${s.namespace}/${s.name}`, maxLength: 30 }).map((services) => {
  // ClusterIPs are unique, as the allocator makes them.
  const seen = new Set<string>();
  return services.filter((s) => {
    const ip = `127.96.${s.ip[0]}.${s.ip[1]}`;
    if (seen.has(ip)) return false;
    seen.add(ip);
    return true;
  });
});

const toObjects = (services: Array<{ namespace: string; name: string; ip: [number, number] }>): KubeObject[] =>
  services.map((s) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: s.name, namespace: s.namespace },
    spec: { clusterIP: `127.96.${s.ip[0]}.${s.ip[1]}`, ports: [{ name: 'http', port: 80 }] },
  }));

const viewOf = (services: KubeObject[]) =>
  staticClusterView({ namespaces: NAMESPACES.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })), services });

describe('cluster DNS names (property)', () => {
  it('every Service name resolves to exactly its ClusterIP, and its ClusterIP back to its name', () => {
    fc.assert(
      fc.property(servicesArb, (services) => {
        const view = viewOf(toObjects(services));
        for (const s of services) {
          const ip = `127.96.${s.ip[0]}.${s.ip[1]}`;
          const a = resolveQuestion({ name: `${s.name}.${s.namespace}.svc.cluster.local`, type: 'A' }, view, SETTINGS);
          assert.equal(a.kind, 'answer');
          if (a.kind !== 'answer') return;
          assert.equal(a.rcode, 'NOERROR');
          assert.deepEqual(a.answers.map((r) => (r as { data: string }).data), [ip]);
          const ptr = resolveQuestion({ name: `${[...ip.split('.')].reverse().join('.')}.in-addr.arpa`, type: 'PTR' }, view, SETTINGS);
          assert.equal(ptr.kind, 'answer');
          if (ptr.kind === 'answer') assert.deepEqual(ptr.answers.map((r) => (r as { data: string }).data), [`${s.name}.${s.namespace}.svc.cluster.local`]);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('every other Service-shaped name under svc.cluster.local is NXDOMAIN with the SOA', () => {
    fc.assert(
      fc.property(servicesArb, label, fc.constantFrom(...NAMESPACES, 'nowhere', 'other'), fc.constantFrom('A', 'AAAA', 'SRV', 'TXT'), (services, name, namespace, type) => {
        fc.pre(!services.some((s) => s.name === name && s.namespace === namespace));
        const r = resolveQuestion({ name: `${name}.${namespace}.svc.cluster.local`, type }, viewOf(toObjects(services)), SETTINGS);
        assert.equal(r.kind, 'answer');
        if (r.kind !== 'answer') return;
        assert.equal(r.rcode, 'NXDOMAIN');
        assert.deepEqual(r.answers, []);
        assert.equal(r.authorities[0]?.type, 'SOA');
      }),
      { numRuns: 300 },
    );
  });

  it('names outside the cluster zone are always forwarded, never answered', () => {
    fc.assert(
      fc.property(servicesArb, fc.array(label, { minLength: 1, maxLength: 4 }), fc.constantFrom('com', 'org', 'local', 'internal'), (services, labels, tld) => {
        const name = [...labels, tld].join('.');
        fc.pre(!name.endsWith('cluster.local'));
        assert.deepEqual(resolveQuestion({ name, type: 'A' }, viewOf(toObjects(services)), SETTINGS), { kind: 'forward' });
      }),
      { numRuns: 200 },
    );
  });
});
