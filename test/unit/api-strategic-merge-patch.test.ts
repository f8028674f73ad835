// Strategic merge patch, given/when/then, per directive, against the real kind schemas.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../src/api/errors.ts';
import { schemaFor } from '../../src/api/schema/index.ts';
import { applyStrategicMergePatch } from '../../src/api/strategic-merge-patch.ts';

const POD = schemaFor('pods')!;
const DEPLOYMENT = schemaFor('deployments.apps')!;

const pod = (spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec });
const given = (object: unknown, schema = POD) => ({
  when: (patch: unknown) => ({
    then: (expected: unknown) => assert.deepEqual(applyStrategicMergePatch(object, patch, schema), expected),
    fails: (code: number, message?: RegExp) =>
      assert.throws(
        () => applyStrategicMergePatch(object, patch, schema),
        (e: unknown) => e instanceof StatusError && e.code === code && (!message || message.test(e.message)),
      ),
  }),
});

const web = { name: 'web', image: 'nginx:1.14.2', ports: [{ containerPort: 80, protocol: 'TCP' }] };
const side = { name: 'side', image: 'busybox' };

describe('strategic merge patch: maps', () => {
  it('merges maps key by key and deletes a field set to null', () => {
    given({ metadata: { name: 'p', labels: { a: '1', b: '2' } } })
      .when({ metadata: { labels: { a: null, c: '3' } } })
      .then({ metadata: { name: 'p', labels: { b: '2', c: '3' } } });
  });

  it('never mutates its inputs', () => {
    const target = pod({ containers: [web] });
    const patch = { spec: { containers: [{ name: 'web', image: 'nginx:1.16' }] } };
    const before = JSON.stringify([target, patch]);
    applyStrategicMergePatch(target, patch, POD);
    assert.equal(JSON.stringify([target, patch]), before);
  });

  it('$patch: replace replaces the map with the rest of the patch', () => {
    given({ metadata: { labels: { a: '1', b: '2' } } })
      .when({ metadata: { labels: { $patch: 'replace', c: '3' } } })
      .then({ metadata: { labels: { c: '3' } } });
  });

  it('$patch: delete deletes the map', () => {
    given({ metadata: { name: 'p', labels: { a: '1' } } })
      .when({ metadata: { labels: { $patch: 'delete' } } })
      .then({ metadata: { name: 'p' } });
  });

  it('$patch: merge is the default', () => {
    given({ metadata: { labels: { a: '1' } } })
      .when({ metadata: { labels: { $patch: 'merge', b: '2' } } })
      .then({ metadata: { labels: { a: '1', b: '2' } } });
  });

  it('an unknown $patch is a 400', () => {
    given({ metadata: {} }).when({ metadata: { $patch: 'explode' } }).fails(400, /Unknown patch type: explode/);
  });

  it('$retainKeys drops the fields it does not name, then merges', () => {
    given({ spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } }, DEPLOYMENT)
      .when({ spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } })
      .then({ spec: { strategy: { type: 'Recreate' } } });
  });

  it('$retainKeys must name every field the patch sets', () => {
    given({ spec: { strategy: {} } }, DEPLOYMENT)
      .when({ spec: { strategy: { $retainKeys: ['type'], rollingUpdate: { maxSurge: 1 } } } })
      .fails(400);
  });

  it('a patch that is not an object is a 400', () => {
    given({}).when([{ op: 'add' }]).fails(400);
  });
});

