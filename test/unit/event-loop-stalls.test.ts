/**
 * The stall watch: which collections fall in a stall (pure), and a real stall of this
 * test's own event loop, made by running synchronously, is logged once with its length
 * and the garbage collections that ran inside it.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { gcWithin, watchEventLoopStalls } from '../../src/health/event-loop-stalls.ts';

it('counts only the part of each collection that overlaps the stall', () => {
  const entries = [
    { startTime: 0, duration: 10, major: false }, // before
    { startTime: 95, duration: 10, major: false }, // half in
    { startTime: 120, duration: 30, major: true }, // all in
    { startTime: 195, duration: 20, major: true }, // a quarter in
    { startTime: 300, duration: 5, major: false }, // after
  ];
  assert.deepEqual(gcWithin(entries, 100, 200), { gcMs: 5 + 30 + 5, majorGcMs: 30 + 5, collections: 3 });
  assert.deepEqual(gcWithin([], 100, 200), { gcMs: 0, majorGcMs: 0, collections: 0 });
});

function recordingLogger() {
  const warnings: Array<{ fields: Record<string, number>; message: string }> = [];
  let notify: (() => void) | undefined;
  return {
    warnings,
    warned: new Promise<void>((resolve) => (notify = resolve)),
    warn(fields: Record<string, number>, message: string) {
      warnings.push({ fields, message });
      notify?.();
    },
  };
}

/** Runs for `ms` without yielding, allocating as a busy request handler does. */
function blockFor(ms: number): number {
  const end = performance.now() + ms;
  let kept: number[][] = [];
  let made = 0;
  while (performance.now() < end) {
    kept.push(new Array(256).fill(made++));
    if (kept.length > 4096) kept = [];
  }
  return made;
}

it('logs a stall longer than the threshold with the collections inside it', async () => {
  const logger = recordingLogger();
  const stop = watchEventLoopStalls(logger as never, { thresholdMs: 150, tickMs: 20 });
  try {
    await new Promise((resolve) => setTimeout(resolve, 40)); // let the watch take its first tick
    assert.ok(blockFor(400) > 0);
    // The watch's timer does not hold the process open (a component's sockets do): this one does.
    let guard: NodeJS.Timeout | undefined;
    await Promise.race([logger.warned, new Promise((_, reject) => (guard = setTimeout(() => reject(new Error('no stall logged in 5 s')), 5_000)))]);
    clearTimeout(guard);
    assert.equal(logger.warnings.length, 1);
    const { fields, message } = logger.warnings[0]!;
    assert.ok(fields.stalledMs! >= 300 && fields.stalledMs! < 2_000, `stalledMs ${fields.stalledMs}`);
    assert.ok(fields.collections! > 0, 'allocating 400 ms long runs the young-generation collector');
    assert.ok(fields.gcMs! > 0 && fields.gcMs! <= fields.stalledMs! + 50, `gcMs ${fields.gcMs}`);
    assert.match(message, /event loop stood still/);
  } finally {
    stop();
  }
});

it('says nothing while the loop keeps turning', async () => {
  const logger = recordingLogger();
  const stop = watchEventLoopStalls(logger as never, { thresholdMs: 150, tickMs: 20 });
  try {
    // Many short pieces of work, each well under the threshold.
    for (let i = 0; i < 10; i++) {
      blockFor(20);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await new Promise((resolve) => setTimeout(resolve, 60)); // three more ticks of the watch
    assert.equal(logger.warnings.length, 0);
  } finally {
    stop();
  }
});
