import assert from 'node:assert/strict';
import { it } from 'node:test';
import { OwnWrites } from '../../src/apiserver/own-writes.ts';
import type { LogRecord } from '../../src/store/log-entry.ts';

const record = (name: string): LogRecord => ({ type: 'ADDED', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } } });

it('hands a remembered record over once', () => {
  const writes = new OwnWrites(() => 0);
  writes.remember(5, record('a'));
  assert.equal(writes.take(5)?.object.metadata.name, 'a');
  assert.equal(writes.take(5), undefined);
});

it('never keeps a record the follower has already passed', () => {
  let applied = 10;
  const writes = new OwnWrites(() => applied);
  writes.remember(9, record('late'));
  writes.remember(10, record('late-too'));
  assert.equal(writes.size, 0);
  applied = 3;
  writes.remember(11, record('ahead'));
  assert.equal(writes.size, 1);
});

it('stays bounded', () => {
  const writes = new OwnWrites(() => 0);
  for (let seq = 1; seq <= 25_000; seq++) writes.remember(seq, record(`r${seq}`));
  assert.ok(writes.size <= 10_000, `size ${writes.size}`);
});
