import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, fromCallback, fromPromise, SimulatedClock, type AnyEventObject } from 'xstate';
import { kubeProxyMachine } from '../../actors/kube-proxy.machine.ts';
import { LAST_CHANGE_TRIGGER_TIME, triggerTimeOf, type ApplyOutput, type KubeProxySession } from '../../src/proxy/proxy-effects.ts';

const OUTPUT: ApplyOutput = { frontends: 1, backends: 2, failing: 0, opened: 0, closed: 0 };

/** The machine with its effects replaced: applies wait until the test releases them. */
function harness(options: { failing?: number } = {}) {
  const clock = new SimulatedClock();
  let now = 1_000;
  const pendingApplies: Array<() => void> = [];
  let send: ((event: AnyEventObject) => void) | undefined;
  let closed = 0;
  const machine = kubeProxyMachine.provide({
    actors: {
      connect: fromPromise(async () => ({}) as KubeProxySession),
      watch: fromCallback(({ sendBack }) => {
        send = sendBack;
      }),
      syncCaches: fromPromise(async () => {}),
      apply: fromPromise<ApplyOutput, { session: KubeProxySession }>(() => new Promise((resolve) => pendingApplies.push(() => resolve({ ...OUTPUT, failing: options.failing ?? 0 })))),
      close: fromPromise(async () => {
        closed++;
      }),
    },
  });
  const actor = createActor(machine, { clock, input: { natsUrl: 'fake', syncPeriodMs: 30_000, listenRetryMs: 5_000, now: () => now } });
  actor.start();
  return {
    actor,
    clock,
    setNow: (ms: number) => (now = ms),
    changed: (triggeredAt?: number) => send!({ type: 'proxy.changed', at: now, ...(triggeredAt !== undefined ? { triggeredAt } : {}) }),
    applies: () => pendingApplies.length,
    finishApply: async () => {
      pendingApplies.shift()!();
      await new Promise((r) => setImmediate(r));
    },
    closed: () => closed,
  };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('kube-proxy machine', () => {
  it('applies once the caches have synced, then idles', async () => {
    const h = harness();
    await settle();
    assert.ok(h.actor.getSnapshot().matches({ online: 'applying' }));
    await h.finishApply();
    assert.ok(h.actor.getSnapshot().matches({ online: 'idle' }));
    assert.equal(h.actor.getSnapshot().context.syncs, 1);
  });

  it('folds changes that arrive during an apply into exactly one more apply, and times it from the first change', async () => {
    const h = harness();
    await settle();
    await h.finishApply();
    h.setNow(2_000);
    h.changed();
    assert.ok(h.actor.getSnapshot().matches({ online: 'applying' }));
    h.setNow(2_010);
    h.changed();
    h.setNow(2_020);
    h.changed();
    h.setNow(2_050);
    await h.finishApply();
    assert.equal(h.actor.getSnapshot().context.lastSync?.changeToAppliedMs, 50, 'the apply started by the change at 2000');
    assert.ok(h.actor.getSnapshot().matches({ online: 'applying' }), 'the changes during the apply start another');
    h.setNow(2_080);
    await h.finishApply();
    assert.ok(h.actor.getSnapshot().matches({ online: 'idle' }));
    assert.equal(h.actor.getSnapshot().context.lastSync?.changeToAppliedMs, 70, 'from the change at 2010');
    assert.equal(h.actor.getSnapshot().context.syncs, 3);
  });

  it('reports the network programming latency from the oldest slice trigger time it took in', async () => {
    const h = harness();
    await settle();
    await h.finishApply();
    h.setNow(5_000);
    h.changed(4_900);
    h.changed(4_700);
    h.changed(4_800);
    h.changed();
    h.setNow(5_030);
    await h.finishApply();
    assert.equal(h.actor.getSnapshot().context.lastSync?.networkProgrammingMs, 130, 'the apply the first change started');
    h.setNow(5_060);
    await h.finishApply();
    assert.equal(h.actor.getSnapshot().context.lastSync?.networkProgrammingMs, 360, 'the oldest of the changes folded into the next apply');
    assert.equal(h.actor.getSnapshot().context.lastSync?.changeToAppliedMs, 60);
    h.changed();
    await h.finishApply();
    assert.equal(h.actor.getSnapshot().context.lastSync?.networkProgrammingMs, undefined, 'no trigger time, no figure');
  });

  it('re-applies every syncPeriod with nothing changing, and every listenRetry while a port cannot be opened', async () => {
    const healthy = harness();
    await settle();
    await healthy.finishApply();
    healthy.clock.increment(29_999);
    assert.equal(healthy.applies(), 0);
    healthy.clock.increment(1);
    assert.equal(healthy.applies(), 1);

    const failing = harness({ failing: 1 });
    await settle();
    await failing.finishApply();
    failing.clock.increment(5_000);
    assert.equal(failing.applies(), 1, 'retried after listenRetryMs');
  });

  it('stop closes the listeners, even in the middle of an apply', async () => {
    const h = harness();
    await settle();
    h.actor.send({ type: 'stop' });
    await settle();
    assert.equal(h.closed(), 1);
    assert.equal(h.actor.getSnapshot().status, 'done');
  });

  it('reads a slice\'s trigger time from its annotation, and ignores one that is not a time', () => {
    const slice = (value?: string) => ({ metadata: { annotations: value === undefined ? {} : { [LAST_CHANGE_TRIGGER_TIME]: value } } });
    assert.equal(triggerTimeOf(slice('2026-11-25T18:49:21.250Z')), Date.UTC(2026, 10, 25, 18, 49, 21, 250));
    assert.equal(triggerTimeOf(slice('2026-11-25T18:49:21Z')), Date.UTC(2026, 10, 25, 18, 49, 21));
    assert.equal(triggerTimeOf(slice('soon')), undefined);
    assert.equal(triggerTimeOf(slice()), undefined);
  });
});
