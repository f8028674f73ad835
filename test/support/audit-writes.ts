/**
 * For the audit tests: raw HTTPS calls to a test cluster with a bearer token (or none) and
 * a known user agent, a static token for a user without rights, and the set of writes
 * (allowed, 403, 422, 409, 401, delete) and reads those tests expect in AUDIT or not.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import type { HttpTestCluster } from './http-cluster.ts';

export const ALICE_TOKEN = 'alice-token-0123456789';
export const AUDIT_TEST_AGENT = 'audit-test/1.0';

export function call(cluster: HttpTestCluster, method: string, path: string, token: string | undefined, body?: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string | number> = { 'user-agent': AUDIT_TEST_AGENT, accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (payload) Object.assign(headers, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
    const req = httpsRequest(`${cluster.url}${path}`, { method, ca: cluster.pki.caCert, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export const configMap = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: 'v' } });

/** alice (group dev) exists in the static token file and is bound to nothing. */
export async function addAlice(cluster: HttpTestCluster): Promise<void> {
  await writeFile(join(cluster.dataDir, 'tokens.csv'), `${ALICE_TOKEN},alice,u-alice,"dev"\n`);
}

/** Six audited writes (201, 403, 422, 409, 401, delete 200) and two reads that are not. */
export async function makeAuditedWrites(cluster: HttpTestCluster): Promise<void> {
  const admin = cluster.pki.adminToken;
  const configMaps = '/api/v1/namespaces/default/configmaps';
  assert.equal((await call(cluster, 'POST', configMaps, admin, configMap('allowed'))).status, 201);
  assert.equal((await call(cluster, 'POST', configMaps, ALICE_TOKEN, configMap('by-alice'))).status, 403);
  assert.equal((await call(cluster, 'POST', configMaps, admin, configMap('Not_Valid'))).status, 422);
  assert.equal((await call(cluster, 'POST', configMaps, admin, configMap('allowed'))).status, 409);
  assert.equal((await call(cluster, 'POST', configMaps, 'wrong-token', configMap('no-one'))).status, 401);
  assert.equal((await call(cluster, 'GET', `${configMaps}/allowed`, admin)).status, 200);
  assert.equal((await call(cluster, 'GET', configMaps, ALICE_TOKEN)).status, 403);
  assert.equal((await call(cluster, 'DELETE', `${configMaps}/allowed`, admin)).status, 200);
}
