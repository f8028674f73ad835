/**
 * Flag parsing shared by the commands (node's util.parseArgs, no dependency): the common
 * flags, and the NATS URL every command that talks to a cluster needs.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DEFAULT_NATS_URL } from '../../streams/connection.ts';
import { withDefaultNatsUser } from '../natsd/credentials.ts';
import type { NatsUser } from '../natsd/users.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;

export const NATS_FLAG = { 'nats-url': { type: 'string' } } as const satisfies Options;

export function parseFlags<O extends Options>(args: string[], options: O, help: string) {
  const parsed = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(help);
    process.exit(0);
  }
  return parsed;
}

/**
 * --nats-url, $NATS_URL or the local default; connecting as `user` (default the admin)
 * when the URL names no user and this machine holds the user's seed (src/natsd/credentials.ts).
 */
export function natsUrlFrom(values: { 'nats-url'?: string | boolean | (string | boolean)[] | undefined }, user: NatsUser = 'admin'): string {
  return withDefaultNatsUser((values['nats-url'] as string | undefined) ?? process.env.NATS_URL ?? DEFAULT_NATS_URL, user);
}
