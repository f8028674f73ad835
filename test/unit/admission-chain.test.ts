import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../src/api/errors.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { resourceByKey } from '../../src/api/registry.ts';
import { admissionChain } from '../../src/admission/chain.ts';
import { admissionChainFor, ADMISSION_PLUGIN_NAMES } from '../../src/admission/plugins.ts';
import { namespaceLifecycle } from '../../src/admission/namespace-lifecycle.ts';
import type { AdmissionAttributes, AdmissionContext, AdmissionPlugin } from '../../src/admission/plugin.ts';

const pods = resourceByKey('pods')!;
const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' }, spec: { containers: [{ name: 'c', image: 'i' }] } };
const attributes = (over: Partial<AdmissionAttributes> = {}): AdmissionAttributes => ({
  operation: 'CREATE',
  resource: pods,
  namespace: 'ns',
  name: 'p',
  object: pod,
  dryRun: false,
  ...over,
});

/** A context whose store holds the given namespaces; consistent() counts its calls. */
function contextWith(namespaces: KubeObject[]) {
  const calls = { consistent: 0 };
  const context = {
    store: { get: (_r: string, _ns: string, name: string) => namespaces.find((n) => n.metadata.name === name) },
    reads: { consistent: async () => void calls.consistent++ },
  } as unknown as AdmissionContext;
  return { context, calls };
}
const NO_CONTEXT = contextWith([]).context;

const labelling = (name: string, value: string, async = false): AdmissionPlugin => ({
  name,
  handles: () => true,
  admit: (a) => {
    const next = { ...a.object, metadata: { ...a.object.metadata, labels: { ...a.object.metadata.labels, [name]: value } } };
    return async ? Promise.resolve(next) : next;
  },
});

describe('the admission chain', () => {
  it('runs the mutating plugins in order, each seeing the previous one\'s object, synchronously when all are', () => {
    const seen: string[] = [];
    const spy: AdmissionPlugin = { name: 'spy', handles: () => true, admit: (a) => (seen.push(JSON.stringify(a.object.metadata.labels)), a.object) };
    const result = admissionChain([labelling('a', '1'), spy, labelling('b', '2')]).admit(attributes(), NO_CONTEXT);
    assert.ok(!(result instanceof Promise), 'no plugin waited, so no promise');
    assert.deepEqual((result as KubeObject).metadata.labels, { a: '1', b: '2' });
    assert.deepEqual(seen, ['{"a":"1"}']);
  });

  it('keeps the order across a plugin that answers with a promise', async () => {
    const result = admissionChain([labelling('a', '1', true), labelling('a', '2')]).admit(attributes(), NO_CONTEXT);
    assert.ok(result instanceof Promise);
    assert.deepEqual((await result).metadata.labels, { a: '2' });
  });

  it('skips plugins that do not handle the request', () => {
    const never: AdmissionPlugin = { ...labelling('x', '1'), handles: () => false };
    assert.equal(admissionChain([never]).admit(attributes(), NO_CONTEXT), pod);
  });

  it('stops at the first validating plugin that refuses, synchronous or not', async () => {
    const ran: string[] = [];
    const refuse = (name: string, async: boolean): AdmissionPlugin => ({
      name,
      handles: () => true,
      validate: () => {
        ran.push(name);
        const error = new StatusError(403, 'Forbidden', `${name} says no`);
        if (async) return Promise.reject(error);
        throw error;
      },
    });
    const pass: AdmissionPlugin = { name: 'pass', handles: () => true, validate: async () => void ran.push('pass') };
    await assert.rejects(async () => admissionChain([pass, refuse('first', true), refuse('second', false)]).validate(attributes(), NO_CONTEXT), /first says no/);
    assert.deepEqual(ran, ['pass', 'first']);
  });
});

describe('the plugin selection', () => {
  it('has NamespaceLifecycle first and refuses unknown names', () => {
    assert.equal(ADMISSION_PLUGIN_NAMES[0], 'NamespaceLifecycle');
    assert.deepEqual(admissionChainFor().names.slice(0, 1), ['NamespaceLifecycle']);
    assert.throws(() => admissionChainFor({ enable: ['NoSuchPlugin'] }), /unknown admission plugin "NoSuchPlugin"/);
  });

  it('turns a default plugin off without changing the others\' order', () => {
    const names = admissionChainFor({ disable: ['NamespaceLifecycle'] }).names;
    assert.ok(!names.includes('NamespaceLifecycle'));
    assert.deepEqual(names, admissionChainFor().names.filter((n) => n !== 'NamespaceLifecycle'));
  });
});

describe('NamespaceLifecycle', () => {
  const ns = (name: string, terminating = false): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, ...(terminating ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    ...(terminating ? { status: { phase: 'Terminating' } } : {}),
  });
  const refusal = (run: () => unknown) => {
    try {
      const result = run();
      return result instanceof Promise ? result.then(() => undefined, (e: StatusError) => e) : undefined;
    } catch (error) {
      return error as StatusError;
    }
  };

  it('lets a create into an existing namespace through without a consistent read', () => {
    const { context, calls } = contextWith([ns('ns')]);
    assert.equal(namespaceLifecycle.validate!(attributes(), context), undefined);
    assert.equal(calls.consistent, 0);
  });

  it('answers 404 for a namespace missing even after a consistent read', async () => {
    const { context, calls } = contextWith([]);
    const error = await refusal(() => namespaceLifecycle.validate!(attributes(), context));
    assert.equal(error?.code, 404);
    assert.equal(calls.consistent, 1);
  });

  it('refuses a create in a terminating namespace with Kubernetes\' words', async () => {
    const error = await refusal(() => namespaceLifecycle.validate!(attributes(), contextWith([ns('ns', true)]).context));
    assert.equal(error?.code, 403);
    assert.equal(error?.message, 'pods "p" is forbidden: unable to create new content in namespace ns because it is being terminated');
  });

  it('never lets default, kube-system or kube-public be deleted, and lets others go', async () => {
    const namespaces = resourceByKey('namespaces')!;
    for (const name of ['default', 'kube-system', 'kube-public']) {
      const a = attributes({ operation: 'DELETE', resource: namespaces, namespace: '', name, object: ns(name) });
      assert.ok(namespaceLifecycle.handles(a));
      const error = await refusal(() => namespaceLifecycle.validate!(a, NO_CONTEXT));
      assert.equal(error?.message, `namespaces "${name}" is forbidden: this namespace may not be deleted`);
    }
    const other = attributes({ operation: 'DELETE', resource: namespaces, namespace: '', name: 'dev', object: ns('dev') });
    assert.equal(await refusal(() => namespaceLifecycle.validate!(other, NO_CONTEXT)), undefined);
  });

  it('leaves subresource writes and deletes of other kinds alone', () => {
    assert.equal(namespaceLifecycle.handles(attributes({ subresource: 'binding' })), false);
    assert.equal(namespaceLifecycle.handles(attributes({ operation: 'DELETE' })), false);
  });
});
