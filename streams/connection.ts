/**
 * The one way jetkube connects to NATS. A component's connection is named (it shows in
 * the server's connz), retries its first connect a few times and then reconnects
 * forever: a restarted nats-server must never kill a component, only pause it. JetStream
 * consumers in this folder re-establish themselves after a reconnect.
 *
 * Credentials: a URL naming a user (`nats://kubelet@127.0.0.1:4222`) connects as that
 * user, signing the server's challenge with the user's nkey seed read from the
 * credentials dir (option credentialsDir, else $JETKUBE_NATS_CREDENTIALS, else
 * ./data/nats-credentials; see src/natsd/credentials.ts). A URL without a user connects
 * anonymously, which a secured server refuses.
 *
 * This folder is the only one that imports `nats`; the types others need pass through here.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { logConnectionStatus } from './connection-status-log.ts';
import { connect, createInbox, nkeyAuthenticator, nkeys, type ConnectionOptions, type NatsConnection } from 'nats';

export type { NatsConnection, ConnectionOptions };
export type { Msg, Subscription, Status as NatsStatus } from 'nats';

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

/** Where seeds are looked up when neither the caller nor the environment says. */
export const DEFAULT_CREDENTIALS_DIR = 'data/nats-credentials';

export interface CredentialOptions {
  /** The directory holding `<user>.nk` seed files (default $JETKUBE_NATS_CREDENTIALS or ./data/nats-credentials). */
  credentialsDir?: string;
}

export async function connectNats(
  url: string,
  name: string,
  options: Partial<ConnectionOptions> & CredentialOptions = {},
): Promise<NatsConnection> {
  const { credentialsDir, ...natsOptions } = options;
  const { servers, user } = splitNatsUrl(url);
  const authenticator = user ? nkeyAuthenticator(readSeed(user, credentialsDir)) : undefined;
  const nc = await connect({
    servers,
    // A user's answers arrive under its own inbox prefix, so that its subscribe
    // permission can be narrowed to `_INBOX.<user>.>` (src/natsd/users.ts).
    ...(authenticator ? { authenticator, inboxPrefix: `_INBOX.${user}` } : {}),
    name,
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    reconnectJitter: 100,
    pingInterval: 10_000,
    maxPingOut: 3,
    waitOnFirstConnect: false,
    timeout: 5_000,
    // Async traces cost an Error (a stack capture) per request and per publish: ~10% of
    // the API server's CPU under load, for nicer stacks on timeouts we translate anyway.
    noAsyncTraces: true,
    ...natsOptions,
  });
  logConnectionStatus(nc, name);
  return nc;
}

/**
 * A fresh inbox under the connection's prefix (`_INBOX.<user>.` for a named user):
 * what an explicitly created inbox (a watch's events, an exec session's frames) should
 * use, as nats.js does for request replies.
 */
export function inboxFor(nc: NatsConnection): string {
  return createInbox((nc as unknown as { options?: { inboxPrefix?: string } }).options?.inboxPrefix);
}

/** The servers without user info, and the user the URL names (the first one named). */
export function splitNatsUrl(url: string): { servers: string[]; user?: string } {
  let user: string | undefined;
  const servers = url
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((server) => {
      const at = server.lastIndexOf('@');
      if (at < 0) return server;
      const scheme = server.indexOf('://');
      const userInfo = server.slice(scheme < 0 ? 0 : scheme + 3, at);
      if (userInfo.includes(':')) throw new Error(`a NATS URL names a user, never a password (the secret is the user's seed file): ${server.slice(at)}`);
      user ??= decodeURIComponent(userInfo);
      return (scheme < 0 ? '' : server.slice(0, scheme + 3)) + server.slice(at + 1);
    });
  return user === undefined ? { servers } : { servers, user };
}

export function credentialsDirFromEnv(): string {
  return resolve(process.env.JETKUBE_NATS_CREDENTIALS || DEFAULT_CREDENTIALS_DIR);
}

function readSeed(user: string, credentialsDir = credentialsDirFromEnv()): Uint8Array {
  if (!/^[a-z0-9-]+$/.test(user)) throw new Error(`not a jetkube NATS user: ${JSON.stringify(user)}`);
  const file = join(credentialsDir, `${user}.nk`);
  try {
    return new TextEncoder().encode(readFileSync(file, 'utf8').trim());
  } catch (error) {
    throw new Error(
      `no NATS credentials for user ${user} (${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}): ` +
        'run `jetkube up` or `jetkube nats-credentials` with this data dir, or point JETKUBE_NATS_CREDENTIALS at its nats-credentials directory',
    );
  }
}

/** A new user nkey pair (seed and public key as text), for src/natsd/credentials.ts. */
export function createUserKeyPair(): { seed: string; publicKey: string } {
  const pair = nkeys.createUser();
  return { seed: new TextDecoder().decode(pair.getSeed()), publicKey: pair.getPublicKey() };
}

/** The public key of a user seed; throws when the seed is not one. */
export function userPublicKeyFromSeed(seed: string): string {
  const publicKey = nkeys.fromSeed(new TextEncoder().encode(seed)).getPublicKey();
  if (!publicKey.startsWith('U')) throw new Error('not a user nkey seed');
  return publicKey;
}

/** Drain (finish in-flight work, then close); closing an already closed connection is fine. */
export async function drainNats(nc: NatsConnection): Promise<void> {
  if (nc.isClosed()) return;
  try {
    await nc.drain();
  } catch (error) {
    if (!nc.isClosed()) await nc.close();
    else if (!isClosedError(error)) throw error;
  }
}

export async function closeNats(nc: NatsConnection): Promise<void> {
  if (!nc.isClosed()) await nc.close();
}

function isClosedError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'CONNECTION_CLOSED';
}
