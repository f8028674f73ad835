/**
 * The cluster as `jetkube up` runs it on a secured nats-server: the supervisor connects
 * every component as its own NATS user (API server, controller manager, scheduler, a
 * process kubelet and simulated kubelets), and a Deployment still reaches ready pods, a
 * kubelet still ships container output to LOGS and serves exec sessions, and the server
 * log shows not one permission violation: the permission table covers what the
 * components really do.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createActor, waitFor, type Actor, type AnyActorRef } from 'xstate';
import { supervisorMachine } from '../../actors/supervisor.machine.ts';
import { ApiClient } from '../../src/client/api-client.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { ensureNatsCredentials, natsUrlAs } from '../../src/natsd/credentials.ts';
import { startNatsServer, type NatsServerProcess } from '../../src/natsd/server.ts';
import { connectNats, drainNats, type NatsConnection } from '../../streams/connection.ts';
import { logSubject, LOGS_STREAM } from '../../streams/logs-stream.ts';
import { openNodeStream } from '../../streams/node-stream.ts';
import { eventually } from '../support/cluster.ts';

const PROCESS_NODE = 'secured-proc';

describe('a cluster whose components each connect as their own NATS user', () => {
  let dataDir: string;
  let nats: NatsServerProcess;
  let supervisor: Actor<typeof supervisorMachine>;
  let admin: ApiClient;
  let apiserverConnection: NatsConnection;
  const serverLog = () => readFile(join(dataDir, 'nats-server.log'), 'utf8');

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'jetkube-secured-'));
    const { credentialsDir, usersFile } = await ensureNatsCredentials(dataDir);
    // What `jetkube up` does: components find their seeds through the environment.
    process.env.JETKUBE_NATS_CREDENTIALS = credentialsDir;
    nats = await startNatsServer({ storeDir: join(dataDir, 'nats'), usersFile, logFile: join(dataDir, 'nats-server.log') });
    supervisor = createActor(supervisorMachine, {
      input: {
        natsUrl: nats.url,
        natsUsers: true,
        nodes: [{ nodeName: PROCESS_NODE, podCIDR: '127.150.0.0/16', rootDir: join(dataDir, 'kubelet', PROCESS_NODE) }],
        simulatedNodes: [{ nodeName: 'secured-sim-1', podCIDR: '10.250.0.0/24', rootDir: join(dataDir, 'kubelet', 'simulated') }],
        dns: false,
        kubeProxy: false,
        ingress: false,
      },
    });
    supervisor.start();
    await waitFor(supervisor.system.get('apiserver-0') as AnyActorRef, (s) => s.matches({ online: 'serving' }), { timeout: 30_000 });
    admin = await ApiClient.connect(natsUrlAs(nats.url, 'admin'), 'test-admin', { timeoutMs: 10_000 });
    apiserverConnection = await connectNats(natsUrlAs(nats.url, 'apiserver'), 'test-apiserver-face');
    await eventually(async () => ((await admin.list('nodes')).items.length === 2 ? true : undefined), 30_000, 'both nodes registered');
  });

  after(async () => {
    await admin?.close();
    if (apiserverConnection) await drainNats(apiserverConnection);
    if (supervisor) {
      supervisor.send({ type: 'stop' });
      await waitFor(supervisor, (s) => s.status === 'done', { timeout: 30_000 });
    }
    await nats?.stop();
    delete process.env.JETKUBE_NATS_CREDENTIALS;
    await rm(dataDir, { recursive: true, force: true });
  });

  it('runs a Deployment to ready pods', async () => {
    await admin.create('deployments.apps', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { nodeSelector: { 'kubernetes.io/hostname': 'secured-sim-1' }, containers: [{ name: 'web', image: 'nginx' }] },
        },
      },
    });
    const ready = await eventually(async () => {
      const d = await admin.get('deployments.apps', 'default', 'web');
      return (d.status as { readyReplicas?: number } | undefined)?.readyReplicas === 3 ? d : undefined;
    }, 30_000, 'three ready replicas');
    assert.equal((ready.status as { replicas: number }).replicas, 3);
    const pods = (await admin.list('pods', 'default', { labelSelector: 'app=web' })).items;
    assert.equal(pods.length, 3);
    assert.ok(pods.every((p) => p.spec && (p.spec as { nodeName?: string }).nodeName === 'secured-sim-1'), 'bound by the scheduler');
  });

  it('lets a kubelet ship container output into LOGS and serve an exec session', async () => {
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'talker', namespace: 'default' },
      spec: { nodeName: PROCESS_NODE, terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'echo said-by-talker; sleep 3600'] }] },
    };
    await admin.create('pods', pod);
    const running = await eventually(async () => {
      const p = await admin.get('pods', 'default', 'talker');
      return (p.status as { phase?: string } | undefined)?.phase === 'Running' ? p : undefined;
    }, 30_000, 'talker Running');

    const jsm = await admin.nc.jetstreamManager();
    const line = await eventually(
      () => jsm.streams.getMessage(LOGS_STREAM, { last_by_subj: logSubject('default', 'talker', 'main') }).catch(() => undefined),
      10_000,
      'the container line in LOGS',
    );
    assert.equal(new TextDecoder().decode(line.data), 'said-by-talker');

    // The API server's side of kubectl exec, on its own user's connection.
    const frames: Uint8Array[] = [];
    const ended = new Promise<void>((resolveEnd) => {
      void openNodeStream(
        apiserverConnection,
        PROCESS_NODE,
        { kind: 'exec', namespace: 'default', pod: 'talker', uid: running.metadata.uid!, container: 'main', command: ['sh', '-c', 'echo from-exec'], stdin: false, stdout: true, stderr: true, tty: false },
        (frame) => {
          frames.push(frame);
          if (frame[0] === 3) resolveEnd();
        },
      );
    });
    await ended;
    const stdout = frames.filter((f) => f[0] === 1).map((f) => new TextDecoder().decode(f.subarray(1))).join('');
    assert.equal(stdout.trim(), 'from-exec');
  });

  it('logged no permission violation on the server', async () => {
    const violations = (await serverLog()).split('\n').filter((l) => /violation/i.test(l));
    assert.deepEqual(violations, []);
    assert.match(await serverLog(), /Server is ready/, 'the log is the server\'s');
  });
});
