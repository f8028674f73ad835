/**
 * `jetkube encryption`: the keys that seal Secrets in the log (kube-apiserver's
 * EncryptionConfiguration, `<data-dir>/encryption-config.yaml`).
 *
 *   rotate    prepend a fresh key to the config: after the API servers restart, every write
 *             seals with it; the older keys still open what they sealed
 *   rewrite   ask a running API server to write every Secret again, sealed with its current
 *             key (after a rotation, or to seal Secrets stored before encryption was on)
 */
import { connectNats, drainNats } from '../../streams/connection.ts';
import { requestEncryptionRewrite } from '../../streams/encryption-rewrite.ts';
import { encryptionConfigPath, rotateEncryptionKey } from '../encryption/config-file.ts';
import { STDIO, type CommandIo } from '../present/io.ts';
import { NATS_FLAG, natsUrlFrom, parseFlags } from './flags.ts';
import { resolve } from 'node:path';

const HELP = `Usage:
  jetkube encryption rotate [--data-dir DIR | --encryption-provider-config FILE]
      put a new key first in the config (default ./data/encryption-config.yaml)
  jetkube encryption rewrite [--nats-url URL]
      have an API server seal every Secret again with its current key

Rotating a key, as in Kubernetes:
  1. jetkube encryption rotate --data-dir DIR
  2. restart every API server (each must read the new config before any of them writes with it)
  3. jetkube encryption rewrite
  4. optionally remove the old key from the config and restart again
`;

const FLAGS = { ...NATS_FLAG, 'data-dir': { type: 'string' }, 'encryption-provider-config': { type: 'string' } } as const;

export async function encryptionCommand(args: string[], io: CommandIo = STDIO): Promise<number> {
  const { values, positionals } = parseFlags(args, FLAGS, HELP);
  const [action] = positionals;
  if (action === 'rotate') {
    const file = values['encryption-provider-config'] ?? encryptionConfigPath(resolve(values['data-dir'] ?? 'data'));
    const key = await rotateEncryptionKey(file);
    io.out(`added key ${key} to ${file}; it seals Secrets once the API servers restart.\nThen run: jetkube encryption rewrite\n`);
    return 0;
  }
  if (action === 'rewrite') {
    const nc = await connectNats(natsUrlFrom(values), 'jetkube-encryption');
    try {
      const report = await requestEncryptionRewrite(nc).catch((error: unknown) => {
        throw new Error(`${error instanceof Error ? error.message : String(error)} (no API server with an encryption config answered?)`);
      });
      io.out(`sealed ${report.rewritten} Secrets with key ${report.writeKey}; ${report.current} already were` +
        `${report.raced ? `, ${report.raced} were written meanwhile (sealed by that write)` : ''}` +
        `${report.withheld ? `, ${report.withheld} cannot be decrypted by the API server and were left as they are` : ''}\n`);
      return 0;
    } finally {
      await drainNats(nc);
    }
  }
  io.err(HELP);
  return 1;
}
