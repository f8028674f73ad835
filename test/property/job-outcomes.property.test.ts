/**
 * The Job property: for random Job specs and random pod outcomes, the Job ends
 * Complete exactly when its completions succeeded, Failed exactly when the failures
 * passed backoffLimit, and never runs more than parallelism pods at once (nor two pods
 * for one index). The decision runs after every kubelet event, its writes applied as
 * the API server would (test/support/job-world.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { completionIndex } from '../../src/controllers/job/indexes.ts';
import { JobWorld, newJob } from '../support/job-world.ts';

const specArb = fc.record({
  completions: fc.integer({ min: 1, max: 6 }),
  parallelism: fc.integer({ min: 1, max: 4 }),
  backoffLimit: fc.integer({ min: 0, max: 4 }),
  completionMode: fc.constantFrom('NonIndexed', 'Indexed'),
  podReplacementPolicy: fc.constantFrom('TerminatingOrFailed', 'Failed'),
});

/** One kubelet event: which pod (by position among the candidates) and what happens to it. */
const eventArb = fc.record({ pick: fc.nat(), outcome: fc.constantFrom('succeed', 'fail', 'run') });

describe('Job outcomes (property)', () => {
  it('ends Complete exactly when completions succeeded, Failed exactly past backoffLimit, never above parallelism', () => {
    fc.assert(
      fc.property(specArb, fc.array(eventArb, { minLength: 1, maxLength: 120 }), (spec, events) => {
        const world = new JobWorld(newJob(spec));
        let successes = 0;
        let failures = 0;
        let expected: 'Complete' | 'Failed' | undefined;
        const check = () => {
          const active = world.activePods();
          assert.ok(active.length <= spec.parallelism, `${active.length} pods run with parallelism ${spec.parallelism}`);
          if (spec.completionMode === 'Indexed') {
            const indexes = active.map(completionIndex);
            assert.equal(new Set(indexes).size, indexes.length, `two active pods share an index: ${indexes}`);
            assert.ok(indexes.every((i) => i !== undefined && i < spec.completions));
          }
          assert.equal(world.status.active ?? 0, active.length, 'status.active counts the active pods');
        };
        world.settle();
        check();
        for (const event of events) {
          if (world.condition('Complete') === 'True' || world.condition('Failed') === 'True') break;
          world.now += 1000;
          // The kubelet ends pods being deleted before anything else.
          const terminating = [...world.pods.values()].find((p) => p.metadata.deletionTimestamp && !world.isTerminal(p));
          if (terminating) world.finish(terminating.metadata.name!, 143);
          else {
            const candidates = world.activePods();
            if (candidates.length === 0) break;
            const pod = candidates[event.pick % candidates.length]!;
            if (event.outcome === 'run') world.run(pod.metadata.name!);
            else {
              world.finish(pod.metadata.name!, event.outcome === 'succeed' ? 0 : 1);
              if (!expected) {
                if (event.outcome === 'succeed') successes++;
                else failures++;
                if (successes >= spec.completions) expected = 'Complete';
                else if (failures > spec.backoffLimit) expected = 'Failed';
              }
            }
          }
          world.settle();
          check();
        }
        // Let the kubelet finish whatever is being deleted.
        for (let i = 0; i < 20; i++) {
          const terminating = [...world.pods.values()].find((p) => p.metadata.deletionTimestamp && !world.isTerminal(p));
          if (!terminating) break;
          world.finish(terminating.metadata.name!, 143);
          world.settle();
          check();
        }
        const complete = world.condition('Complete') === 'True';
        const failed = world.condition('Failed') === 'True';
        assert.ok(!(complete && failed), 'never both Complete and Failed');
        if (!expected) {
          assert.ok(!complete && !failed, 'not finished before a threshold was reached');
          return;
        }
        assert.equal(complete ? 'Complete' : failed ? 'Failed' : 'running', expected);
        const status = world.status;
        if (complete) {
          assert.equal(status.succeeded, spec.completions);
          assert.ok((status.failed ?? 0) <= spec.backoffLimit);
          assert.equal(world.condition('SuccessCriteriaMet'), 'True');
          assert.ok(status.completionTime);
        } else {
          assert.ok((status.failed ?? 0) > spec.backoffLimit, `failed ${status.failed} > backoffLimit ${spec.backoffLimit}`);
          assert.ok((status.succeeded ?? 0) < spec.completions);
          assert.equal(world.condition('FailureTarget'), 'True');
          assert.equal(status.conditions?.find((c) => c.type === 'Failed')?.reason, 'BackoffLimitExceeded');
        }
        // Finished: every pod let go of the finalizer, and nothing is left uncounted.
        assert.deepEqual(status.uncountedTerminatedPods, {});
        assert.ok([...world.pods.values()].every((p) => !(p.metadata.finalizers ?? []).includes('batch.kubernetes.io/job-tracking')));
        assert.equal(world.activePods().length, 0);
      }),
      { numRuns: 300 },
    );
  });
});
