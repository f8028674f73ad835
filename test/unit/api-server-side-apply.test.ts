// Server-side apply and managedFields, given/when/then on the Deployment schema.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '../../src/api/errors.ts';
import { pathKey } from '../../src/api/field-set.ts';
import {
  isManagedFieldsReset,
  managersOf,
  recordUpdate,
  withManagedFields,
  withManagers,
  type Manager,
} from '../../src/api/managed-fields.ts';
import { prepareUpdate } from '../../src/api/metadata.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { resourceFor } from '../../src/api/registry.ts';
import { schemaFor } from '../../src/api/schema/index.ts';
import { serverSideApply, type ApplyOptions } from '../../src/api/server-side-apply.ts';

const DEPLOYMENT = schemaFor('deployments.apps')!;
const NOW = '2026-01-01T00:00:00Z';
const LATER = '2026-01-01T00:05:00Z';

type Container = { name: string; image?: string };
const deployment = (spec: Record<string, unknown>, labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', ...(labels ? { labels } : {}) },
  spec,
});
const podSpec = (...containers: Container[]) => ({ template: { spec: { containers } } });
const nginx = { name: 'nginx', image: 'nginx:1.14.2' };
const side = { name: 'side', image: 'busybox' };

const options = (manager: string, extra: Partial<ApplyOptions> = {}): ApplyOptions => ({
  manager,
  force: false,
  now: NOW,
  apiVersion: 'apps/v1',
  ...extra,
});
/** Apply, then store the result as the API server does. */
const applied = (live: KubeObject, config: KubeObject, opts: ApplyOptions) => {
  const result = serverSideApply(live, config, DEPLOYMENT, opts);
  return withManagers(result.object, result.managers);
};
const fieldsOf = (object: KubeObject, manager: string) =>
  managersOf(object)
    .filter((m) => m.manager === manager)
    .flatMap((m) => [...m.fields].map((k) => JSON.parse(k).join('.')))
    .sort();
const conflictOf = (fn: () => unknown): StatusError => {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof StatusError);
    return error;
  }
  assert.fail('expected a conflict');
};
const empty = deployment({});
const containers = (object: KubeObject) => ((object.spec as ReturnType<typeof podSpec>).template.spec.containers);

describe('server-side apply: merging and ownership', () => {
  it('the first apply owns exactly what it applied, as an Apply entry in FieldsV1', () => {
    const object = applied(empty, deployment({ replicas: 3 }, { app: 'web' }), options('kubectl'));
    assert.deepEqual(object.metadata.managedFields, [
      {
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        time: NOW,
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:spec': { 'f:replicas': {} } },
      },
    ]);
    assert.deepEqual(object.spec, { replicas: 3 });
  });

  it('merges lists of type map by key and keeps fields the configuration does not name', () => {
    const live = { ...deployment({ replicas: 2, paused: false, ...podSpec({ ...nginx, imagePullPolicy: 'Always' } as Container) }) };
    const object = applied(live, deployment(podSpec({ name: 'nginx', image: 'nginx:1.16.1' }, side)), options('kubectl'));
    assert.deepEqual(containers(object), [{ name: 'nginx', image: 'nginx:1.16.1', imagePullPolicy: 'Always' }, side]);
    assert.equal((object.spec as { replicas: number }).replicas, 2);
  });

  it('a field the manager applied before and omits now is removed', () => {
    const first = applied(empty, deployment({ replicas: 3, ...podSpec(nginx, side) }), options('kubectl'));
    const second = applied(first, deployment(podSpec(nginx)), options('kubectl', { now: LATER }));
    assert.deepEqual(second.spec, podSpec(nginx), 'replicas and the side container went');
    assert.equal(managersOf(second)[0]!.time, LATER);
  });

  it('... unless another manager owns it too, and then only the applier lets go', () => {
    const first = applied(empty, deployment({ replicas: 3 }), options('a'));
    const shared = applied(first, deployment({ replicas: 3 }), options('b'));
    assert.deepEqual(fieldsOf(shared, 'b'), ['f:spec.f:replicas'], 'the same value is no conflict: both own it');
    const released = applied(shared, deployment({}), options('a'));
    assert.equal((released.spec as { replicas: number }).replicas, 3);
    assert.deepEqual(fieldsOf(released, 'a'), []);
    assert.deepEqual(managersOf(released).map((m) => m.manager), ['b'], 'a manager that owns nothing leaves the list');
  });

  it('a list item stays while another manager owns a field inside it', () => {
    const first = applied(empty, deployment(podSpec(nginx, side)), options('a'));
    const managers = managersOf(first);
    const sideImage = pathKey(['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"side"}', 'f:image']);
    const updater: Manager = { manager: 'editor', operation: 'Update', apiVersion: 'apps/v1', time: NOW, fields: new Set([sideImage]) };
    const withEditor = withManagers(first, [...managers, updater]);
    const object = applied(withEditor, deployment(podSpec(nginx)), options('a'));
    assert.deepEqual(containers(object).map((c) => c.name), ['nginx', 'side']);
  });
});

