/**
 * kube-controller-manager's --concurrent-*-syncs on `jetkube run controller-manager`:
 * each flag names one controller's workers; a value that is not a whole number >= 1 is
 * refused before anything starts, naming the flag.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { CONCURRENT_SYNCS_FLAGS, CONCURRENT_SYNCS_OPTIONS, concurrentSyncsFrom } from '../../src/cli/concurrent-syncs-flags.ts';
import { parseFlags } from '../../src/cli/flags.ts';
import { CONCURRENT_SYNCS } from '../../src/controllers/manager.ts';

it('gives each named controller the workers its flag says, and no others', () => {
  const { values } = parseFlags(['--concurrent-deployment-syncs', '25', '--concurrent-gc-syncs=40'], CONCURRENT_SYNCS_OPTIONS, 'help');
  assert.deepEqual(concurrentSyncsFrom(values), { deployment: 25, 'garbage-collector': 40 });
  assert.deepEqual(concurrentSyncsFrom({}), {});
});

it('refuses a count that is not a whole number >= 1, naming the flag', () => {
  for (const bad of ['0', '-2', '1.5', 'many', '']) {
    assert.throws(() => concurrentSyncsFrom({ 'concurrent-replicaset-syncs': bad }), /--concurrent-replicaset-syncs takes a whole number >= 1/);
  }
});

it('names only controllers that have Kubernetes\' default worker counts', () => {
  for (const controller of Object.values(CONCURRENT_SYNCS_FLAGS)) assert.ok(CONCURRENT_SYNCS[controller] !== undefined, controller);
});
