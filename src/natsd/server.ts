/**
 * Starts and stops a local nats-server process from the project's configuration (the
 * text of nats.conf, rendered by src/natsd/config.ts). Used by `jetkube up` (when nothing
 * answers on the NATS URL) and by every test that needs a real server: each gets its own
 * port and store dir, so runs never share state. With a users file the server is secured
 * (one user per component, src/natsd/users.ts); without one it is open, for tests that
 * do not exercise permissions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, connect as tcpConnect } from 'node:net';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderNatsConf } from './config.ts';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const NATS_CONF = join(PROJECT_ROOT, 'nats.conf');

export interface NatsServerProcess {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  readonly process: ChildProcess;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit: a crash, for fault tests. */
  kill(): Promise<void>;
}

/** Debian installs nats-server into /usr/sbin, which is not on every user's PATH. */
export function natsServerBinary(): string {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/local/sbin', '/usr/bin'])) {
    const candidate = join(dir, 'nats-server');
    if (dir && existsSync(candidate)) return candidate;
  }
  throw new Error('nats-server not found: install it with `apt-get install nats-server` (npm start and npm test do this)');
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** True when something accepts TCP connections at host:port. */
export function isListening(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolveOpen) => {
    const socket = tcpConnect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolveOpen(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface StartOptions {
  port?: number;
  storeDir: string;
  /** Where the server's own log goes; default: discarded. */
  logFile?: string;
  /**
   * Own process group, so a Ctrl-C in the terminal reaches only the parent, which then
   * drains its components before it stops the server.
   */
  detached?: boolean;
  /**
   * The users file of a data dir (src/natsd/credentials.ts ensureNatsCredentials): the
   * server then admits only those users, with their permissions. The configuration is
   * written beside it as nats-server.conf (an include is resolved relative to the file
   * that includes it). Without it the server is open and its configuration goes into
   * the store dir.
   */
  usersFile?: string;
  /** Join a NATS cluster (src/natsd/cluster.ts): the cluster's name, this server's, its route port and every server's route URL. */
  cluster?: NatsClusterMembership;
}

export interface NatsClusterMembership {
  name: string;
  serverName: string;
  routePort: number;
  routes: string[];
}

/** Writes the configuration this start needs and returns its path. */
async function writeConfig(options: StartOptions): Promise<string> {
  if (options.usersFile) {
    const file = join(dirname(resolve(options.usersFile)), 'nats-server.conf');
    await writeFile(file, renderNatsConf({ usersInclude: basename(options.usersFile) }));
    return file;
  }
  const file = join(options.storeDir, 'nats-server.conf');
  await writeFile(file, renderNatsConf());
  return file;
}

export async function startNatsServer(options: StartOptions): Promise<NatsServerProcess> {
  const port = options.port ?? (await freePort());
  await mkdir(options.storeDir, { recursive: true });
  const args = ['-c', await writeConfig(options), '-a', '127.0.0.1', '-p', String(port), '-sd', options.storeDir];
  if (options.logFile) args.push('-l', options.logFile);
  const cluster = options.cluster;
  if (cluster) args.push('--cluster_name', cluster.name, '-n', cluster.serverName, '--cluster', `nats://127.0.0.1:${cluster.routePort}`, '--routes', cluster.routes.join(','));
  const child = spawn(natsServerBinary(), args, { stdio: ['ignore', 'ignore', 'pipe'], detached: options.detached ?? false });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const deadline = Date.now() + 15_000;
  while (!(await isListening('127.0.0.1', port, 200))) {
    if (child.exitCode !== null) throw new Error(`nats-server exited with ${child.exitCode}: ${stderr.trim()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nats-server did not listen on port ${port} within 15 s: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited;
  };
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir: options.storeDir,
    process: child,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
  };
}
