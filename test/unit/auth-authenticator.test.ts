import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/object.ts';
import type { Pipeline } from '../../src/apiserver/pipeline.ts';
import { tokenIssuer } from '../../src/auth/service-account-token.ts';
import { clusterAuthenticator } from '../../src/http/auth.ts';
import type { Pki } from '../../src/http/pki.ts';

let dataDir: string;
let pki: Pki;
let privateKey: string;
const objects = new Map<string, KubeObject>();
const lookup = async (resource: string, namespace: string, name: string) => objects.get(`${resource}/${namespace}/${name}`);
const noPipeline = {} as Pipeline;

const request = (authorization?: string) => ({ socket: { encrypted: false }, headers: authorization ? { authorization } : {} }) as unknown as IncomingMessage;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'jetkube-authn-'));
  const { privateKey: key, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  privateKey = key.export({ type: 'pkcs8', format: 'pem' }).toString();
  pki = { dir: join(dataDir, 'pki'), adminToken: 'admin-secret', serviceAccountPub: publicKey.export({ type: 'spki', format: 'pem' }).toString() } as Pki;
  await writeFile(join(dataDir, 'tokens.csv'), 'static-1,ops,u1,"ops,viewers"\n');
  objects.set('serviceaccounts/team/robot', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot', namespace: 'team', uid: 'sa-1' } });
});

after(() => rm(dataDir, { recursive: true, force: true }));

async function saToken(uid: string, issuedAt = Math.floor(Date.now() / 1000)): Promise<string> {
  return (await tokenIssuer(privateKey)).sign({ namespace: 'team', serviceAccount: { name: 'robot', uid }, audiences: ['https://kubernetes.default.svc.cluster.local'], issuedAt, expiresAt: issuedAt + 600 });
}

describe('the HTTPS face authenticator', () => {
  it('knows the admin token, static tokens and ServiceAccount tokens', async () => {
    const authn = clusterAuthenticator(pki, noPipeline, { lookup });
    assert.deepEqual((await authn.identify!(request('Bearer admin-secret')))?.groups, ['system:masters', 'system:authenticated']);
    assert.deepEqual(await authn.identify!(request('Bearer static-1')), { user: 'ops', uid: 'u1', groups: ['ops', 'viewers', 'system:authenticated'] });
    const sa = await authn.identify!(request(`Bearer ${await saToken('sa-1')}`));
    assert.equal(sa?.user, 'system:serviceaccount:team:robot');
    assert.deepEqual(sa?.groups, ['system:serviceaccounts', 'system:serviceaccounts:team', 'system:authenticated']);
  });

  it('refuses a token for a ServiceAccount that was deleted and made again (another uid), an expired one, an unknown one', async () => {
    const authn = clusterAuthenticator(pki, noPipeline, { lookup });
    assert.equal(await authn.identify!(request(`Bearer ${await saToken('sa-old')}`)), undefined);
    assert.equal(await authn.identify!(request(`Bearer ${await saToken('sa-1', Math.floor(Date.now() / 1000) - 3600)}`)), undefined);
    assert.equal(await authn.identify!(request('Bearer nope')), undefined);
    assert.equal(authn.authenticate(request(`Bearer ${await saToken('sa-1')}`)), undefined, 'the synchronous path never accepts a JWT unchecked');
  });

  it('anonymous is off by default; on, it admits only requests without credentials', async () => {
    assert.equal(await clusterAuthenticator(pki, noPipeline, { lookup }).identify!(request()), undefined);
    const open = clusterAuthenticator(pki, noPipeline, { lookup, anonymous: true });
    assert.deepEqual(await open.identify!(request()), { user: 'system:anonymous', groups: ['system:unauthenticated'] });
    assert.equal(await open.identify!(request('Bearer wrong')), undefined, 'bad credentials stay a 401');
  });
});
