/**
 * Per-component NATS users on a real nats-server (src/natsd/users.ts rendered into the
 * server's configuration): the server itself refuses what a user may not do. A kubelet
 * can neither append to the registry log nor read it (core subscription, consumer,
 * direct get); the API server can; nobody connects without a key the server knows.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectNats, createUserKeyPair, drainNats, type NatsConnection, type NatsStatus } from '../../streams/connection.ts';
import { ensureRegistryStream } from '../../streams/registry-stream.ts';
import { registrySubject } from '../../streams/subjects.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import type { NatsUser } from '../../src/natsd/users.ts';

const SECRET_SUBJECT = registrySubject({ resource: 'secrets', namespace: 'default', name: 'db-password' });
const POD_SUBJECT = registrySubject({ resource: 'pods', namespace: '', name: 'x' });

interface PermissionError {
  code?: string;
  message?: string;
}

/** The next permission violation the server reports on this connection (publishes fail asynchronously). */
async function nextViolation(nc: NatsConnection, timeoutMs = 5_000): Promise<NatsStatus & { permissionContext?: { operation: string; subject: string } }> {
  const statuses = nc.status();
  const timer = setTimeout(() => (statuses as unknown as { stop(): void }).stop(), timeoutMs);
  try {
    for await (const status of statuses) {
      if (status.type === 'error' && status.data === 'PERMISSIONS_VIOLATION') return status as NatsStatus & { permissionContext?: { operation: string; subject: string } };
    }
  } finally {
    clearTimeout(timer);
  }
  throw new Error('no permissions violation reported');
}

