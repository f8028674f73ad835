/**
 * The NATS users' keys of one data dir: an nkey pair per component user, made at the
 * first `jetkube up` (or `jetkube nats-credentials`) and kept. The seed (the secret) of
 * each user is `<data-dir>/nats-credentials/<user>.nk`, mode 0600 in a 0700 directory;
 * the public keys go to `<data-dir>/nats-users.conf`, which nats.conf includes. Nothing
 * secret is committed or written into a server configuration.
 *
 * A component names its user in the NATS URL (`nats://kubelet@127.0.0.1:4222`, see
 * natsUrlAs); connectNats then signs the server's challenge with that user's seed from
 * the credentials dir ($JETKUBE_NATS_CREDENTIALS, default ./data/nats-credentials).
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createUserKeyPair, credentialsDirFromEnv, splitNatsUrl, userPublicKeyFromSeed } from '../../streams/connection.ts';
import { renderUsersFile } from './config.ts';
import { NATS_USERS, type NatsUser } from './users.ts';

export const CREDENTIALS_DIR_NAME = 'nats-credentials';
export const USERS_FILE_NAME = 'nats-users.conf';

export function credentialsDirOf(dataDir: string): string {
  return join(resolve(dataDir), CREDENTIALS_DIR_NAME);
}

export function usersFileOf(dataDir: string): string {
  return join(resolve(dataDir), USERS_FILE_NAME);
}

export function seedFile(credentialsDir: string, user: string): string {
  return join(credentialsDir, `${user}.nk`);
}

export interface NatsCredentials {
  /** Where the seeds are (what JETKUBE_NATS_CREDENTIALS should name). */
  credentialsDir: string;
  /** The users file nats.conf includes. */
  usersFile: string;
  /** Users whose keys were made now (the others existed). */
  created: NatsUser[];
}

/**
 * Makes the keys that are missing and (re)writes the users file from the seeds, so the
 * two always agree. Existing seeds are kept: a running server keeps knowing its users.
 */
export async function ensureNatsCredentials(dataDir: string): Promise<NatsCredentials> {
  const credentialsDir = credentialsDirOf(dataDir);
  await mkdir(resolve(dataDir), { recursive: true });
  await mkdir(credentialsDir, { recursive: true, mode: 0o700 });
  await chmod(credentialsDir, 0o700);
  const publicKeys = {} as Record<NatsUser, string>;
  const created: NatsUser[] = [];
  for (const user of NATS_USERS) {
    const file = seedFile(credentialsDir, user);
    let seed = await readFile(file, 'utf8').then((s) => s.trim(), () => undefined);
    if (!seed) {
      const pair = createUserKeyPair();
      seed = pair.seed;
      await writeFile(file, `${seed}\n`, { mode: 0o600 });
      created.push(user);
    }
    publicKeys[user] = userPublicKeyFromSeed(seed);
  }
  const usersFile = usersFileOf(dataDir);
  await writeFile(usersFile, renderUsersFile(publicKeys), { mode: 0o644 });
  return { credentialsDir, usersFile, created };
}

/**
 * The URL with `user` as every server's user (`nats://user@host:port`): how a component
 * says which credentials it connects with. Replaces a user already there.
 */
export function natsUrlAs(url: string, user: NatsUser): string {
  return url
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((server) => {
      const parsed = new URL(server.includes('://') ? server : `nats://${server}`);
      parsed.username = user;
      parsed.password = '';
      return parsed.toString().replace(/\/$/, '');
    })
    .join(',');
}

/**
 * For commands a person types: the URL as given when it names a user; else as `user`
 * when this machine holds that user's seed (in $JETKUBE_NATS_CREDENTIALS or
 * ./data/nats-credentials); else anonymous, which only an open server admits.
 */
export function withDefaultNatsUser(url: string, user: NatsUser, credentialsDir = credentialsDirFromEnv()): string {
  if (splitNatsUrl(url).user !== undefined) return url;
  return existsSync(seedFile(credentialsDir, user)) ? natsUrlAs(url, user) : url;
}
