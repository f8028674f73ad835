import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRoute, type ResourcePath } from '../../src/http/route.ts';
import { toApiRequest } from '../../src/http/to-request.ts';

describe('PUT /api/v1/namespaces/{name}/finalize', () => {
  it('maps to an update of the namespace through its finalize subresource', () => {
    const route = parseRoute('/api/v1/namespaces/x/finalize') as ResourcePath;
    const body = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' }, spec: { finalizers: [] } };
    const request = toApiRequest({ method: 'PUT', route, query: new URLSearchParams(), body });
    assert.deepEqual(request, { verb: 'update', resource: 'namespaces', name: 'x', subresource: 'finalize', body });
  });
});
