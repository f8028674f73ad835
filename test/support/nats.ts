/**
 * A real nats-server for one test file: a free port and a fresh temporary store dir,
 * removed again by stop().
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNatsServer, type NatsServerProcess } from '../../src/natsd/server.ts';

export interface TestNats extends NatsServerProcess {
  /** Start again on the same port and store dir (after stop() or kill()). */
  restart(): Promise<TestNats>;
  /** Stop and delete the store dir. */
  dispose(): Promise<void>;
}

export async function startTestNats(): Promise<TestNats> {
  const storeDir = await mkdtemp(join(tmpdir(), 'jetkube-test-nats-'));
  return wrap(await startNatsServer({ storeDir }));
}

function wrap(server: NatsServerProcess): TestNats {
  return {
    ...server,
    async restart() {
      return wrap(await startNatsServer({ storeDir: server.storeDir, port: server.port }));
    },
    async dispose() {
      await server.stop();
      await rm(server.storeDir, { recursive: true, force: true });
    },
  };
}
