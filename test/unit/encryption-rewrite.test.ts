/**
 * Rewriting Secrets after a rotation: only those not on the write key are appended again,
 * unchanged and pinned to their resourceVersion; a lost race counts as done by the other
 * writer; withheld stand-ins are left alone; without a write key nothing is written.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject, ObjectKey } from '../../src/api/object.ts';
import { newKey } from '../../src/encryption/aesgcm.ts';
import { rewriteSecrets } from '../../src/encryption/rewrite.ts';
import { withheldSecret } from '../../src/encryption/sealed-secret.ts';
import type { LogRecord } from '../../src/store/log-entry.ts';
import { WrongLastSequenceError } from '../../streams/errors.ts';

const k2 = newKey('k2');
const secret = (name: string, rv: string): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'ns', resourceVersion: rv }, data: { a: 'Yg==' } });

describe('rewriteSecrets', () => {
  it('appends again only what is not on the write key, pinned, without resourceVersion', async () => {
    const sealedWith: Record<string, string | undefined> = { old: 'k1', plain: undefined, current: 'k2', raced: 'k1' };
    const appended: { key: ObjectKey; record: LogRecord; expected: number }[] = [];
    const report = await rewriteSecrets({
      encryption: { writeKey: k2, readKeys: [k2] },
      secrets: () => [
        secret('old', '5'),
        secret('plain', '6'),
        secret('current', '7'),
        secret('raced', '8'),
        withheldSecret({ resource: 'secrets', namespace: 'ns', name: 'gone' }, new TextEncoder().encode('jetkube:enc:aesgcm:v1:k0:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'), 'x', '9'),
      ],
      sealedWith: async (key) => sealedWith[key.name],
      append: async (key, record, options) => {
        if (key.name === 'raced') throw new WrongLastSequenceError('s', options.expectedLastSubjectSeq, 12);
        appended.push({ key, record, expected: options.expectedLastSubjectSeq });
        return { seq: 100, duplicate: false };
      },
    });
    assert.deepEqual(report, { writeKey: 'k2', rewritten: 2, current: 1, withheld: 1, raced: 1 });
    assert.deepEqual(appended.map((a) => [a.key.name, a.record.type, a.expected, a.record.object.metadata.resourceVersion]), [
      ['old', 'MODIFIED', 5, undefined],
      ['plain', 'MODIFIED', 6, undefined],
    ]);
    assert.deepEqual(appended[0]!.record.object.data, { a: 'Yg==' });
  });

  it('refuses without a write key', async () => {
    await assert.rejects(
      rewriteSecrets({ encryption: undefined, secrets: () => [secret('a', '1')], sealedWith: async () => undefined, append: async () => assert.fail('no write') }),
      /no write key/,
    );
  });
});
