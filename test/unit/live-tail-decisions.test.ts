/**
 * When the live tail gives its consumer up for a new one, and which refusals end it.
 * A consumer deleted or not found is lost at once; missed idle heartbeats only after
 * MISSED_HEARTBEATS_BEFORE_RESTART in a row, since a loaded process reads heartbeats late
 * while nats.js checks the consumer and pulls again on its own.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ConsumerEvents } from 'nats';
import { isLostConsumer, isPermanentRefusal, MISSED_HEARTBEATS_BEFORE_RESTART } from '../../streams/live-tail.ts';

it('gives a consumer up when it is deleted or not found', () => {
  assert.equal(isLostConsumer({ type: ConsumerEvents.ConsumerDeleted, data: 'gone' }), true);
  assert.equal(isLostConsumer({ type: ConsumerEvents.ConsumerNotFound, data: 1 }), true);
});

it('tolerates a few missed heartbeats and gives up after MISSED_HEARTBEATS_BEFORE_RESTART', () => {
  assert.ok(MISSED_HEARTBEATS_BEFORE_RESTART > 2, 'more than nats.js reports on the first miss');
  for (let missed = 2; missed < MISSED_HEARTBEATS_BEFORE_RESTART; missed++) {
    assert.equal(isLostConsumer({ type: ConsumerEvents.HeartbeatsMissed, data: missed }), false, `${missed} missed`);
  }
  assert.equal(isLostConsumer({ type: ConsumerEvents.HeartbeatsMissed, data: MISSED_HEARTBEATS_BEFORE_RESTART }), true);
  assert.equal(isLostConsumer({ type: ConsumerEvents.HeartbeatsMissed, data: MISSED_HEARTBEATS_BEFORE_RESTART + 3 }), true);
});

it('ignores statuses that say nothing about the consumer being gone', () => {
  assert.equal(isLostConsumer({ type: ConsumerEvents.NoResponders, data: 1 }), false);
  assert.equal(isLostConsumer({ type: 'debug', data: 'x' }), false);
});

it('ends the tail only on refusals no retry can change', () => {
  assert.equal(isPermanentRefusal({ message: 'stream not found' }), true);
  assert.equal(isPermanentRefusal({ code: 'PERMISSIONS_VIOLATION' }), true);
  assert.equal(isPermanentRefusal({ api_error: { code: 403 } }), true);
  assert.equal(isPermanentRefusal({ message: 'TIMEOUT', code: 'TIMEOUT' }), false);
  assert.equal(isPermanentRefusal({ api_error: { code: 503 } }), false);
});
