import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { notFound } from '../../src/api/errors.ts';
import type { KubeObject } from '../../src/api/object.ts';
import type { ApiClient } from '../../src/client/api-client.ts';
import {
  aggregationKey, AGGREGATION_WINDOW_MS, ApiEventRecorder, eventName, involvedObjectOf, newEvent, repeatPatch,
} from '../../src/controllers/runtime/events.ts';

const NOW = Date.parse('2026-01-01T00:10:00Z');
const rs = (rv = '7'): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'web-abc', namespace: 'ns', uid: 'rs-uid', resourceVersion: rv },
});

describe('event naming and aggregation (pure)', () => {
  it('names an event <object>.<hex nanoseconds>, as the Kubernetes recorder does', () => {
    assert.equal(eventName('web', NOW), `web.${(BigInt(NOW) * 1_000_000n).toString(16)}`);
    assert.notEqual(eventName('web', NOW, 1), eventName('web', NOW, 0));
    assert.match(eventName('web', NOW), /^web\.[0-9a-f]+$/);
  });

  it('keys a series by source, object, type, reason and message, not by resourceVersion', () => {
    const a = involvedObjectOf(rs('7'));
    const b = involvedObjectOf(rs('8'));
    assert.equal(aggregationKey('rs', a, 'Normal', 'SuccessfulCreate', 'Created pod: p1'), aggregationKey('rs', b, 'Normal', 'SuccessfulCreate', 'Created pod: p1'));
    assert.notEqual(aggregationKey('rs', a, 'Normal', 'SuccessfulCreate', 'Created pod: p1'), aggregationKey('rs', a, 'Normal', 'SuccessfulCreate', 'Created pod: p2'));
    assert.notEqual(aggregationKey('rs', a, 'Normal', 'X', 'm'), aggregationKey('rs', a, 'Warning', 'X', 'm'));
    assert.notEqual(aggregationKey('rs', a, 'Normal', 'X', 'm'), aggregationKey('other', a, 'Normal', 'X', 'm'));
  });

  it('builds a core/v1 Event with the involved object, source, and first/last timestamps', () => {
    const event = newEvent('replicaset-controller', involvedObjectOf(rs()), 'Normal', 'SuccessfulCreate', 'Created pod: p1', NOW);
    assert.deepEqual(event, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: eventName('web-abc', NOW), namespace: 'ns' },
      involvedObject: { kind: 'ReplicaSet', namespace: 'ns', name: 'web-abc', uid: 'rs-uid', apiVersion: 'apps/v1', resourceVersion: '7' },
      reason: 'SuccessfulCreate',
      message: 'Created pod: p1',
      source: { component: 'replicaset-controller' },
      firstTimestamp: '2026-01-01T00:10:00Z',
      lastTimestamp: '2026-01-01T00:10:00Z',
      count: 1,
      type: 'Normal',
      reportingComponent: 'replicaset-controller',
      reportingInstance: '',
    });
    assert.deepEqual(repeatPatch(3, NOW + 1000), { count: 3, lastTimestamp: '2026-01-01T00:10:01Z' });
  });
});

/** An in-memory stand-in for the two client calls the recorder makes. */
function fakeClient(options: { failCreate?: boolean } = {}) {
  const events = new Map<string, KubeObject>();
  const calls: string[] = [];
  const client = {
    async create(_resource: string, object: KubeObject) {
      calls.push(`create ${object.metadata.name}`);
      if (options.failCreate) throw new Error('boom');
      events.set(object.metadata.name!, structuredClone(object));
      return object;
    },
    async patch(_resource: string, _ns: string, name: string, patch: Record<string, unknown>) {
      calls.push(`patch ${name}`);
      const found = events.get(name);
      if (!found) throw notFound('events', '', name);
      Object.assign(found, patch);
      return found;
    },
  };
  return { client: client as unknown as ApiClient, events, calls };
}

describe('ApiEventRecorder', () => {
  it('given a repeat within 10 minutes, then the count and lastTimestamp are patched', async () => {
    let now = NOW;
    const { client, events, calls } = fakeClient();
    const recorder = new ApiEventRecorder(client, 'replicaset-controller', { now: () => now });
    recorder.record(rs(), 'Normal', 'SuccessfulDelete', 'Deleted pod: p1');
    recorder.record(rs('8'), 'Normal', 'SuccessfulDelete', 'Deleted pod: p1');
    now += 60_000;
    recorder.record(rs(), 'Normal', 'SuccessfulDelete', 'Deleted pod: p1');
    await recorder.flush();
    assert.equal(events.size, 1);
    const [event] = [...events.values()];
    assert.equal(event!.count, 3);
    assert.equal(event!.lastTimestamp, '2026-01-01T00:11:00Z');
    assert.equal(event!.firstTimestamp, '2026-01-01T00:10:00Z');
    assert.deepEqual(calls.map((c) => c.split(' ')[0]), ['create', 'patch', 'patch']);
  });

  it('given a repeat after the window, or a series whose Event is gone, then a new Event', async () => {
    let now = NOW;
    const { client, events } = fakeClient();
    const recorder = new ApiEventRecorder(client, 'c', { now: () => now });
    recorder.record(rs(), 'Warning', 'FailedCreate', 'quota');
    now += AGGREGATION_WINDOW_MS + 1;
    recorder.record(rs(), 'Warning', 'FailedCreate', 'quota');
    await recorder.flush();
    assert.equal(events.size, 2);
    events.clear();
    recorder.record(rs(), 'Warning', 'FailedCreate', 'quota');
    await recorder.flush();
    assert.equal(events.size, 1);
    assert.equal([...events.values()][0]!.count, 1);
  });

  it('given the API fails, then record neither throws nor rejects', async () => {
    const { client } = fakeClient({ failCreate: true });
    const recorder = new ApiEventRecorder(client, 'c', { now: () => NOW });
    assert.doesNotThrow(() => recorder.record(rs(), 'Normal', 'X', 'y'));
    await recorder.flush();
  });
});
