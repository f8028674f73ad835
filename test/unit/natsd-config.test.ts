/**
 * The NATS server configuration and the users' credentials: nats.conf is the rendering
 * of src/natsd/{config,users}.ts, every user's key is defined by the users file, keys are
 * made once and kept, and NATS URLs carry a user name (never a secret).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_USERS_INCLUDE, nkeyVariable, renderNatsConf, renderUsersFile } from '../../src/natsd/config.ts';
import { ensureNatsCredentials, natsUrlAs, seedFile, withDefaultNatsUser } from '../../src/natsd/credentials.ts';
import { NATS_CONF } from '../../src/natsd/server.ts';
import { NATS_USERS, permits, subjectMatches } from '../../src/natsd/users.ts';
import { splitNatsUrl, userPublicKeyFromSeed } from '../../streams/connection.ts';

describe('nats.conf', () => {
  it('is the committed rendering of src/natsd/config.ts and users.ts (regenerate: npx tsx scripts/render-nats-conf.ts)', async () => {
    assert.equal(await readFile(NATS_CONF, 'utf8'), renderNatsConf({ usersInclude: DEFAULT_USERS_INCLUDE }));
  });

  it('names every user by the variable the users file defines, after including it', () => {
    const conf = renderNatsConf({ usersInclude: 'nats-users.conf' });
    const included = conf.indexOf('include "nats-users.conf"');
    assert.ok(included > 0);
    const keys = Object.fromEntries(NATS_USERS.map((u, i) => [u, `UKEY${i}`])) as Record<(typeof NATS_USERS)[number], string>;
    const usersFile = renderUsersFile(keys);
    for (const user of NATS_USERS) {
      assert.ok(conf.indexOf(`nkey: $${nkeyVariable(user)}\n`) > included, user);
      assert.match(usersFile, new RegExp(`^${nkeyVariable(user)}: "${keys[user]}"$`, 'm'));
    }
    assert.equal(nkeyVariable('controller-manager'), 'CONTROLLER_MANAGER_NKEY');
  });

  it('renders an open server (for tests) with the same settings and no users', () => {
    const open = renderNatsConf();
    assert.doesNotMatch(open, /authorization|include/);
    assert.ok(renderNatsConf({ usersInclude: 'x.conf' }).startsWith(open));
    assert.match(open, /max_payload: 4MB/);
  });
});

describe('subject permissions', () => {
  it('matches subjects as nats-server does', () => {
    assert.ok(subjectMatches('registry.>', 'registry.pods._.x'));
    assert.ok(!subjectMatches('registry.>', 'registry'));
    assert.ok(subjectMatches('node.*.stream', 'node.n1.stream'));
    assert.ok(!subjectMatches('node.*.stream', 'node.n1.stream.x'));
    assert.ok(!subjectMatches('metrics.kubelet.*', 'metrics.kubelet'));
    assert.ok(subjectMatches('>', '$JS.API.INFO'));
  });

  it('lets only the API server and the admin write the log, and only they use JetStream', () => {
    for (const user of NATS_USERS) {
      const trusted = user === 'apiserver' || user === 'admin';
      assert.equal(permits(user, 'publish', 'registry.pods._.x'), trusted, user);
      assert.equal(permits(user, 'publish', '$JS.API.CONSUMER.CREATE.REGISTRY'), trusted, user);
      assert.equal(permits(user, 'publish', '$JS.API.DIRECT.GET.REGISTRY'), trusted, user);
      assert.equal(permits(user, 'subscribe', 'registry.secrets.default.s'), user === 'admin', user);
      assert.ok(permits(user, 'subscribe', `_INBOX.${user}.abc.1`), `${user} gets answers`);
      assert.equal(permits(user, 'subscribe', '_INBOX.controller-manager.abc.1'), trusted || user === 'controller-manager', `${user} reads the controller manager's answers`);
    }
  });

  it('gives each component what it uses', () => {
    assert.ok(permits('apiserver', 'subscribe', 'api.kubelet.get.pods'));
    assert.ok(permits('kubelet', 'publish', 'api.kubelet.update.pods'));
    for (const user of NATS_USERS.filter((u) => u !== 'admin')) {
      // Requests only under its own name: the API server takes the caller's identity from it.
      for (const other of [...NATS_USERS, '_']) assert.equal(permits(user, 'publish', `api.${other}.get.secrets`), other === user, `${user} as ${other}`);
    }
    assert.ok(permits('kubelet', 'publish', 'logs.default.web.main'));
    assert.ok(permits('kubelet', 'publish', 'metrics.kubelet.n1'));
    assert.ok(permits('kubelet', 'subscribe', 'node.n1.stream'));
    assert.ok(!permits('kubelet', 'subscribe', 'logs.default.web.main'));
    assert.ok(permits('controller-manager', 'publish', 'controllers.states.cm_1'));
    assert.ok(!permits('scheduler', 'publish', 'controllers.states.cm_1'));
    assert.ok(permits('apiserver', 'publish', 'node.n1.stream'));
    assert.ok(permits('apiserver', 'publish', 'audit.create.pods.default'));
    assert.ok(!permits('kubelet', 'publish', 'audit.create.pods.default'));
    assert.ok(permits('apiserver', 'subscribe', 'jetkube.snapshot.take'));
    assert.ok(permits('apiserver', 'subscribe', 'jetkube.encryption.rewrite'));
    assert.ok(!permits('apiserver', 'publish', 'jetkube.encryption.rewrite'), 'only the operator asks');
    assert.ok(!permits('scheduler', 'publish', 'node.n1.stream'));
  });
});

describe('NATS URLs and credentials', () => {
  it('takes the user from the URL and gives nats.js the servers without it', () => {
    assert.deepEqual(splitNatsUrl('nats://kubelet@127.0.0.1:4222, nats://kubelet@127.0.0.1:4223'), { servers: ['nats://127.0.0.1:4222', 'nats://127.0.0.1:4223'], user: 'kubelet' });
    assert.deepEqual(splitNatsUrl('nats://127.0.0.1:4222'), { servers: ['nats://127.0.0.1:4222'] });
    assert.deepEqual(splitNatsUrl('admin@127.0.0.1:4222'), { servers: ['127.0.0.1:4222'], user: 'admin' });
    assert.throws(() => splitNatsUrl('nats://kubelet:secret@127.0.0.1:4222'), /never a password/);
  });

  it('sets (or replaces) the user of every server', () => {
    assert.equal(natsUrlAs('nats://127.0.0.1:4222', 'scheduler'), 'nats://scheduler@127.0.0.1:4222');
    assert.equal(natsUrlAs('nats://admin@127.0.0.1:4222,nats://127.0.0.1:4223', 'dns'), 'nats://dns@127.0.0.1:4222,nats://dns@127.0.0.1:4223');
    assert.equal(natsUrlAs('127.0.0.1:4222', 'kube-proxy'), 'nats://kube-proxy@127.0.0.1:4222');
  });

  it('makes each user a key once, keeps it, and writes the users file from the seeds', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'jetkube-creds-'));
    try {
      const first = await ensureNatsCredentials(dataDir);
      assert.deepEqual(first.created, [...NATS_USERS]);
      const usersFile = await readFile(first.usersFile, 'utf8');
      for (const user of NATS_USERS) {
        const file = seedFile(first.credentialsDir, user);
        assert.equal((await stat(file)).mode & 0o777, 0o600, user);
        const seed = (await readFile(file, 'utf8')).trim();
        assert.match(seed, /^SU[A-Z0-9]+$/);
        assert.ok(usersFile.includes(`${nkeyVariable(user)}: "${userPublicKeyFromSeed(seed)}"`), user);
        assert.ok(!usersFile.includes(seed), 'no seed in the users file');
      }
      assert.equal((await stat(first.credentialsDir)).mode & 0o777, 0o700);
      await rm(seedFile(first.credentialsDir, 'dns'));
      const second = await ensureNatsCredentials(dataDir);
      assert.deepEqual(second.created, ['dns']);
      const rewritten = await readFile(second.usersFile, 'utf8');
      const kubeletLine = (text: string) => text.split('\n').find((l) => l.startsWith('KUBELET_NKEY'));
      assert.equal(kubeletLine(rewritten), kubeletLine(usersFile), 'existing keys are kept');
      assert.notEqual(rewritten.split('\n').find((l) => l.startsWith('DNS_NKEY')), usersFile.split('\n').find((l) => l.startsWith('DNS_NKEY')));

      assert.equal(withDefaultNatsUser('nats://127.0.0.1:4222', 'admin', first.credentialsDir), 'nats://admin@127.0.0.1:4222');
      assert.equal(withDefaultNatsUser('nats://kubelet@127.0.0.1:4222', 'admin', first.credentialsDir), 'nats://kubelet@127.0.0.1:4222');
      assert.equal(withDefaultNatsUser('nats://127.0.0.1:4222', 'admin', join(dataDir, 'elsewhere')), 'nats://127.0.0.1:4222');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
