import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/informer/clock.ts';
import { ImagePullError, type ContainerConfig, type PodSandbox } from '../../src/runtime/runtime.ts';
import { SIMULATE_EXEC_EXIT_CODE, SIMULATE_EXIT_AFTER_MS, SIMULATE_EXIT_CODE, SIMULATE_LOG, SimulatedRuntime } from '../../src/runtime/simulated-runtime.ts';

const sandbox: PodSandbox = { uid: 'u1', namespace: 'ns', name: 'p', dir: '/nonexistent', ip: '127.30.0.2' };
const config = (annotations: Record<string, string> = {}, attempt = 0): ContainerConfig => ({ name: 'c', image: 'busybox', env: [], mounts: [], attempt, annotations });

describe('simulated runtime', () => {
  it('pulls any image except the failing ones', async () => {
    const runtime = new SimulatedRuntime({ failingImages: ['broken'] });
    const info = await runtime.pullImage('busybox');
    assert.match(info.imageID, /^simulated:\/\/busybox@sha256:[0-9a-f]{64}$/);
    await assert.rejects(runtime.pullImage('broken'), ImagePullError);
  });

  it('runs a container until it is stopped, with no timer while idle', async () => {
    const clock = new FakeClock(1_000);
    const runtime = new SimulatedRuntime({ clock });
    const c = await runtime.startContainer(sandbox, config(), () => {});
    assert.equal(c.id, 'simulated://u1/c/0');
    assert.equal(clock.pendingTimers, 0);
    assert.equal(runtime.runningContainers, 1);
    clock.step(60_000);
    const exit = await c.stop(5_000);
    assert.deepEqual([exit.exitCode, exit.signal, exit.reason], [143, 'SIGTERM', 'Error']);
    assert.equal((await c.exited).finishedAt.getTime(), 61_000);
    assert.equal(runtime.runningContainers, 0);
  });

  it('exits on its own after the annotated time with the annotated code', async () => {
    const clock = new FakeClock(0);
    const runtime = new SimulatedRuntime({ clock });
    const c = await runtime.startContainer(sandbox, config({ [SIMULATE_EXIT_AFTER_MS]: '500', [SIMULATE_EXIT_CODE]: '3' }), () => {});
    let exited = false;
    void c.exited.then(() => (exited = true));
    clock.step(499);
    await Promise.resolve();
    assert.equal(exited, false);
    clock.step(1);
    const exit = await c.exited;
    assert.deepEqual([exit.exitCode, exit.reason, exit.finishedAt.getTime() - exit.startedAt.getTime()], [3, 'Error', 500]);
  });

  it('answers exec with the annotated exit code, writes the annotated log, and removePod kills what runs', async () => {
    const runtime = new SimulatedRuntime({ clock: new FakeClock(0) });
    const lines: string[] = [];
    const c = await runtime.startContainer(sandbox, config({ [SIMULATE_EXEC_EXIT_CODE]: '7', [SIMULATE_LOG]: 'a\nb' }), (l) => lines.push(`${l.stream}:${l.text}`));
    assert.deepEqual(lines, ['stdout:a', 'stdout:b']);
    assert.equal((await c.exec(['true'], { timeoutMs: 1_000 })).exitCode, 7);
    await runtime.removePod(sandbox);
    assert.equal((await c.exited).exitCode, 137);
    assert.equal(runtime.runningContainers, 0);
  });
});
