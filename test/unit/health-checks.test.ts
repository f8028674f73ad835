import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apiServerChecks } from '../../src/health/apiserver-checks.ts';
import { answerHealth, type HealthCheck } from '../../src/health/checks.ts';

const q = (s = '') => new URLSearchParams(s);
const failing: HealthCheck = { name: 'log', run: () => Promise.reject(new Error('no JetStream')) };
const ready: HealthCheck = { name: 'store-caught-up', readinessOnly: true, run: () => {} };
const ping: HealthCheck = { name: 'ping', run: () => {} };

describe('health endpoints', () => {
  it('answers ok, or the verbose list when asked', async () => {
    assert.deepEqual(await answerHealth('readyz', [ping, ready], q()), { code: 200, body: 'ok' });
    assert.deepEqual(await answerHealth('readyz', [ping, ready], q('verbose')), { code: 200, body: '[+]ping ok\n[+]store-caught-up ok\nreadyz check passed\n' });
  });

  it('a failing check is a 500 listing every check, the reason withheld', async () => {
    assert.deepEqual(await answerHealth('healthz', [ping, failing], q()), { code: 500, body: '[+]ping ok\n[-]log failed: reason withheld\nhealthz check failed\n' });
  });

  it('livez leaves readiness checks out; exclude skips named ones; one check by name gives its reason', async () => {
    assert.equal((await answerHealth('livez', [ping, ready], q('verbose'))).body, '[+]ping ok\nlivez check passed\n');
    assert.deepEqual(await answerHealth('healthz', [ping, failing], q('exclude=log&verbose')), { code: 200, body: '[+]ping ok\n[+]log excluded: ok\nhealthz check passed\n' });
    assert.deepEqual(await answerHealth('readyz', [ping, failing], q(), 'log'), { code: 500, body: 'internal server error: no JetStream\n' });
    assert.equal((await answerHealth('readyz', [ping], q(), 'nope')).code, 404);
  });

  it('the API server is not ready while its store lags the log or it shuts down', async () => {
    let draining = false;
    const checks = apiServerChecks({
      store: { revision: 5, waitForRevision: (rev: number) => (rev <= 5 ? Promise.resolve() : Promise.reject(new Error(`store at 5, log at ${rev}`))) },
      lastSeq: async () => 7,
      draining: () => draining,
    });
    const lagging = await answerHealth('readyz', checks, q('verbose'));
    assert.equal(lagging.code, 500);
    assert.match(lagging.body, /\[-\]store-caught-up failed/);
    assert.equal((await answerHealth('livez', checks, q())).code, 200, 'lagging is not dead');
    draining = true;
    assert.match((await answerHealth('readyz', checks, q(), 'shutdown')).body, /shutting down/);
  });
});