describe('NATS per-component users and subject permissions', () => {
  let nats: TestNats;
  const open: NatsConnection[] = [];
  const connectAs = async (user: NatsUser) => {
    const nc = await connectNats(nats.urlAs(user), `test-${user}`, { credentialsDir: nats.credentialsDir!, maxReconnectAttempts: 0 });
    open.push(nc);
    return nc;
  };

  before(async () => {
    nats = await startTestNats({ secured: true });
    const apiserver = await connectAs('apiserver');
    await ensureRegistryStream(apiserver);
    const js = apiserver.jetstream();
    await js.publish(SECRET_SUBJECT, new TextEncoder().encode('sealed'));
  });

  after(async () => {
    for (const nc of open) await drainNats(nc).catch(() => {});
    await nats.dispose();
  });

  it('refuses a kubelet publishing to the registry, and nothing reaches the log', async () => {
    const kubelet = await connectAs('kubelet');
    const violation = nextViolation(kubelet);
    kubelet.publish(POD_SUBJECT, new TextEncoder().encode('forged'));
    const reported = await violation;
    assert.equal(reported.permissionContext?.operation, 'publish');
    assert.equal(reported.permissionContext?.subject, POD_SUBJECT);

    // A JetStream publish (a request on the subject) fails with the server's error.
    await assert.rejects(kubelet.jetstream().publish(POD_SUBJECT, new TextEncoder().encode('forged'), { timeout: 2_000 }), (error: PermissionError) => {
      assert.equal(error.code, 'PERMISSIONS_VIOLATION');
      assert.match(error.message ?? '', /Permissions Violation for Publish to "registry\.pods\._\.x"/);
      return true;
    });
    const jsm = await (await connectAs('admin')).jetstreamManager();
    await assert.rejects(jsm.streams.getMessage('REGISTRY', { last_by_subj: POD_SUBJECT }), /no message found/);
  });

  it('refuses a kubelet reading a Secret from the log: core subscription, consumer, direct get', async () => {
    const kubelet = await connectAs('kubelet');
    const drained = async (subject: string) => {
      for await (const _ of kubelet.subscribe(subject)) assert.fail('a kubelet received a registry message');
    };
    await assert.rejects(drained(SECRET_SUBJECT), /Permissions Violation for Subscription to "registry\.secrets\.default\.db-password"/);
    await assert.rejects(drained('registry.>'), /Permissions Violation for Subscription to "registry\.>"/);
    await assert.rejects(drained('>'), /Permissions Violation for Subscription to ">"/);

    // The JetStream API is closed to it: no manager, no consumer, no message get.
    await assert.rejects(
      kubelet.request(`$JS.API.CONSUMER.CREATE.REGISTRY`, new TextEncoder().encode(JSON.stringify({ stream_name: 'REGISTRY', config: { filter_subject: SECRET_SUBJECT } })), { timeout: 2_000 }),
      (error: PermissionError) => error.code === 'PERMISSIONS_VIOLATION',
    );
    await assert.rejects(
      kubelet.request(`$JS.API.DIRECT.GET.REGISTRY`, new TextEncoder().encode(JSON.stringify({ last_by_subj: SECRET_SUBJECT })), { timeout: 2_000 }),
      (error: PermissionError) => error.code === 'PERMISSIONS_VIOLATION',
    );
    await assert.rejects(
      kubelet.request(`$JS.API.STREAM.MSG.GET.REGISTRY`, new TextEncoder().encode(JSON.stringify({ last_by_subj: SECRET_SUBJECT })), { timeout: 2_000 }),
      (error: PermissionError) => error.code === 'PERMISSIONS_VIOLATION',
    );
    // Nor may it read the answers others get (a controller manager's list of Secrets).
    await assert.rejects(drained('_INBOX.>'), /Permissions Violation for Subscription to "_INBOX\.>"/);
    await assert.rejects(drained('_INBOX.controller-manager.>'), /Permissions Violation/);
    assert.equal(kubelet.isClosed(), false, 'a refused operation does not cost the connection');
  });

  it('lets the API server append to and read the log', async () => {
    const apiserver = await connectAs('apiserver');
    const js = apiserver.jetstream();
    const ack = await js.publish(POD_SUBJECT, new TextEncoder().encode('real'));
    assert.equal(ack.stream, 'REGISTRY');
    const jsm = await apiserver.jetstreamManager();
    const secret = await jsm.streams.getMessage('REGISTRY', { last_by_subj: SECRET_SUBJECT });
    assert.equal(new TextDecoder().decode(secret.data), 'sealed');
    const consumer = await js.consumers.get('REGISTRY', { filterSubjects: SECRET_SUBJECT });
    const first = await consumer.next({ expires: 2_000 });
    assert.equal(first?.subject, SECRET_SUBJECT);
  });

  it('keeps the other components off the log too, while they may use the API face', async () => {
    for (const user of ['controller-manager', 'scheduler', 'kube-proxy', 'dns', 'ingress'] as const) {
      const nc = await connectAs(user);
      await assert.rejects(nc.jetstream().publish(POD_SUBJECT, new Uint8Array(1), { timeout: 2_000 }), (e: PermissionError) => e.code === 'PERMISSIONS_VIOLATION', user);
      // An API request under its own name is let through: with no API server here nobody answers, which is a 503, not a violation.
      await assert.rejects(nc.request(`api.${user}.get.pods`, new Uint8Array(0), { timeout: 2_000 }), (e: PermissionError) => e.code === '503', user);
      // Under another's name (the admin's, or the trusted `_` of an open server) it is refused by the server.
      for (const forged of ['admin', 'apiserver', '_']) {
        await assert.rejects(nc.request(`api.${forged}.get.secrets`, new Uint8Array(0), { timeout: 2_000 }), (e: PermissionError) => e.code === 'PERMISSIONS_VIOLATION', `${user} as ${forged}`);
      }
    }
  });

  it('admits nobody without a key it knows', async () => {
    await assert.rejects(connectNats(nats.url, 'anonymous', { maxReconnectAttempts: 0 }), (e: PermissionError) => e.code === 'AUTHORIZATION_VIOLATION');
    const strangerDir = await mkdtemp(join(tmpdir(), 'jetkube-stranger-'));
    try {
      await writeFile(join(strangerDir, 'kubelet.nk'), createUserKeyPair().seed);
      await assert.rejects(connectNats(nats.urlAs('kubelet'), 'stranger', { credentialsDir: strangerDir, maxReconnectAttempts: 0 }), (e: PermissionError) => e.code === 'AUTHORIZATION_VIOLATION');
    } finally {
      await rm(strangerDir, { recursive: true, force: true });
    }
    await assert.rejects(connectNats(nats.urlAs('kubelet'), 'no-seed', { credentialsDir: join(tmpdir(), 'jetkube-no-such-dir') }), /no NATS credentials for user kubelet/);
  });
});