describe('server-side apply: conflicts', () => {
  const owned = applied(empty, deployment({ replicas: 3, ...podSpec(nginx) }), options('kubectl'));

  it('another value for a field another manager owns is a 409 in Kubernetes words', () => {
    const error = conflictOf(() => serverSideApply(owned, deployment({ replicas: 5 }), DEPLOYMENT, options('other-manager')));
    assert.equal(error.code, 409);
    assert.equal(error.reason, 'Conflict');
    assert.equal(error.message, 'Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas');
    assert.deepEqual(error.details?.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl"', field: '.spec.replicas' }]);
  });

  it('several conflicts are listed by manager; an Update manager is named with its apiVersion', () => {
    const updater: Manager = {
      manager: 'kubectl-edit',
      operation: 'Update',
      apiVersion: 'apps/v1',
      time: NOW,
      fields: new Set([pathKey(['f:spec', 'f:paused'])]),
    };
    const live = withManagers({ ...owned, spec: { ...(owned.spec as object), paused: true } }, [...managersOf(owned), updater]);
    const config = deployment({ replicas: 5, paused: false, ...podSpec({ name: 'nginx', image: 'nginx:2' }) });
    const error = conflictOf(() => serverSideApply(live, config, DEPLOYMENT, options('mine')));
    assert.equal(
      error.message,
      [
        'Apply failed with 3 conflicts: conflicts with "kubectl":',
        '- .spec.replicas',
        '- .spec.template.spec.containers[name="nginx"].image',
        'conflicts with "kubectl-edit" using apps/v1:',
        '- .spec.paused',
      ].join('\n'),
    );
  });

  it('force takes the fields: the old owner lets go, the value changes', () => {
    const object = applied(owned, deployment({ replicas: 5 }), options('other-manager', { force: true }));
    assert.equal((object.spec as { replicas: number }).replicas, 5);
    assert.deepEqual(fieldsOf(object, 'other-manager'), ['f:spec.f:replicas']);
    assert.ok(!fieldsOf(object, 'kubectl').includes('f:spec.f:replicas'));
    assert.ok(fieldsOf(object, 'kubectl').includes('f:spec.f:template.f:spec.f:containers.k:{"name":"nginx"}.f:image'));
  });

  it('the manager never conflicts with itself', () => {
    const object = applied(owned, deployment({ replicas: 7, ...podSpec(nginx) }), options('kubectl'));
    assert.equal((object.spec as { replicas: number }).replicas, 7);
  });
});

describe('managedFields of updates', () => {
  const ctx = (manager: string, now = NOW) => ({ manager, now, apiVersion: 'apps/v1' });

  it('a create owns every field it wrote, maps included', () => {
    const created = deployment({ replicas: 1 }, { app: 'web' });
    const entries = recordUpdate(undefined, created, DEPLOYMENT, ctx('kubectl-create'))!;
    assert.deepEqual(withManagedFields(created, entries).metadata.managedFields, [
      {
        manager: 'kubectl-create',
        operation: 'Update',
        apiVersion: 'apps/v1',
        time: NOW,
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': { 'f:replicas': {} } },
      },
    ]);
  });

  it('an update takes the fields it changed from their owners, without conflict, and removed fields leave every set', () => {
    const owned = applied(empty, deployment({ replicas: 3, paused: true }), options('kubectl'));
    const changed = { ...owned, spec: { replicas: 5 } };
    const object = withManagedFields(changed, recordUpdate(owned, changed, DEPLOYMENT, ctx('kubectl-scale', LATER))!);
    assert.deepEqual(fieldsOf(object, 'kubectl'), []);
    assert.deepEqual(fieldsOf(object, 'kubectl-scale'), ['f:spec.f:replicas']);
    assert.deepEqual(managersOf(object).map((m) => [m.manager, m.operation, m.time]), [['kubectl-scale', 'Update', LATER]]);
  });

  it('a write that changes no tracked field (status, metadata the server owns) records nothing', () => {
    const owned = applied(empty, deployment({ replicas: 3 }), options('kubectl'));
    const statusOnly = { ...owned, status: { replicas: 3 }, metadata: { ...owned.metadata, resourceVersion: '9', generation: 2 } };
    assert.equal(recordUpdate(owned, statusOnly, DEPLOYMENT, ctx('controller')), undefined);
  });

  it('clients cannot write managedFields, but may clear them with [{}] or []', () => {
    const rt = resourceFor('apps', 'v1', 'deployments')!;
    const owned = applied(empty, deployment({ replicas: 3 }), options('kubectl'));
    const forged = { ...owned, metadata: { ...owned.metadata, managedFields: [{ manager: 'me', operation: 'Apply', fieldsV1: {} }] } };
    assert.deepEqual(prepareUpdate(rt, owned, forged).metadata.managedFields, owned.metadata.managedFields);
    assert.deepEqual(prepareUpdate(rt, owned, { ...owned, metadata: { ...owned.metadata, managedFields: undefined } }).metadata.managedFields, owned.metadata.managedFields);
    for (const reset of [[{}], []]) {
      assert.ok(isManagedFieldsReset(reset));
      assert.equal(prepareUpdate(rt, owned, { ...owned, metadata: { ...owned.metadata, managedFields: reset } }).metadata.managedFields, undefined);
    }
  });
});
