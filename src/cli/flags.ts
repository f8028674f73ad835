/**
 * Flag parsing shared by the commands (node's util.parseArgs, no dependency): the common
 * flags, and the NATS URL every command that talks to a cluster needs.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DEFAULT_NATS_URL } from '../../streams/connection.ts';

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

export function natsUrlFrom(values: { 'nats-url'?: string | boolean | (string | boolean)[] | undefined }): string {
  return (values['nats-url'] as string | undefined) ?? process.env.NATS_URL ?? DEFAULT_NATS_URL;
}
