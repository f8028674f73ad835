import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newTracker, observeProbe } from '../../src/kubelet/probe-tracker.ts';
import { probeSpec, resolvePort } from '../../src/kubelet/probe-spec.ts';

describe('probe result tracking', () => {
  it('starts readiness as failure, liveness as success, startup as unknown', () => {
    assert.equal(newTracker('readiness').result, 'failure');
    assert.equal(newTracker('liveness').result, 'success');
    assert.equal(newTracker('startup').result, 'unknown');
  });

  it('flips to failure only after failureThreshold consecutive failures', () => {
    const thresholds = { successThreshold: 1, failureThreshold: 3 };
    let t = newTracker('liveness');
    t = observeProbe(t, false, thresholds, 'a');
    t = observeProbe(t, false, thresholds, 'b');
    assert.equal(t.result, 'success');
    t = observeProbe(t, true, thresholds);
    t = observeProbe(t, false, thresholds);
    t = observeProbe(t, false, thresholds);
    assert.equal(t.result, 'success', 'a success in between resets the count');
    t = observeProbe(t, false, thresholds, 'c');
    assert.equal(t.result, 'failure');
    assert.equal(t.lastMessage, 'c');
  });

  it('flips to success only after successThreshold consecutive successes', () => {
    const thresholds = { successThreshold: 2, failureThreshold: 1 };
    let t = newTracker('readiness');
    t = observeProbe(t, true, thresholds);
    assert.equal(t.result, 'failure');
    t = observeProbe(t, true, thresholds);
    assert.equal(t.result, 'success');
  });

  it("reads a probe with Kubernetes' defaults", () => {
    const spec = probeSpec({ livenessProbe: { httpGet: { port: 'http', path: '/healthz' }, successThreshold: 5 } }, 'liveness')!;
    assert.equal(spec.periodMs, 10_000);
    assert.equal(spec.timeoutMs, 1_000);
    assert.equal(spec.failureThreshold, 3);
    assert.equal(spec.successThreshold, 1, 'liveness always has successThreshold 1');
    assert.deepEqual(spec.handler, { type: 'httpGet', port: 'http', path: '/healthz', scheme: 'HTTP', headers: [] });
    assert.equal(resolvePort('http', { ports: [{ name: 'http', containerPort: 8080 }] }), 8080);
    assert.equal(probeSpec({}, 'readiness'), undefined);
  });
});