describe('strategic merge patch: lists with a merge key', () => {
  it('merges containers by name: a changed image keeps the ports, a new container is appended', () => {
    given(pod({ containers: [web] }))
      .when({ spec: { containers: [{ name: 'web', image: 'nginx:1.16' }, side] } })
      .then(pod({ containers: [{ ...web, image: 'nginx:1.16' }, side] }));
  });

  it('merges env by name and ports by containerPort', () => {
    const container = { name: 'web', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], ports: [{ containerPort: 80, name: 'http' }] };
    given(pod({ containers: [container] }))
      .when({ spec: { containers: [{ name: 'web', env: [{ name: 'B', value: '3' }], ports: [{ containerPort: 443, name: 'https' }] }] } })
      .then(
        pod({
          containers: [
            { name: 'web', env: [{ name: 'A', value: '1' }, { name: 'B', value: '3' }], ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443, name: 'https' }] },
          ],
        }),
      );
  });

  it('merges volumes by name and volumeMounts by mountPath', () => {
    const volumes = [{ name: 'a', emptyDir: {} }];
    const mounts = [{ name: 'a', mountPath: '/a' }];
    given(pod({ volumes, containers: [{ name: 'web', volumeMounts: mounts }] }))
      .when({ spec: { volumes: [{ name: 'b', emptyDir: {} }], containers: [{ name: 'web', volumeMounts: [{ name: 'a', mountPath: '/a', readOnly: true }] }] } })
      .then(
        pod({
          volumes: [...volumes, { name: 'b', emptyDir: {} }],
          containers: [{ name: 'web', volumeMounts: [{ name: 'a', mountPath: '/a', readOnly: true }] }],
        }),
      );
  });

  it('$patch: delete removes the item with that merge key', () => {
    given(pod({ containers: [web, side] }))
      .when({ spec: { containers: [{ name: 'side', $patch: 'delete' }] } })
      .then(pod({ containers: [web] }));
  });

  it('$patch: replace as an item replaces the whole list with the other items', () => {
    given(pod({ containers: [web, side] }))
      .when({ spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'x' }] } })
      .then(pod({ containers: [{ name: 'only', image: 'x' }] }));
  });

  it('null inside an item deletes that field of the item', () => {
    given(pod({ containers: [web] }))
      .when({ spec: { containers: [{ name: 'web', ports: null }] } })
      .then(pod({ containers: [{ name: 'web', image: 'nginx:1.14.2' }] }));
  });

  it('an item without the merge key is a 400', () => {
    given(pod({ containers: [web] })).when({ spec: { containers: [{ image: 'x' }] } }).fails(400, /does not contain declared merge key: name/);
  });
});

describe('strategic merge patch: $setElementOrder', () => {
  it('orders a merged list as the directive says', () => {
    given(pod({ containers: [web, side] }))
      .when({ spec: { '$setElementOrder/containers': [{ name: 'side' }, { name: 'web' }], containers: [{ name: 'web', image: 'nginx:2' }] } })
      .then(pod({ containers: [side, { ...web, image: 'nginx:2' }] }));
  });

  it('keeps the server-only items where they were', () => {
    const a = { name: 'a' };
    const b = { name: 'b' };
    const c = { name: 'c' };
    given(pod({ containers: [a, b, c] }))
      .when({ spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }, { name: 'd' }], containers: [{ name: 'd' }] } })
      .then(pod({ containers: [b, { name: 'c' }, { name: 'a' }, { name: 'd' }] }));
  });

  it('orders a primitive list by value', () => {
    given({ metadata: { finalizers: ['x', 'y'] } })
      .when({ metadata: { '$setElementOrder/finalizers': ['y', 'x', 'z'], finalizers: ['z'] } })
      .then({ metadata: { finalizers: ['y', 'x', 'z'] } });
  });
});

describe('strategic merge patch: primitive lists', () => {
  it('a list merged by strategy takes the union (finalizers)', () => {
    given({ metadata: { finalizers: ['a', 'b'] } })
      .when({ metadata: { finalizers: ['b', 'c'] } })
      .then({ metadata: { finalizers: ['a', 'b', 'c'] } });
  });

  it('$deleteFromPrimitiveList removes the values named', () => {
    given({ metadata: { finalizers: ['a', 'b', 'c'] } })
      .when({ metadata: { '$deleteFromPrimitiveList/finalizers': ['b'] } })
      .then({ metadata: { finalizers: ['a', 'c'] } });
  });

  it('$deleteFromPrimitiveList and an addition in one patch', () => {
    given({ metadata: { finalizers: ['a', 'b'] } })
      .when({ metadata: { '$deleteFromPrimitiveList/finalizers': ['a'], finalizers: ['c'] } })
      .then({ metadata: { finalizers: ['b', 'c'] } });
  });
});

describe('strategic merge patch: lists without a merge key', () => {
  it('replace the list whole (args, command, tolerations)', () => {
    given(pod({ containers: [{ name: 'web', args: ['a', 'b'] }], tolerations: [{ key: 'k' }] }))
      .when({ spec: { containers: [{ name: 'web', args: ['c'] }], tolerations: [{ key: 'z', operator: 'Exists' }] } })
      .then(pod({ containers: [{ name: 'web', args: ['c'] }], tolerations: [{ key: 'z', operator: 'Exists' }] }));
  });

  it('replace every list when no schema is known', () => {
    assert.deepEqual(applyStrategicMergePatch({ a: [1, 2], b: { c: 1 } }, { a: [3], b: { d: 2 } }), { a: [3], b: { c: 1, d: 2 } });
  });
});
