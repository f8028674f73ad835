/**
 * CronJob schedule decisions with an injected time (no sleeping): the most recent
 * missed time only, a clock jump over many missed schedules, startingDeadlineSeconds,
 * concurrency policies, history limits, suspend, time zones, and job names.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.ts';
import {
  CRONJOB_SCHEDULED_TIMESTAMP,
  decideCronJob,
  jobName,
  mostRecentScheduleTime,
  nextScheduleTimeDuration,
  type CronJobAction,
} from '../../src/controllers/cronjob/decide.ts';
import { parseGoDuration, parseSchedule, rfc3339InZone } from '../../src/controllers/cronjob/schedule.ts';

const T0 = Date.parse('2024-03-01T10:00:30Z');
const at = (iso: string) => Date.parse(iso);

function cronJob(spec: Record<string, unknown>, status: Record<string, unknown> = {}, created = '2024-03-01T10:00:30Z'): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'tick', namespace: 'default', uid: 'cj-uid', creationTimestamp: created },
    spec: {
      schedule: '*/1 * * * *',
      concurrencyPolicy: 'Allow',
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: { metadata: { labels: { app: 'tick' } }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } },
      ...spec,
    },
    status,
  };
}

function job(name: string, opts: { uid?: string; finished?: 'Complete' | 'Failed'; start?: string; completion?: string } = {}): KubeObject {
  const conditions = opts.finished ? [{ type: opts.finished, status: 'True' }] : [];
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: 'default',
      uid: opts.uid ?? `uid-${name}`,
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', uid: 'cj-uid', controller: true }],
    },
    status: { conditions, ...(opts.start ? { startTime: opts.start } : {}), ...(opts.completion ? { completionTime: opts.completion } : {}) },
  };
}

const of = <T extends CronJobAction['type']>(actions: CronJobAction[], type: T) => actions.filter((a): a is Extract<CronJobAction, { type: T }> => a.type === type);
const eventReasons = (actions: CronJobAction[]) => of(actions, 'event').map((e) => e.reason);

describe('CronJob schedules', () => {
  it('parses standard fields, macros, @every, ? and time zones', () => {
    assert.equal(parseSchedule('@hourly').next(at('2024-03-01T10:00:00Z')), at('2024-03-01T11:00:00Z'));
    assert.equal(parseSchedule('@daily').next(at('2024-03-01T10:00:00Z')), at('2024-03-02T00:00:00Z'));
    assert.equal(parseSchedule('@weekly').next(at('2024-03-01T10:00:00Z')), at('2024-03-03T00:00:00Z'), 'Sunday');
    assert.equal(parseSchedule('30 9 ? * MON-FRI').next(at('2024-03-01T10:00:00Z')), at('2024-03-04T09:30:00Z'));
    assert.equal(parseSchedule('@every 1h30m').next(at('2024-03-01T10:00:00.400Z')), at('2024-03-01T11:30:00Z'));
    assert.equal(parseSchedule('0 9 * * *', 'Europe/Berlin').next(at('2024-07-01T00:00:00Z')), at('2024-07-01T07:00:00Z'), 'summer time');
    assert.equal(parseSchedule('0 9 * * *', 'Europe/Berlin').next(at('2024-01-01T00:00:00Z')), at('2024-01-01T08:00:00Z'));
    assert.equal(parseSchedule('TZ=America/New_York 0 9 * * *').next(at('2024-01-01T00:00:00Z')), at('2024-01-01T14:00:00Z'));
    assert.equal(parseSchedule('0 0 1 * 1').next(at('2024-01-01T00:00:00Z')), at('2024-01-08T00:00:00Z'), 'day of month OR day of week');
    assert.throws(() => parseSchedule('0 9 * * *', 'Mars/Olympus'), /unknown time zone/);
    assert.throws(() => parseSchedule('@fortnightly'), /unrecognized descriptor/);
    assert.equal(parseGoDuration('1.5h'), 5_400_000);
  });

  it('formats the scheduled time in the CronJob zone', () => {
    assert.equal(rfc3339InZone(at('2024-01-01T08:00:00Z'), 'Europe/Berlin'), '2024-01-01T09:00:00+01:00');
    assert.equal(rfc3339InZone(at('2024-01-01T08:00:00Z')), '2024-01-01T08:00:00Z');
  });
});

