import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { dialUrl, parseHostPort } from '../../src/http/address.ts';
import { identityFromBearer, identityFromSubject } from '../../src/http/auth.ts';
import { renderKubeconfig } from '../../src/http/kubeconfig.ts';
import { certificateCovers, ensurePki, serverNames, subjectAltNames, type Pki } from '../../src/http/pki.ts';

describe('PKI (openssl)', () => {
  let dir: string;
  let pki: Pki;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jetkube-pki-'));
    pki = await ensurePki(join(dir, 'pki'), ['api.example.test']);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('makes a CA, a serving certificate for loopback and the configured names, and an admin client certificate', () => {
    const ca = new X509Certificate(pki.caCert);
    const server = new X509Certificate(pki.serverCert);
    const admin = new X509Certificate(pki.adminCert);
    assert.ok(ca.ca);
    assert.ok(server.verify(ca.publicKey));
    assert.ok(admin.verify(ca.publicKey));
    for (const ip of ['127.0.0.1', '::1']) assert.ok(server.checkIP(ip), ip);
    for (const host of ['localhost', 'api.example.test']) assert.ok(server.checkHost(host), host);
    assert.match(admin.subject, /CN=admin/);
    assert.match(admin.subject, /O=system:masters/);
    assert.match(pki.adminToken, /^[\w-]{40,}$/);
  });

  it('keeps private keys private and reuses everything on the next start', async () => {
    assert.equal((await stat(join(pki.dir, 'ca.key'))).mode & 0o777, 0o600);
    assert.equal((await stat(join(pki.dir, 'admin.token'))).mode & 0o777, 0o600);
    const again = await ensurePki(pki.dir, ['api.example.test']);
    assert.deepEqual(again, pki);
  });

  it('re-issues only the serving certificate when a new name is configured', async () => {
    const more = await ensurePki(pki.dir, ['api.example.test', '10.1.2.3']);
    assert.equal(more.caCert, pki.caCert);
    assert.equal(more.adminCert, pki.adminCert);
    assert.notEqual(more.serverCert, pki.serverCert);
    assert.ok(new X509Certificate(more.serverCert).checkIP('10.1.2.3'));
    pki = more;
  });

  it('certificateCovers checks names and remaining validity', () => {
    assert.equal(certificateCovers(pki.serverCert, ['localhost'], new Date()), true);
    assert.equal(certificateCovers(pki.serverCert, ['elsewhere.test'], new Date()), false);
    assert.equal(certificateCovers(pki.serverCert, ['localhost'], new Date(Date.now() + 900 * 86400_000)), false);
    assert.equal(certificateCovers('not a certificate', ['localhost'], new Date()), false);
  });

  it('writes a kubeconfig with the CA and the admin credential', async () => {
    const text = renderKubeconfig({ server: 'https://127.0.0.1:6443', caCert: pki.caCert, clientCert: pki.adminCert, clientKey: pki.adminKey });
    const config = parse(text);
    assert.equal(config.kind, 'Config');
    assert.equal(config.clusters[0].cluster.server, 'https://127.0.0.1:6443');
    assert.equal(Buffer.from(config.clusters[0].cluster['certificate-authority-data'], 'base64').toString(), pki.caCert);
    assert.equal(Buffer.from(config.users[0].user['client-key-data'], 'base64').toString(), await readFile(join(pki.dir, 'admin.key'), 'utf8'));
    assert.equal(config['current-context'], config.contexts[0].name);
  });
});

describe('names, addresses and identities', () => {
  it('serverNames adds the configured names to the loopback ones', () => {
    assert.deepEqual(serverNames(['[::1]', 'example.test', '0.0.0.0']), ['127.0.0.1', 'localhost', '::1', 'example.test']);
    assert.equal(subjectAltNames(['127.0.0.1', 'localhost']), 'IP:127.0.0.1,DNS:localhost');
  });

  it('parses HOST:PORT and dials wildcard binds on loopback', () => {
    assert.deepEqual(parseHostPort('127.0.0.1:6443'), { host: '127.0.0.1', port: 6443 });
    assert.deepEqual(parseHostPort('[::1]:0'), { host: '::1', port: 0 });
    assert.deepEqual(parseHostPort(':6443'), { host: '0.0.0.0', port: 6443 });
    assert.throws(() => parseHostPort('6443'));
    assert.throws(() => parseHostPort('host:99999'));
    assert.equal(dialUrl('https', { host: '0.0.0.0', port: 6443 }), 'https://127.0.0.1:6443');
    assert.equal(dialUrl('https', { host: '::1', port: 6443 }), 'https://[::1]:6443');
  });

  it('accepts the admin certificate subject and the admin token, nothing else', () => {
    assert.deepEqual(identityFromSubject({ CN: 'admin', O: 'system:masters' })?.user, 'admin');
    assert.equal(identityFromSubject({ CN: 'admin', O: ['devs'] }), undefined);
    assert.equal(identityFromSubject({ CN: 'bob', O: 'system:masters' }), undefined);
    assert.equal(identityFromBearer('Bearer s3cret', 's3cret')?.user, 'admin');
    assert.equal(identityFromBearer('Bearer wrong', 's3cret'), undefined);
    assert.equal(identityFromBearer('Basic s3cret', 's3cret'), undefined);
    assert.equal(identityFromBearer(undefined, 's3cret'), undefined);
  });
});
