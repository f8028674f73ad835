/**
 * `jetkube nats-credentials`: makes (once) the NATS users' keys of a data dir, which
 * `jetkube up` otherwise makes at its first start: what a nats-server started by hand
 * with `-c nats.conf` needs (nats.conf includes data/nats-users.conf), and what a
 * component run elsewhere connects with (JETKUBE_NATS_CREDENTIALS).
 */
import { resolve } from 'node:path';
import { ensureNatsCredentials } from '../natsd/credentials.ts';
import { parseFlags } from './flags.ts';

const HELP = `Usage: jetkube nats-credentials [--data-dir DIR]

Makes the nkeys of jetkube's NATS users (apiserver, controller-manager, scheduler,
kubelet, kube-proxy, dns, ingress, admin) under DIR (default ./data), keeping those that
exist: the seeds in DIR/nats-credentials/<user>.nk (readable by you only), the public
keys in DIR/nats-users.conf, which nats.conf includes. Then, by hand:
  nats-server -c nats.conf -sd data/nats
and for jetkube commands and components of another data dir:
  export JETKUBE_NATS_CREDENTIALS=DIR/nats-credentials
`;

export async function natsCredentialsCommand(args: string[]): Promise<number> {
  const { values } = parseFlags(args, { 'data-dir': { type: 'string' } }, HELP);
  const dataDir = resolve((values['data-dir'] as string | undefined) ?? 'data');
  const { credentialsDir, usersFile, created } = await ensureNatsCredentials(dataDir);
  process.stdout.write(
    `${created.length > 0 ? `made keys for ${created.join(', ')}` : 'every user already had its key'}
  seeds:      ${credentialsDir}
  users file: ${usersFile}
`,
  );
  return 0;
}