describe('CronJob decision', () => {
  it('waits for the first schedule time after creation, then creates `<name>-<minutes>`', () => {
    const cj = cronJob({});
    const early = decideCronJob(cj, [], T0);
    assert.deepEqual(early.actions, []);
    assert.equal(early.requeueAfterMs, at('2024-03-01T10:01:00Z') - T0 + 100);
    const now = at('2024-03-01T10:01:00.100Z');
    const due = decideCronJob(cj, [], now);
    const [create] = of(due.actions, 'createJob');
    assert.equal(create?.job.metadata.name, `tick-${at('2024-03-01T10:01:00Z') / 60_000}`);
    assert.equal(create?.scheduledTime, at('2024-03-01T10:01:00Z'));
    assert.equal(create?.job.metadata.annotations?.[CRONJOB_SCHEDULED_TIMESTAMP], '2024-03-01T10:01:00Z');
    assert.deepEqual(create?.job.metadata.labels, { app: 'tick' });
    assert.equal(create?.job.metadata.ownerReferences?.[0]?.uid, 'cj-uid');
    assert.equal(due.requeueAfterMs, at('2024-03-01T10:02:00Z') - now + 100);
  });

  it('after a clock jump over missed schedules starts only the most recent one', () => {
    const cj = cronJob({ schedule: '0 * * * *' }, { lastScheduleTime: '2024-03-01T10:00:00Z' });
    const now = at('2024-03-01T15:20:00Z');
    const decision = decideCronJob(cj, [], now);
    const creates = of(decision.actions, 'createJob');
    assert.equal(creates.length, 1);
    assert.equal(creates[0]!.scheduledTime, at('2024-03-01T15:00:00Z'));
    assert.deepEqual(eventReasons(decision.actions), [], 'five missed is not too many');
    const recent = mostRecentScheduleTime(cj, now, parseSchedule('0 * * * *'), true);
    assert.equal(recent.missed, 'few');
  });

  it('warns about too many missed start times (over 100) and still starts the most recent', () => {
    const cj = cronJob({}, { lastScheduleTime: '2024-03-01T10:00:00Z' });
    const now = at('2024-03-01T12:00:10Z');
    const decision = decideCronJob(cj, [], now);
    assert.deepEqual(eventReasons(decision.actions), ['TooManyMissedTimes']);
    assert.equal(of(decision.actions, 'createJob')[0]?.scheduledTime, at('2024-03-01T12:00:00Z'));
  });

  it('startingDeadlineSeconds: a time missed by more is skipped (the window hides it), a recent one starts', () => {
    const cj = cronJob({ schedule: '0 * * * *', startingDeadlineSeconds: 60 }, { lastScheduleTime: '2024-03-01T10:00:00Z' });
    const late = decideCronJob(cj, [], at('2024-03-01T11:05:00Z'));
    assert.deepEqual(of(late.actions, 'createJob'), []);
    assert.equal(late.requeueAfterMs, at('2024-03-01T12:00:00Z') - at('2024-03-01T11:05:00Z') + 100);
    const inTime = decideCronJob(cj, [], at('2024-03-01T11:00:40Z'));
    assert.equal(of(inTime.actions, 'createJob').length, 1);
    // Between the deadline and the schedule time the deadline window hides the missed time; with
    // a wider window the same time is seen but judged too late.
    const wide = cronJob({ schedule: '0 * * * *', startingDeadlineSeconds: 600 }, { lastScheduleTime: '2024-03-01T09:00:00Z' });
    assert.deepEqual(eventReasons(decideCronJob(wide, [], at('2024-03-01T10:20:00Z')).actions), []);
  });

  it('startingDeadlineSeconds: a time still inside the window starts', () => {
    const cj = cronJob({ schedule: '*/5 * * * *', startingDeadlineSeconds: 10 }, { lastScheduleTime: '2024-03-01T10:00:00Z' });
    assert.equal(of(decideCronJob(cj, [], at('2024-03-01T10:05:09Z')).actions, 'createJob').length, 1);
  });

  it('does not start a time twice: an active Job of that name or lastScheduleTime equal', () => {
    const scheduled = at('2024-03-01T10:01:00Z');
    const name = jobName(cronJob({}), scheduled);
    const cj = cronJob({}, { active: [{ name, uid: `uid-${name}` }] });
    const decision = decideCronJob(cj, [job(name)], at('2024-03-01T10:01:30Z'));
    assert.deepEqual(of(decision.actions, 'createJob'), []);
  });

  it('Forbid skips while a Job is active; Replace deletes it and starts the new one', () => {
    const active = job('tick-1');
    const status = { active: [{ name: 'tick-1', uid: 'uid-tick-1' }], lastScheduleTime: '2024-03-01T10:01:00Z' };
    const now = at('2024-03-01T10:02:00.100Z');
    const forbid = decideCronJob(cronJob({ concurrencyPolicy: 'Forbid' }, status), [active], now);
    assert.deepEqual(of(forbid.actions, 'createJob'), []);
    assert.deepEqual(eventReasons(forbid.actions), ['JobAlreadyActive']);
    const replace = decideCronJob(cronJob({ concurrencyPolicy: 'Replace' }, status), [active], now);
    assert.deepEqual(of(replace.actions, 'deleteJob').map((a) => a.job.metadata.name), ['tick-1']);
    assert.equal(of(replace.actions, 'createJob').length, 1);
    const allow = decideCronJob(cronJob({}, status), [active], now);
    assert.equal(of(allow.actions, 'createJob').length, 1);
    assert.deepEqual(of(allow.actions, 'deleteJob'), []);
  });

  it('drops finished Jobs from active, records lastSuccessfulTime and keeps the history limits', () => {
    const done = (i: number) => job(`ok-${i}`, { finished: 'Complete', start: `2024-03-01T0${i}:00:00Z`, completion: `2024-03-01T0${i}:00:30Z` });
    const jobs = [done(1), done(2), done(3), done(4), job('bad-1', { finished: 'Failed', start: '2024-03-01T01:00:00Z' }), job('bad-2', { finished: 'Failed', start: '2024-03-01T02:00:00Z' })];
    const cj = cronJob({ suspend: true }, { active: [{ name: 'ok-4', uid: 'uid-ok-4' }] });
    const decision = decideCronJob(cj, jobs, T0);
    assert.deepEqual(of(decision.actions, 'deleteJob').map((a) => a.job.metadata.name), ['ok-1', 'bad-1']);
    const [update] = of(decision.actions, 'updateStatus');
    assert.equal(update?.status.active, undefined);
    assert.equal(update?.status.lastSuccessfulTime, '2024-03-01T04:00:30Z');
    assert.deepEqual(eventReasons(decision.actions), ['SawCompletedJob']);
  });

  it('forgets an active Job that a live read found gone', () => {
    const cj = cronJob({ suspend: true }, { active: [{ name: 'lost', uid: 'uid-lost' }] });
    const decision = decideCronJob(cj, [], T0, { goneJobUids: new Set(['uid-lost']) });
    assert.deepEqual(eventReasons(decision.actions), ['MissingJob']);
    assert.equal(of(decision.actions, 'updateStatus')[0]?.status.active, undefined);
    assert.deepEqual(of(decideCronJob(cj, [], T0).actions, 'updateStatus'), [], 'not without the live read');
  });

  it('suspended, deleted or unknown-zone CronJobs start nothing', () => {
    const now = at('2024-03-01T10:05:00Z');
    assert.deepEqual(decideCronJob(cronJob({ suspend: true }), [], now), { actions: [] });
    const deleting = cronJob({});
    deleting.metadata.deletionTimestamp = '2024-03-01T10:04:00Z';
    assert.deepEqual(decideCronJob(deleting, [], now), { actions: [] });
    assert.deepEqual(eventReasons(decideCronJob(cronJob({ timeZone: 'Nowhere/Land' }), [], now).actions), ['UnknownTimeZone']);
  });

  it('schedules in spec.timeZone and stamps the time with its offset', () => {
    const cj = cronJob({ schedule: '30 9 * * *', timeZone: 'Asia/Tokyo' }, {}, '2024-03-01T00:00:00Z');
    const decision = decideCronJob(cj, [], at('2024-03-01T00:30:00.100Z'));
    const [create] = of(decision.actions, 'createJob');
    assert.equal(create?.scheduledTime, at('2024-03-01T00:30:00Z'));
    assert.equal(create?.job.metadata.annotations?.[CRONJOB_SCHEDULED_TIMESTAMP], '2024-03-01T09:30:00+09:00');
  });

  it('an impossible date is an InvalidSchedule, not a busy loop', () => {
    const decision = decideCronJob(cronJob({ schedule: '0 0 30 2 *' }), [], at('2024-03-01T10:05:00Z'));
    assert.deepEqual(eventReasons(decision.actions), ['InvalidSchedule']);
    assert.equal(nextScheduleTimeDuration(cronJob({ schedule: '0 0 30 2 *' }), T0, parseSchedule('0 0 30 2 *')), undefined);
  });
});
