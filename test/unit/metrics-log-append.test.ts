import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiServerMetrics } from '../../src/metrics/apiserver-metrics.ts';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.ts';

describe('jetkube_log_append_duration_seconds', () => {
  it('times each append by result and passes results and errors through', async () => {
    const metrics = new ApiServerMetrics();
    let calls = 0;
    const log = metrics.timeLogAppends({
      async append(fail: boolean): Promise<number> {
        calls++;
        if (fail) throw Object.assign(new Error('wrong last sequence'), { code: 409 });
        return 7;
      },
    });
    assert.equal(await log.append(false), 7);
    assert.equal(await log.append(false), 7);
    await assert.rejects(log.append(true), /wrong last sequence/);
    assert.equal(calls, 3);
    const m = parsePrometheusText((await metrics.exposition()).body);
    assert.equal(m.get('jetkube_log_append_duration_seconds')?.type, 'histogram');
    assert.equal(sampleValue(m, 'jetkube_log_append_duration_seconds_count', { result: 'ok' }), 2);
    assert.equal(sampleValue(m, 'jetkube_log_append_duration_seconds_count', { result: 'conflict' }), 1);
  });
});

describe('parsePrometheusText', () => {
  it('rejects malformed exposition', () => {
    assert.throws(() => parsePrometheusText('x 1\n'), /without a TYPE/);
    assert.throws(() => parsePrometheusText('# TYPE x counter\nx{a="1",a="2"} 1\n'), /repeated label/);
    assert.throws(() => parsePrometheusText('# TYPE x counter\nx{a=1} 1\n'), /bad labels/);
    assert.throws(() => parsePrometheusText("# TYPE x counter\nx 0x10\n"), /bad value/);
    assert.throws(() => parsePrometheusText('# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\n'), /not cumulative/);
    assert.throws(() => parsePrometheusText('# TYPE h histogram\nh_bucket{le="1"} 2\n'), /no \+Inf/);
    const ok = parsePrometheusText('# HELP x a "thing"\n# TYPE x gauge\nx{path="a\\\\b\\"c"} 1.5e3\n');
    assert.equal(sampleValue(ok, 'x', { path: 'a\\b"c' }), 1500);
  });
});
