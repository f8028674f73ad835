// The HTTPS face spoken to directly: authentication, negotiation, write codes, size and
// media-type limits, and the watch stream (against a real cluster, and against a scripted
// pipeline for the stream's own edges: headers before events, ERROR ends it).
import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { expired } from '../../src/api/errors.ts';
import type { Pipeline } from '../../src/apiserver/pipeline.ts';
import type { WatchEvent } from '../../src/apiserver/request.ts';
import { componentLogger } from '../../src/log.ts';
import { AGGREGATED_DISCOVERY_TYPE } from '../../src/http/media.ts';
import { startHttpFace, type HttpFace } from '../../src/http/server.ts';
import { startHttpTestCluster, type HttpTestCluster } from '../support/http-cluster.ts';

interface Answer {
  code: number;
  headers: IncomingMessage['headers'];
  body: string;
  json(): any;
}

type Credential = 'cert' | 'token' | 'none' | 'bad-token';

describe('the HTTPS face', { timeout: 60_000 }, () => {
  let cluster: HttpTestCluster;
  before(async () => {
    cluster = await startHttpTestCluster({ insecure: true });
  });
  after(() => cluster?.dispose());

  function call(method: string, path: string, options: { credential?: Credential; headers?: Record<string, string>; body?: string | Buffer } = {}) {
    const credential = options.credential ?? 'cert';
    const headers: Record<string, string> = { ...options.headers };
    if (credential === 'token') headers.authorization = `Bearer ${cluster.pki.adminToken}`;
    if (credential === 'bad-token') headers.authorization = 'Bearer nope';
    // node sends a DELETE body unframed unless told its length
    if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
    return new Promise<Answer>((resolve, reject) => {
      const req = httpsRequest(
        new URL(path, cluster.url),
        {
          method,
          headers,
          ca: cluster.pki.caCert,
          ...(credential === 'cert' ? { cert: cluster.pki.adminCert, key: cluster.pki.adminKey } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const body = Buffer.concat(chunks).toString();
            resolve({ code: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) });
          });
        },
      );
      req.on('error', reject);
      req.end(options.body);
    });
  }

  it('lets anyone read /version and the health checks, and asks everything else for the admin credential', async () => {
    assert.equal((await call('GET', '/version', { credential: 'none' })).json().minor, '32');
    assert.equal((await call('GET', '/readyz', { credential: 'none' })).body, 'ok');
    const denied = await call('GET', '/api/v1/namespaces', { credential: 'none' });
    assert.equal(denied.code, 401);
    assert.deepEqual([denied.json().kind, denied.json().reason, denied.json().code], ['Status', 'Unauthorized', 401]);
    assert.equal((await call('GET', '/api/v1/namespaces', { credential: 'bad-token' })).code, 401);
    assert.equal((await call('GET', '/api/v1/namespaces', { credential: 'token' })).json().kind, 'NamespaceList');
    assert.equal((await call('GET', '/api/v1/namespaces', { credential: 'cert' })).json().kind, 'NamespaceList');
  });

  it('serves plain HTTP without authentication only on the insecure address', async () => {
    const answer = await new Promise<number>((resolve, reject) => {
      httpRequest(new URL('/api/v1/namespaces', cluster.insecureUrl), (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    assert.equal(answer, 200);
  });

  it('answers aggregated discovery with its own Content-Type, plain discovery otherwise', async () => {
    const aggregated = await call('GET', '/apis', { headers: { accept: `${AGGREGATED_DISCOVERY_TYPE},application/json` } });
    assert.equal(aggregated.headers['content-type'], AGGREGATED_DISCOVERY_TYPE);
    assert.equal(aggregated.json().kind, 'APIGroupDiscoveryList');
    const plain = await call('GET', '/apis', { headers: { accept: 'application/json' } });
    assert.equal(plain.headers['content-type'], 'application/json');
    assert.equal(plain.json().kind, 'APIGroupList');
    assert.equal((await call('GET', '/apis/apps/v1')).json().kind, 'APIResourceList');
    assert.equal((await call('GET', '/apis/nothing.example/v1')).code, 404);
  });

  it('creates from YAML with 201, refuses a duplicate with a 409 Status, and deletes a held object with 202', async () => {
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\n  finalizers: [example.com/hold]\ndata:\n  a: "1"\n';
    const headers = { 'content-type': 'application/yaml' };
    const created = await call('POST', '/api/v1/namespaces/default/configmaps', { headers, body: yaml });
    assert.equal(created.code, 201, created.body);
    assert.equal(created.json().metadata.namespace, 'default');
    const again = await call('POST', '/api/v1/namespaces/default/configmaps', { headers, body: yaml });
    assert.deepEqual([again.code, again.json().reason], [409, 'AlreadyExists']);
    const marked = await call('DELETE', '/api/v1/namespaces/default/configmaps/from-yaml', {
      headers: { 'content-type': 'application/json' },
      body: '{"propagationPolicy":"Background"}',
    });
    assert.equal(marked.code, 202, marked.body);
    assert.ok(marked.json().metadata.deletionTimestamp);
  });

  it('applies server-side: 201 on create, 200 after, a YAML body, fieldManager required, 409 on a conflict, force wins', async () => {
    const path = '/api/v1/namespaces/default/configmaps/applied';
    const headers = { 'content-type': 'application/apply-patch+yaml' };
    const config = (value: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  k: "${value}"\n`;
    const anonymous = await call('PATCH', path, { headers, body: config('1') });
    assert.deepEqual([anonymous.code, anonymous.json().reason], [400, 'BadRequest']);
    assert.match(anonymous.json().message, /fieldManager is required for apply requests/);
    const created = await call('PATCH', `${path}?fieldManager=a`, { headers, body: config('1') });
    assert.equal(created.code, 201, created.body);
    assert.deepEqual(created.json().metadata.managedFields.map((m: { manager: string; operation: string }) => [m.manager, m.operation]), [['a', 'Apply']]);
    const same = await call('PATCH', `${path}?fieldManager=a`, { headers, body: config('1') });
    assert.equal(same.code, 200, same.body);
    assert.equal(same.json().metadata.resourceVersion, created.json().metadata.resourceVersion);
    const conflict = await call('PATCH', `${path}?fieldManager=b`, { headers, body: config('2') });
    assert.deepEqual([conflict.code, conflict.json().reason], [409, 'Conflict']);
    assert.equal(conflict.json().message, 'Apply failed with 1 conflict: conflict with "a": .data.k');
    assert.deepEqual(conflict.json().details.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "a"', field: '.data.k' }]);
    const forced = await call('PATCH', `${path}?fieldManager=b&force=true`, { headers, body: config('2') });
    assert.equal(forced.code, 200, forced.body);
    assert.deepEqual(forced.json().data, { k: '2' });
    const notApply = await call('PATCH', `${path}?force=true`, { headers: { 'content-type': 'application/merge-patch+json' }, body: '{}' });
    assert.equal(notApply.code, 400);
  });

  it('refuses media types not served with 415 and bodies over 3 MiB with 413', async () => {
    const patch = await call('PATCH', '/api/v1/namespaces/default/configmaps/x', {
      headers: { 'content-type': 'application/apply-patch+cbor' },
      body: '{}',
    });
    assert.deepEqual([patch.code, patch.json().reason], [415, 'UnsupportedMediaType']);
    // A protobuf envelope of a kind without a schema (here a Pod): 415; a broken one: 400.
    const pod = Buffer.concat([Buffer.from('k8s\0'), Buffer.from([0x0a, 0x09, 0x0a, 0x02]), Buffer.from('v1'), Buffer.from([0x12, 0x03]), Buffer.from('Pod')]);
    const protobuf = await call('POST', '/api/v1/namespaces/default/configmaps', { headers: { 'content-type': 'application/vnd.kubernetes.protobuf' }, body: pod });
    assert.deepEqual([protobuf.code, protobuf.json().reason], [415, 'UnsupportedMediaType']);
    const broken = await call('POST', '/api/v1/namespaces/default/configmaps', { headers: { 'content-type': 'application/vnd.kubernetes.protobuf' }, body: 'k8s\0\x0a\x09' });
    assert.deepEqual([broken.code, broken.json().reason], [400, 'BadRequest']);
    const huge = await call('POST', '/api/v1/namespaces/default/configmaps', {
      headers: { 'content-type': 'application/json' },
      body: Buffer.alloc(3 * 1024 * 1024 + 1, 0x20),
    });
    assert.deepEqual([huge.code, huge.json().reason], [413, 'RequestEntityTooLarge']);
  });

  it('serves /openapi/v3 and its documents by the URL the root gives, and no /openapi/v2', async () => {
    const root = await call('GET', '/openapi/v3');
    assert.equal(root.code, 200, root.body);
    const url: string = root.json().paths['apis/apps/v1'].serverRelativeURL;
    assert.match(url, /^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]+$/);
    const apps = await call('GET', url, { headers: { accept: 'application/json' } });
    assert.equal(apps.code, 200);
    assert.ok(apps.json().components.schemas['io.k8s.api.apps.v1.Deployment']);
    assert.equal((await call('GET', '/openapi/v3/apis/nope.example.com/v1')).code, 404);
    assert.equal((await call('GET', '/openapi/v2')).code, 404);
  });

  it('serves the scale subresource: GET, PUT (pinned by resourceVersion), PATCH; no other method', async () => {
    await cluster.client.create('deployments.apps', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'scaled', namespace: 'default' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'scaled' } },
        template: { metadata: { labels: { app: 'scaled' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
      },
    });
    const path = '/apis/apps/v1/namespaces/default/deployments/scaled/scale';
    const json = { 'content-type': 'application/json' };
    const got = await call('GET', path);
    assert.equal(got.code, 200, got.body);
    assert.deepEqual([got.json().kind, got.json().spec, got.json().status], ['Scale', { replicas: 1 }, { replicas: 0, selector: 'app=scaled' }]);
    const put = await call('PUT', path, { headers: json, body: JSON.stringify({ ...got.json(), spec: { replicas: 4 } }) });
    assert.deepEqual([put.code, put.json().spec.replicas], [200, 4]);
    const stale = await call('PUT', path, { headers: json, body: JSON.stringify({ ...got.json(), spec: { replicas: 5 } }) });
    assert.deepEqual([stale.code, stale.json().reason], [409, 'Conflict']);
    const patched = await call('PATCH', path, {
      headers: { 'content-type': 'application/json-patch+json' },
      body: JSON.stringify([{ op: 'replace', path: '/spec/replicas', value: 6 }]),
    });
    assert.deepEqual([patched.code, patched.json().spec.replicas], [200, 6]);
    const negative = await call('PATCH', path, { headers: { 'content-type': 'application/merge-patch+json' }, body: '{"spec":{"replicas":-1}}' });
    assert.deepEqual([negative.code, negative.json().reason], [422, 'Invalid']);
    assert.equal((await cluster.client.get('deployments.apps', 'default', 'scaled')).spec?.['replicas' as never], 6);
    assert.equal((await call('DELETE', path)).code, 405);
    assert.equal((await call('GET', '/api/v1/namespaces/default/configmaps/x/scale')).code, 404);
  });

  it('answers a Table for the Table Accept, with PartialObjectMetadata rows', async () => {
    const table = await call('GET', '/api/v1/namespaces?limit=500', {
      headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' },
    });
    assert.equal(table.headers['content-type'], 'application/json;as=Table;v=v1;g=meta.k8s.io');
    const body = table.json();
    assert.equal(body.kind, 'Table');
    assert.deepEqual(body.columnDefinitions.map((c: { name: string }) => c.name), ['Name', 'Status', 'Age']);
    assert.equal(body.rows[0].object.kind, 'PartialObjectMetadata');
    assert.ok(body.metadata.resourceVersion);
  });

  it('streams a watch as newline-delimited events, as one-row Tables when asked', async () => {
    const list = (await call('GET', '/api/v1/namespaces/default/configmaps')).json();
    const events: any[] = [];
    const opened = new Promise<IncomingMessage>((resolve, reject) => {
      const req = httpsRequest(
        new URL(`/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${list.metadata.resourceVersion}`, cluster.url),
        { ca: cluster.pki.caCert, cert: cluster.pki.adminCert, key: cluster.pki.adminKey, headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } },
        resolve,
      );
      req.on('error', reject);
      req.end();
    });
    const res = await opened; // headers arrive before any event
    assert.equal(res.statusCode, 200);
    const got = new Promise<void>((resolve) => {
      let buffered = '';
      res.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const parts = buffered.split('\n');
        buffered = parts.pop()!;
        for (const line of parts) events.push(JSON.parse(line));
        if (events.some((e) => e.type === 'ADDED')) resolve();
      });
    });
    await cluster.client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'watched', namespace: 'default' }, data: { a: '1' } });
    await got;
    res.destroy();
    const added = events.find((e) => e.type === 'ADDED');
    assert.equal(added.object.kind, 'Table');
    assert.deepEqual(added.object.rows[0].cells.slice(0, 2), ['watched', 1]);
  });
});

describe('the watch stream', { timeout: 30_000 }, () => {
  let face: HttpFace;
  let stopped = 0;
  let emit: ((event: WatchEvent) => void) | undefined;
  before(async () => {
    const pipeline: Pipeline = {
      handle: () => Promise.reject(new Error('not used')),
      watch: async (_request, send) => {
        emit = send;
        return { stop: () => void stopped++ };
      },
    };
    face = await startHttpFace({ address: '127.0.0.1:0', pipeline, logger: componentLogger('test') });
  });
  after(() => face?.close());

  it('flushes headers at once, writes each event as a line, and ends after an ERROR', async () => {
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      httpRequest(new URL('/api/v1/pods?watch=true', face.url), resolve).on('error', reject).end();
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['transfer-encoding'], 'chunked');
    let body = '';
    res.on('data', (c: Buffer) => (body += c.toString()));
    const ended = new Promise((resolve) => res.on('end', resolve));
    emit!({ type: 'ADDED', object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', resourceVersion: '5' } } });
    emit!({ type: 'ERROR', object: expired('too old resource version: 1 (5)').toStatus() });
    await ended;
    const lines = body.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => l.type), ['ADDED', 'ERROR']);
    assert.deepEqual([lines[1].object.kind, lines[1].object.code, lines[1].object.reason], ['Status', 410, 'Expired']);
    assert.equal(stopped, 1, 'the ERROR stopped the watch');
  });
});
