/**
 * The kubelet machine off the network: its effects swapped with .provide() (a fed pod
 * list instead of an informer, an in-memory client that answers status writes), the
 * simulated runtime on a FakeClock, so restart back-off can be checked to the millisecond.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, fromCallback, fromPromise, type AnyEventObject } from 'xstate';
import { kubeletMachine } from '../../actors/kubelet.machine.ts';
import type { KubeObject } from '../../src/api/object.ts';
import type { ApiClient } from '../../src/client/api-client.ts';
import { noopRecorder, type ApiEventRecorder } from '../../src/controllers/runtime/events.ts';
import { FakeClock } from '../../src/informer/clock.ts';
import type { KubeletSession } from '../../src/kubelet/kubelet-effects.ts';
import { componentLogger } from '../../src/log.ts';
import { SIMULATE_EXIT_AFTER_MS, SIMULATE_EXIT_CODE, SimulatedRuntime } from '../../src/runtime/simulated-runtime.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

function world() {
  const clock = new FakeClock(T0);
  const runtime = new SimulatedRuntime({ clock });
  const statuses = new Map<string, Array<Record<string, unknown>>>();
  const deleted: string[] = [];
  let rv = 100;
  const client = {
    async update(_resource: string, object: KubeObject) {
      const name = object.metadata.name!;
      statuses.set(name, [...(statuses.get(name) ?? []), object.status as Record<string, unknown>]);
      return { ...object, metadata: { ...object.metadata, resourceVersion: String(++rv) } };
    },
    async get() {
      throw Object.assign(new Error('not found'), { code: 404 });
    },
    async delete(_resource: string, _ns: string, name: string) {
      deleted.push(name);
      return {};
    },
  } as unknown as ApiClient;
  let feed: (event: AnyEventObject) => void = () => {};
  const session: KubeletSession = {
    client,
    ownsClient: false,
    runtime,
    nodeConfig: {} as KubeletSession['nodeConfig'],
    recorder: { flush: async () => {} } as unknown as ApiEventRecorder,
    deps: { client, runtime, recorder: noopRecorder, clock, rootDir: '/nonexistent', nodeName: 'n1', hostIP: '127.0.0.1', pulledImages: new Set(), log: componentLogger('test') },
  };
  const machine = kubeletMachine.provide({
    actors: {
      connect: fromPromise(async () => session),
      register: fromPromise(async () => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'node' }, spec: { podCIDR: '127.40.0.0/30' } }) as KubeObject),
      heartbeat: fromCallback(() => {}),
      pods: fromCallback(({ sendBack }) => {
        feed = sendBack;
      }),
    },
  });
  const actor = createActor(machine, { input: { natsUrl: 'unused', nodeName: 'n1', runtime, rootDir: '/nonexistent', clock, backoff: { baseMs: 10_000, maxMs: 40_000 } } }).start();
  const last = (name: string) => statuses.get(name)?.at(-1) as { phase?: string; podIP?: string; containerStatuses?: Array<{ restartCount: number; state: { waiting?: { reason: string; message: string } } }> } | undefined;
  return { clock, runtime, actor, statuses, deleted, last, feed: (event: AnyEventObject) => feed(event) };
}

const pod = (name: string, uid: string, annotations: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', uid, resourceVersion: '1', annotations },
  spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] },
});

describe('kubelet machine (simulated runtime, fake clock)', () => {
  it('gives each pod the next address of the podCIDR on the Node, and frees it when the pod goes', async () => {
    const w = world();
    await settle();
    assert.ok(w.actor.getSnapshot().matches('running'));
    w.feed({ type: 'pod.upserted', pod: pod('a', 'ua') });
    w.feed({ type: 'pod.upserted', pod: pod('b', 'ub') });
    await settle();
    assert.equal(w.last('a')?.podIP, '127.40.0.1');
    assert.equal(w.last('b')?.podIP, '127.40.0.2');
    assert.equal(w.last('a')?.phase, 'Running');
    w.feed({ type: 'pod.deleted', pod: pod('a', 'ua') });
    await settle();
    assert.equal(w.runtime.runningContainersOf('ua'), 0);
    w.feed({ type: 'pod.upserted', pod: pod('c', 'uc') });
    await settle();
    assert.equal(w.last('c')?.podIP, '127.40.0.1', 'the freed address is handed out again');
  });

  it('backs off a crashing container 10 s, 20 s, 40 s, 40 s on the clock', async () => {
    const w = world();
    await settle();
    w.feed({ type: 'pod.upserted', pod: pod('crash', 'u1', { [SIMULATE_EXIT_AFTER_MS]: '1000', [SIMULATE_EXIT_CODE]: '1' }) });
    await settle();
    const restarts = () => w.last('crash')?.containerStatuses?.[0]?.restartCount ?? -1;
    const startedAt: number[] = [];
    let seen = -1;
    for (let ms = 0; ms <= 130_000; ms += 100) {
      if (restarts() !== seen) {
        seen = restarts();
        startedAt.push(w.clock.now() - T0);
      }
      w.clock.step(100);
      await settle();
    }
    // Each run lasts 1 s: restart 1 at once, then after 10, 20, 40 and 40 s of back-off.
    assert.deepEqual(startedAt.slice(0, 6), [0, 1_000, 12_000, 33_000, 74_000, 115_000]);
    assert.match(w.last('crash')!.containerStatuses![0]!.state.waiting?.message ?? 'back-off 40s', /^back-off 40s restarting failed container=c pod=crash_default\(u1\)$/);
  });

  it('does not run a finished pod again, and finalizes one that is being deleted', async () => {
    const w = world();
    await settle();
    w.feed({ type: 'pod.upserted', pod: { ...pod('done', 'ud'), status: { phase: 'Succeeded' } } });
    await settle();
    assert.equal(w.statuses.has('done'), false);
    w.feed({ type: 'pod.upserted', pod: { ...pod('done', 'ud'), metadata: { ...pod('done', 'ud').metadata, deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 0 }, status: { phase: 'Succeeded' } } });
    await settle();
    assert.deepEqual(w.deleted, ['done']);
    assert.equal(w.last('done')?.phase, 'Succeeded', 'a finished phase is kept to the end');
  });
});
