import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '../../src/api/errors.ts';
import { decodeBody } from '../../src/http/body.ts';
import { bodyFormat, checkAcceptsJson, parseMediaType, wantedTable, wantsAggregatedDiscovery } from '../../src/http/media.ts';
import { warningHeader } from '../../src/http/respond.ts';

const KUBECTL_GET = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const KUBECTL_DISCOVERY =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

function codeOf(fn: () => unknown): number {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof StatusError);
    return error.code;
  }
  return 0;
}

describe('content negotiation', () => {
  it('parses media types with parameters', () => {
    assert.deepEqual(parseMediaType('application/json; as=Table; v=v1; g=meta.k8s.io'), {
      type: 'application',
      subtype: 'json',
      params: { as: 'Table', v: 'v1', g: 'meta.k8s.io' },
    });
  });

  it('finds the Table kubectl asks for, and only when it comes first', () => {
    assert.equal(wantedTable(KUBECTL_GET), 'v1');
    assert.equal(wantedTable('application/json;as=Table;v=v1beta1;g=meta.k8s.io'), 'v1beta1');
    assert.equal(wantedTable('application/json'), undefined);
    assert.equal(wantedTable('application/json, application/json;as=Table;v=v1;g=meta.k8s.io'), undefined);
    assert.equal(wantedTable(undefined), undefined);
  });

  it('recognises aggregated discovery v2 only', () => {
    assert.equal(wantsAggregatedDiscovery(KUBECTL_DISCOVERY), true);
    assert.equal(wantsAggregatedDiscovery('application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json'), false);
    assert.equal(wantsAggregatedDiscovery('application/json'), false);
  });

  it('answers JSON to anyone who takes it, 406 otherwise', () => {
    assert.equal(codeOf(() => checkAcceptsJson('application/vnd.kubernetes.protobuf,application/json')), 0);
    assert.equal(codeOf(() => checkAcceptsJson('application/vnd.kubernetes.protobuf, */*')), 0);
    assert.equal(codeOf(() => checkAcceptsJson(undefined)), 0);
    assert.equal(codeOf(() => checkAcceptsJson('application/vnd.kubernetes.protobuf')), 406);
  });

  it('reads bodies as JSON or YAML, patches as merge, JSON, strategic merge patch or apply, and refuses the rest with 415', () => {
    assert.deepEqual(bodyFormat('application/json', false), { kind: 'json' });
    assert.deepEqual(bodyFormat(undefined, false), { kind: 'json' });
    assert.deepEqual(bodyFormat('application/yaml', false), { kind: 'yaml' });
    assert.deepEqual(bodyFormat('application/merge-patch+json', true), { kind: 'patch', patchType: 'merge' });
    assert.deepEqual(bodyFormat('application/json-patch+json; charset=utf-8', true), { kind: 'patch', patchType: 'json' });
    assert.deepEqual(bodyFormat('application/strategic-merge-patch+json', true), { kind: 'patch', patchType: 'strategic' });
    assert.deepEqual(bodyFormat('application/apply-patch+yaml', true), { kind: 'patch', patchType: 'apply' });
    assert.equal(codeOf(() => bodyFormat('application/apply-patch+cbor', true)), 415);
    assert.deepEqual(decodeBody(Buffer.from('kind: ConfigMap\ndata:\n  k: v\n'), { kind: 'patch', patchType: 'apply' }), { kind: 'ConfigMap', data: { k: 'v' } });
    assert.deepEqual(decodeBody(Buffer.from('{"kind":"ConfigMap"}'), { kind: 'patch', patchType: 'apply' }), { kind: 'ConfigMap' });
    assert.equal(codeOf(() => bodyFormat('application/json', true)), 415);
    assert.deepEqual(bodyFormat('application/vnd.kubernetes.protobuf', false), { kind: 'protobuf' });
    assert.equal(codeOf(() => bodyFormat('application/vnd.kubernetes.protobuf', true)), 415);
  });

  it('decodes JSON and YAML bodies, 400 on bad syntax, nothing for an empty body', () => {
    assert.deepEqual(decodeBody(Buffer.from('{"a":1}'), { kind: 'json' }), { a: 1 });
    assert.deepEqual(decodeBody(Buffer.from('a: 1\nb: [x]\n'), { kind: 'yaml' }), { a: 1, b: ['x'] });
    assert.equal(decodeBody(Buffer.from('  '), { kind: 'json' }), undefined);
    assert.equal(codeOf(() => decodeBody(Buffer.from('{'), { kind: 'json' })), 400);
  });

  it('quotes warnings as RFC 7234 299 warnings', () => {
    assert.equal(warningHeader('unknown field "spec.x"'), '299 - "unknown field \\"spec.x\\""');
  });
});
