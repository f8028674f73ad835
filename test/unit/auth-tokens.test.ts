import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { tokenIssuer, tokenVerifier, looksLikeJwt } from '../../src/auth/service-account-token.ts';
import { parseTokenFile } from '../../src/auth/token-file.ts';
import { userFromSubject } from '../../src/http/auth.ts';

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), pub: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

const claims = (issuedAt: number) => ({
  namespace: 'team',
  serviceAccount: { name: 'robot', uid: 'sa-uid' },
  pod: { name: 'p', uid: 'pod-uid' },
  audiences: ['https://kubernetes.default.svc.cluster.local'],
  issuedAt,
  expiresAt: issuedAt + 600,
});

describe('static token file', () => {
  it('reads token,user,uid,"groups" lines, skipping comments and blanks', () => {
    const tokens = parseTokenFile('# tokens\nabc,dev,u1,"developers,qa"\n\nxyz,ops,u2\n');
    assert.deepEqual(tokens.get('abc'), { name: 'dev', uid: 'u1', groups: ['developers', 'qa'] });
    assert.deepEqual(tokens.get('xyz'), { name: 'ops', uid: 'u2', groups: [] });
    assert.equal(tokens.size, 2);
  });

  it('refuses a malformed line rather than skip it', () => {
    assert.throws(() => parseTokenFile('only-a-token\n'), /line 1/);
  });
});

describe('ServiceAccount tokens (jose)', () => {
  it('verifies a token it signed, with its claims', async () => {
    const { key, pub } = keyPair();
    const now = Math.floor(Date.now() / 1000);
    const token = await (await tokenIssuer(key)).sign(claims(now));
    assert.ok(looksLikeJwt(token));
    const verified = await (await tokenVerifier(pub)).verify(token, new Date(now * 1000 + 1000));
    assert.equal(verified?.serviceAccount.uid, 'sa-uid');
    assert.equal(verified?.pod?.uid, 'pod-uid');
  });

  it('refuses an expired token, one signed by another key, and garbage', async () => {
    const { key, pub } = keyPair();
    const other = keyPair();
    const now = Math.floor(Date.now() / 1000);
    const token = await (await tokenIssuer(key)).sign(claims(now));
    const verifier = await tokenVerifier(pub);
    assert.equal(await verifier.verify(token, new Date((now + 601) * 1000)), undefined, 'expired');
    const forged = await (await tokenIssuer(other.key)).sign(claims(now));
    assert.equal(await verifier.verify(forged, new Date(now * 1000)), undefined, 'another key');
    assert.equal(await verifier.verify('a.b.c', new Date()), undefined);
  });

  it('refuses a token for another audience', async () => {
    const { key, pub } = keyPair();
    const now = Math.floor(Date.now() / 1000);
    const token = await (await tokenIssuer(key)).sign({ ...claims(now), audiences: ['vault'] });
    assert.equal(await (await tokenVerifier(pub)).verify(token, new Date(now * 1000)), undefined);
  });
});

describe('client certificate subjects', () => {
  it('any user: CN is the name, every O a group, plus system:authenticated', () => {
    assert.deepEqual(userFromSubject({ CN: 'dev', O: ['developers', 'qa'] }), { user: 'dev', groups: ['developers', 'qa', 'system:authenticated'] });
    assert.deepEqual(userFromSubject({ CN: 'solo' }), { user: 'solo', groups: ['system:authenticated'] });
    assert.equal(userFromSubject({ O: 'x' }), undefined);
  });
});
