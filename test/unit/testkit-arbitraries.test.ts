/**
 * The testkit's object arbitraries are valid by construction: every generated object,
 * defaulted as the API server defaults it, passes the API server's validation; names are
 * DNS-1123; the event-sequence arbitrary generates only the kinds of event it is given.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isDNS1123Label, isDNS1123Subdomain, isLabelValue, isQualifiedName } from '../../src/api/names.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { resourceForKind } from '../../src/api/registry.ts';
import { validateObject } from '../../src/api/validation.ts';
import { deployment, dns1123Label, dns1123Subdomain, eventSequence, job, labelMap, MemoryApi, node, pod, replicaSet } from '../../src/testkit/index.ts';

/** Created as the API server creates (prepared and defaulted: a Job gets its selector), then validated. */
function assertValid(o: KubeObject): void {
  const rt = resourceForKind(o.apiVersion, o.kind)!;
  const created = new MemoryApi().create(o);
  assert.ok(created.ok);
  const errors = validateObject(rt, created.object);
  assert.deepEqual(errors, [], `${o.kind} ${JSON.stringify(o)}`);
}

describe('testkit arbitraries', () => {
  it('generate DNS-1123 names and valid label maps', () => {
    fc.assert(
      fc.property(dns1123Label({ maxLength: 63 }), dns1123Subdomain(), labelMap({ maxKeys: 4 }), (label, subdomain, labels) => {
        assert.deepEqual(isDNS1123Label(label), [], label);
        assert.deepEqual(isDNS1123Subdomain(subdomain), [], subdomain);
        for (const [k, v] of Object.entries(labels)) {
          const name = k.includes('/') ? k.slice(k.indexOf('/') + 1) : k;
          assert.deepEqual(isQualifiedName(k).length === 0 || isQualifiedName(name).length === 0, true, k);
          assert.deepEqual(isLabelValue(v), [], v);
        }
      }),
      { numRuns: 300 },
    );
  });

  for (const [kind, arb] of [
    ['Pod', pod()],
    ['Deployment', deployment()],
    ['ReplicaSet', replicaSet()],
    ['Job', job()],
    ['Node', node()],
  ] as const) {
    it(`generate ${kind}s the API server's validation accepts`, () => {
      fc.assert(fc.property(arb, assertValid), { numRuns: 150 });
    });
  }

  it('generate event sequences of the kinds asked for, setup first', () => {
    const prefix = [{ type: 'clock' as const, ms: 1 }];
    const arb = eventSequence({ prefix, nodes: ['n1'], maxClockStepMs: 10, maxRounds: 0, maxLength: 8 });
    fc.assert(
      fc.property(arb, (events) => {
        assert.deepEqual(events[0], prefix[0]);
        assert.ok(events.length <= 9);
        for (const e of events) assert.ok(['nodeFailure', 'nodeRecover', 'clock'].includes(e.type), e.type);
      }),
      { numRuns: 100 },
    );
  });
});
