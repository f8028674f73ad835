import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Balancer } from '../../src/proxy/balancer.ts';
import { backendKey } from '../../src/proxy/endpoints.ts';

const A = { ip: '127.128.0.2', port: 80 };
const B = { ip: '127.128.0.3', port: 80 };
const C = { ip: '127.128.0.4', port: 80 };

describe('Balancer', () => {
  it('given no backend, picks nothing', () => {
    assert.equal(new Balancer([]).pick('127.0.0.1', 0), undefined);
  });

  it('round robin: spreads picks evenly over the backends', () => {
    const balancer = new Balancer([A, B, C]);
    const counts = new Map<string, number>();
    for (let i = 0; i < 99; i++) {
      const key = backendKey(balancer.pick('127.0.0.1', i)!);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    assert.deepEqual([...counts.values()], [33, 33, 33]);
  });

  it('skips excluded backends (dials that failed for this connection), and gives up when all are excluded', () => {
    const balancer = new Balancer([A, B]);
    assert.deepEqual(balancer.pick('c', 0, new Set([backendKey(A)])), B);
    assert.deepEqual(balancer.pick('c', 0, new Set([backendKey(A)])), B);
    assert.equal(balancer.pick('c', 0, new Set([backendKey(A), backendKey(B)])), undefined);
  });

  it('after an update drops a backend, never picks it', () => {
    const balancer = new Balancer([A, B, C]);
    balancer.pick('c', 0);
    balancer.update([A, C]);
    const picked = new Set(Array.from({ length: 10 }, (_, i) => backendKey(balancer.pick('c', i)!)));
    assert.deepEqual(picked, new Set([backendKey(A), backendKey(C)]));
  });

  describe('ClientIP affinity', () => {
    it('keeps a client on its backend while it keeps coming back within the timeout', () => {
      const balancer = new Balancer([A, B, C], 1_000);
      const first = balancer.pick('10.0.0.1', 0);
      for (let t = 900; t <= 9_000; t += 900) assert.deepEqual(balancer.pick('10.0.0.1', t), first, `at ${t} ms`);
      const others = new Set([balancer.pick('10.0.0.2', 9_000), balancer.pick('10.0.0.3', 9_000)].map((b) => backendKey(b!)));
      assert.equal(others.size, 2, 'other clients are still spread');
    });

    it('forgets a client idle for longer than the timeout', () => {
      const balancer = new Balancer([A, B], 1_000);
      const first = balancer.pick('10.0.0.1', 0)!;
      assert.deepEqual(balancer.pick('10.0.0.1', 1_000), first, 'still within the timeout');
      assert.notDeepEqual(balancer.pick('10.0.0.1', 2_001), first, 'idle past the timeout: round robin gives the next backend');
    });

    it('moves a client whose backend left, and whose backend failed for this connection', () => {
      const balancer = new Balancer([A, B], 60_000);
      const first = balancer.pick('10.0.0.1', 0)!;
      const other = first === A ? B : A;
      assert.deepEqual(balancer.pick('10.0.0.1', 1, new Set([backendKey(first)])), other);
      assert.deepEqual(balancer.pick('10.0.0.1', 2), other, 'the new backend is now the sticky one');
      balancer.update([first], 60_000);
      assert.deepEqual(balancer.pick('10.0.0.1', 3), first);
    });

    it('without affinity, one client is spread too', () => {
      const balancer = new Balancer([A, B]);
      assert.notDeepEqual(balancer.pick('10.0.0.1', 0), balancer.pick('10.0.0.1', 1));
    });
  });
});
