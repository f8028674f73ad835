// Controller machine states for the dashboard: how a state value reads, the board that
// keeps each manager's latest report and forgets a silent one, and the publisher the
// controller manager invokes, run over real machines.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createActor, createMachine } from 'xstate';
import type { ControllerStatesReport } from '../../streams/controller-states.ts';
import { ControllerStatesBoard, FORGET_AFTER_MS, stateText } from '../../src/dashboard/controller-states.ts';
import { publishControllerStatesActor } from '../../src/dashboard/publish-controller-states.ts';

const report = (identity: string, time: number, state = 'running.idle'): ControllerStatesReport => ({
  identity,
  manager: 'running',
  controllers: [{ name: 'replicaset', state }],
  time,
});

describe('stateText', () => {
  it('reads atomic, nested and parallel state values', () => {
    assert.equal(stateText('standby'), 'standby');
    assert.equal(stateText({ running: 'syncing' }), 'running.syncing');
    assert.equal(stateText({ running: { workers: 'busy' } }), 'running.workers.busy');
    assert.equal(stateText({ a: 'x', b: 'y' }), 'a.x,b.y');
  });
});

describe('ControllerStatesBoard', () => {
  it('keeps the latest report per manager and tells listeners', () => {
    const now = 1_000_000;
    const board = new ControllerStatesBoard(() => now);
    const heard: string[][] = [];
    board.listen((reports) => heard.push(reports.map((r) => `${r.identity}:${r.controllers[0]!.state}`)));
    board.record(report('b', now, 'starting'));
    board.record(report('a', now));
    board.record(report('b', now, 'running.idle'));
    assert.deepEqual(heard.at(-1), ['a:running.idle', 'b:running.idle']);
    assert.equal(heard.length, 3);
  });

  it('forgets a manager silent for longer than the heartbeat window', () => {
    let now = 1_000_000;
    const board = new ControllerStatesBoard(() => now);
    board.record(report('gone', now));
    now += FORGET_AFTER_MS / 2;
    board.record(report('alive', now));
    now += FORGET_AFTER_MS / 2 + 1;
    assert.deepEqual(board.reports().map((r) => r.identity), ['alive']);
  });
});

describe('publishControllerStatesActor', () => {
  it('publishes at start, on every change of a controller machine, and a last report when it stops', async () => {
    const toggle = createMachine({ id: 'toggle', initial: 'idle', states: { idle: { on: { work: 'syncing' } }, syncing: { on: { done: 'idle' } } } });
    const replicaset = createActor(toggle, { id: 'replicaset' }).start();
    const job = createActor(toggle, { id: 'job' }).start();
    const reports: ControllerStatesReport[] = [];
    const publisher = createActor(publishControllerStatesActor, {
      input: { publish: (r: ControllerStatesReport) => reports.push(r), identity: 'cm-1', controllers: [replicaset, job], heartbeatMs: 60_000 },
    }).start();
    assert.deepEqual(reports[0]!.controllers, [{ name: 'replicaset', state: 'idle' }, { name: 'job', state: 'idle' }]);
    replicaset.send({ type: 'work' });
    // Changes are coalesced to one report per tick.
    await new Promise<void>((resolve) => queueMicrotask(resolve));
    assert.deepEqual(reports.at(-1)!.controllers[0], { name: 'replicaset', state: 'syncing' });
    assert.equal(reports.at(-1)!.identity, 'cm-1');
    publisher.stop();
    assert.equal(reports.at(-1)!.manager, 'stopping');
    replicaset.stop();
    job.stop();
  });
});
