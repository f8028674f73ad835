/**
 * CronJob missed-schedule handling (property): after any clock jump, one sync starts at
 * most one Job, for exactly the latest schedule time that is due and after the last one
 * started (found here by walking every activation), named for that minute; and a second
 * sync at the same time, with that start recorded, starts nothing.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { KubeObject } from '../../src/api/object.ts';
import { decideCronJob, jobName } from '../../src/controllers/cronjob/decide.ts';
import { parseSchedule } from '../../src/controllers/cronjob/schedule.ts';

const scheduleArb = fc.oneof(
  fc.integer({ min: 1, max: 30 }).map((k) => `*/${k} * * * *`),
  fc.tuple(fc.integer({ min: 0, max: 59 }), fc.integer({ min: 1, max: 12 })).map(([m, h]) => `${m} */${h} * * *`),
  fc.tuple(fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 23 })).map(([m, h]) => `${m} ${h} * * 1-5`),
  fc.constantFrom('@hourly', '@daily', '0 0 1,15 * *'),
);
const zoneArb = fc.constantFrom(undefined, 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata');
const START = Date.parse('2024-03-01T00:00:00Z');

describe('CronJob missed schedules (property)', () => {
  it('starts only the most recent due time after a clock jump, once', () => {
    fc.assert(
      fc.property(scheduleArb, zoneArb, fc.integer({ min: 0, max: 30 * 24 * 60 }), fc.integer({ min: 1, max: 3 * 24 * 3600 }), (schedule, timeZone, lastMinutes, jumpSeconds) => {
        const last = START + lastMinutes * 60_000;
        const now = last + jumpSeconds * 1000;
        const cronJob: KubeObject = {
          apiVersion: 'batch/v1',
          kind: 'CronJob',
          metadata: { name: 'cj', namespace: 'default', uid: 'u', creationTimestamp: new Date(START).toISOString() },
          spec: { schedule, ...(timeZone ? { timeZone } : {}), jobTemplate: { spec: {} } },
          status: { lastScheduleTime: new Date(last).toISOString() },
        };
        const parsed = parseSchedule(schedule, timeZone);
        let expected: number | undefined;
        for (let t = parsed.next(last); t !== undefined && t <= now; t = parsed.next(t)) expected = t;
        const decision = decideCronJob(cronJob, [], now);
        const creates = decision.actions.filter((a) => a.type === 'createJob');
        if (expected === undefined) {
          assert.equal(creates.length, 0);
          assert.ok(decision.requeueAfterMs !== undefined && decision.requeueAfterMs > 0);
          return;
        }
        assert.equal(creates.length, 1);
        const create = creates[0] as Extract<(typeof creates)[number], { type: 'createJob' }>;
        assert.equal(create.scheduledTime, expected);
        assert.equal(create.job.metadata.name, jobName(cronJob, expected));
        const recorded = { ...cronJob, status: { lastScheduleTime: new Date(expected).toISOString(), active: [{ name: create.job.metadata.name, uid: 'j' }] } };
        assert.equal(decideCronJob(recorded, [], now).actions.filter((a) => a.type === 'createJob').length, 0, 'started once');
        // The sync after: at the next activation, plus 100 ms.
        const next = parsed.next(expected)!;
        assert.equal(decideCronJob(recorded, [], now).requeueAfterMs, next + 100 - now);
      }),
      { numRuns: 300 },
    );
  });
});
