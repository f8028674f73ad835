/**
 * A real nats-server for one test file: a free port and a fresh temporary store dir,
 * removed again by stop(). Open (anonymous, no permissions) unless `secured`: then it
 * admits only jetkube's per-component users (src/natsd/users.ts), whose keys live in
 * the temporary dir's nats-credentials/.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNatsServer, type NatsServerProcess } from '../../src/natsd/server.ts';
import { ensureNatsCredentials, natsUrlAs } from '../../src/natsd/credentials.ts';
import type { NatsUser } from '../../src/natsd/users.ts';

export interface TestNats extends NatsServerProcess {
  /** Start again on the same port and store dir (after stop() or kill()). */
  restart(): Promise<TestNats>;
  /** Stop and delete the store dir. */
  dispose(): Promise<void>;
  /** Secured servers: where the users' seeds are (pass as connectNats' credentialsDir or $JETKUBE_NATS_CREDENTIALS). */
  readonly credentialsDir?: string;
  /** The URL that connects as `user` (secured servers; an open one ignores the user's key). */
  urlAs(user: NatsUser): string;
}

export interface TestNatsOptions {
  /** Per-component users and subject permissions, as `jetkube up` runs it. */
  secured?: boolean;
}

export async function startTestNats(options: TestNatsOptions = {}): Promise<TestNats> {
  if (!options.secured) {
    const storeDir = await mkdtemp(join(tmpdir(), 'jetkube-test-nats-'));
    return wrap(await startNatsServer({ storeDir }), storeDir);
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'jetkube-test-nats-secured-'));
  const { usersFile, credentialsDir } = await ensureNatsCredentials(dataDir);
  return wrap(await startNatsServer({ storeDir: join(dataDir, 'nats'), usersFile }), dataDir, { usersFile, credentialsDir });
}

function wrap(server: NatsServerProcess, ownDir: string, secured?: { usersFile: string; credentialsDir: string }): TestNats {
  return {
    ...server,
    ...(secured ? { credentialsDir: secured.credentialsDir } : {}),
    urlAs: (user) => natsUrlAs(server.url, user),
    async restart() {
      return wrap(await startNatsServer({ storeDir: server.storeDir, port: server.port, ...(secured ? { usersFile: secured.usersFile } : {}) }), ownDir, secured);
    },
    async dispose() {
      await server.stop();
      await rm(ownDir, { recursive: true, force: true });
    },
  };
}
