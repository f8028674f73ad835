/**
 * The scale run's progress figures: CPU shares between two samples and the deepest work
 * queues read from a controller manager's /metrics text.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { controlPlaneAtRest, cpuShares, deepestQueues, loopLagMax, metricByLabel, metricValue } from '../../bench/scale/component-usage.ts';

const METRICS = `# HELP workqueue_depth Current depth of workqueue
# TYPE workqueue_depth gauge
workqueue_depth{name="deployment"} 0
workqueue_depth{name="replicaset"} 1200
workqueue_depth{name="node-lifecycle"} 40
workqueue_depth{name="job"} 3
workqueue_depth{name="endpoints"} 7
scheduler_pending_pods{queue="active"} 12
scheduler_pending_pods{queue="backoff"} 0
`;

it('reads a metric by one label, and only that metric', () => {
  const pending = metricByLabel(METRICS, 'scheduler_pending_pods', 'queue');
  assert.deepEqual([...pending], [['active', 12], ['backoff', 0]]);
  assert.equal(metricByLabel(METRICS, 'workqueue_depth', 'name').get('replicaset'), 1200);
});

it('names the deepest non-empty queues, deepest first', () => {
  assert.equal(deepestQueues(METRICS), 'replicaset 1200, node-lifecycle 40, endpoints 7');
  assert.equal(deepestQueues('workqueue_depth{name="deployment"} 0\n'), '');
});

it('gives each component its share of one core over the interval', () => {
  const before = { at: 1_000, cpuSeconds: new Map([['apiserver-0', 10], ['scheduler', 5]]) };
  const now = { at: 11_000, cpuSeconds: new Map([['apiserver-0', 19.5], ['scheduler', 6], ['fleet-0', 3]]) };
  // fleet-0 started within the interval: no share for it yet.
  assert.equal(cpuShares(before, now), 'apiserver-0 95%, scheduler 10%');
});

it('reads the longest event-loop stall of a component, or says it is unknown', () => {
  const text = 'nodejs_eventloop_lag_seconds 0.0015\nnodejs_eventloop_lag_max_seconds 1.502609407\nnodejs_eventloop_lag_p99_seconds 0.15\n';
  assert.equal(metricValue(text, 'nodejs_eventloop_lag_seconds'), 0.0015);
  assert.equal(loopLagMax(text), '1.50 s');
  assert.equal(loopLagMax(METRICS), '?');
});

it('calls the control plane at rest only with every queue empty and nothing pending', () => {
  const quiet = 'workqueue_depth{name="deployment"} 0\nworkqueue_depth{name="replicaset"} 0\n';
  const idleScheduler = 'scheduler_pending_pods{queue="active"} 0\nscheduler_pending_pods{queue="backoff"} 0\n';
  assert.equal(controlPlaneAtRest(quiet, idleScheduler), true);
  assert.equal(controlPlaneAtRest(METRICS, idleScheduler), false, 'a controller has work queued');
  assert.equal(controlPlaneAtRest(quiet, 'scheduler_pending_pods{queue="active"} 0\nscheduler_pending_pods{queue="backoff"} 2\n'), false, 'a pod waits in backoff');
  assert.equal(controlPlaneAtRest('', idleScheduler), false, 'metrics that could not be read');
  assert.equal(controlPlaneAtRest(quiet, '# no scheduler metrics yet\n'), false);
});
