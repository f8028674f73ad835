/**
 * The encryption config on disk: `<data-dir>/encryption-config.yaml`, mode 0600, created by
 * `jetkube up` on first start with one random 32-byte key. Writes go to a temporary file
 * that is renamed over the old one, so a reader never sees half a config.
 */
import { access, chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EncryptionError, newKey } from './aesgcm.ts';
import { encryptionConfigText, keyNameAt, parseEncryptionConfig, rotatedConfigText, type SecretEncryption } from './config.ts';

export const ENCRYPTION_CONFIG_FILE = 'encryption-config.yaml';

export function encryptionConfigPath(dataDir: string): string {
  return join(dataDir, ENCRYPTION_CONFIG_FILE);
}

export async function loadEncryptionConfig(path: string): Promise<SecretEncryption> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new EncryptionError(`cannot read the encryption config ${path}: ${(error as Error).message}`);
  }
  try {
    return parseEncryptionConfig(text);
  } catch (error) {
    throw new EncryptionError(`${path}: ${(error as Error).message}`);
  }
}

/** The config at path, created with a fresh key when there is none. Returns whether it was created. */
export async function ensureEncryptionConfig(path: string, now = new Date()): Promise<{ created: boolean; encryption: SecretEncryption }> {
  try {
    await writeFile(path, encryptionConfigText([newKey(keyNameAt(now))]), { flag: 'wx', mode: 0o600 });
    return { created: true, encryption: await loadEncryptionConfig(path) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { created: false, encryption: await loadEncryptionConfig(path) };
  }
}

/** Prepend a fresh key (it seals every write from the API servers' next start); returns its name. */
export async function rotateEncryptionKey(path: string, now = new Date()): Promise<string> {
  const { text, key } = rotatedConfigText(await readFile(path, 'utf8'), now);
  const partial = `${path}.partial`;
  await writeFile(partial, text, { mode: 0o600 });
  await chmod(partial, 0o600);
  await rename(partial, path);
  return key;
}

/**
 * The encryption of an API server or a replay: an explicit config file must load (a typo is not a silent
 * plaintext cluster); otherwise `<data-dir>/encryption-config.yaml` next to the cluster's
 * PKI is used when it exists. Undefined: Secrets are written as they come (Kubernetes'
 * identity provider), and sealed ones read back as withheld stand-ins.
 */
export async function resolveEncryption(options: { configFile?: string; dataDir?: string }): Promise<{ encryption?: SecretEncryption; path?: string }> {
  if (options.configFile) return { encryption: await loadEncryptionConfig(options.configFile), path: options.configFile };
  if (!options.dataDir) return {};
  const path = encryptionConfigPath(options.dataDir);
  try {
    await access(path);
  } catch {
    return {};
  }
  return { encryption: await loadEncryptionConfig(path), path };
}
