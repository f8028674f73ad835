import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '../../src/api/errors.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { attemptEnded, formatLogLine, logTarget, parsePodLogOptions, rfc3339Nano } from '../../src/logs/pod-log-options.ts';

const pod = (status: Record<string, unknown>, containers = ['a']): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default', uid: 'u1' },
  spec: { nodeName: 'n', containers: containers.map((name) => ({ name, image: 'busybox' })), initContainers: [{ name: 'init', image: 'busybox' }] },
  status,
});
const running = (restartCount: number) => ({ containerStatuses: [{ name: 'a', restartCount, state: { running: {} } }] });

describe('pods/log options', () => {
  it('reads the query as kubectl sends it', () => {
    const options = parsePodLogOptions(new URLSearchParams('container=a&follow=true&tailLines=10&timestamps=true&sinceSeconds=60'), 'p');
    assert.deepEqual(options, { container: 'a', follow: true, previous: false, timestamps: true, tailLines: 10, sinceSeconds: 60 });
  });

  it('refuses both since forms, a negative tail and a zero sinceSeconds with 422', () => {
    for (const query of ['sinceSeconds=5&sinceTime=2026-01-01T00:00:00Z', 'tailLines=-1', 'sinceSeconds=0']) {
      assert.throws(() => parsePodLogOptions(new URLSearchParams(query), 'p'), (e: unknown) => e instanceof StatusError && e.code === 422, query);
    }
  });

  it('reads the current attempt, or the one before with --previous, from the given time', () => {
    const now = new Date('2026-01-01T00:10:00Z');
    assert.deepEqual(logTarget(pod(running(2)), { follow: false, previous: false, timestamps: false }, now), { podUid: 'u1', container: 'a', attempt: 2 });
    const previous = logTarget(pod(running(2)), { follow: false, previous: true, timestamps: false, sinceSeconds: 60 }, now);
    assert.deepEqual(previous, { podUid: 'u1', container: 'a', attempt: 1, since: new Date('2026-01-01T00:09:00Z') });
  });

  it('asks for a container name when the pod has several, naming them and the init containers', () => {
    assert.throws(
      () => logTarget(pod(running(0), ['a', 'b']), { follow: false, previous: false, timestamps: false }, new Date()),
      /a container name must be specified for pod p, choose one of: \[a b\] or one of the init containers: \[init\]/,
    );
  });

  it('an attempt ends when its container terminates or restarts, or the pod goes', () => {
    const target = { podUid: 'u1', container: 'a', attempt: 1 };
    assert.equal(attemptEnded(pod(running(1)), target), false);
    assert.equal(attemptEnded(pod(running(2)), target), true);
    assert.equal(attemptEnded(pod({ containerStatuses: [{ name: 'a', restartCount: 1, state: { terminated: { exitCode: 0 } } }] }), target), true);
    assert.equal(attemptEnded(undefined, target), true);
    assert.equal(attemptEnded({ ...pod(running(1)), metadata: { name: 'p', uid: 'u2' } }, target), true);
  });

  it('prints times as Go RFC3339Nano: no trailing zeros in the fraction', () => {
    assert.equal(rfc3339Nano(new Date('2026-01-02T03:04:05.120Z')), '2026-01-02T03:04:05.12Z');
    assert.equal(rfc3339Nano(new Date('2026-01-02T03:04:05.000Z')), '2026-01-02T03:04:05Z');
    assert.equal(formatLogLine('x', new Date('2026-01-02T03:04:05.007Z'), true), '2026-01-02T03:04:05.007Z x\n');
    assert.equal(formatLogLine('x', new Date(), false), 'x\n');
  });
});
