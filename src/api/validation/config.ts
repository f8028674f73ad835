/**
 * ConfigMaps and Secrets: keys that can become file names, a 1 MiB size limit, the
 * keys each Secret type requires, and data that is frozen once marked `immutable`.
 */
import type { FieldError } from '../errors.ts';
import { key } from '../field-path.ts';
import { forbidden, invalidEach, invalidValue, required, tooLong } from '../field-errors.ts';
import { deepEqual } from '../json.ts';
import { byteLength, isConfigMapKey } from '../names.ts';
import type { ConfigMap, Secret } from '../types.ts';
import { validateImmutable } from './common.ts';

/** MaxSecretSize, which also bounds ConfigMaps: objects are kept whole in memory everywhere. */
export const MAX_CONFIG_SIZE_BYTES = 1024 * 1024;

/** Decoded size of base64 text. */
const base64Size = (text: string) => Buffer.from(text, 'base64').length;

const IMMUTABLE = 'field is immutable when `immutable` is set';

export function validateConfigMap(configMap: ConfigMap): FieldError[] {
  const errors: FieldError[] = [];
  let total = 0;
  for (const [k, value] of Object.entries(configMap.data ?? {})) {
    errors.push(...invalidEach(key('data', k), k, isConfigMapKey(k)));
    if (configMap.binaryData && Object.hasOwn(configMap.binaryData, k)) {
      errors.push(invalidValue(key('data', k), k, 'duplicate of key present in binaryData'));
    }
    total += byteLength(value);
  }
  for (const [k, value] of Object.entries(configMap.binaryData ?? {})) {
    errors.push(...invalidEach(key('binaryData', k), k, isConfigMapKey(k)));
    total += base64Size(value);
  }
  if (total > MAX_CONFIG_SIZE_BYTES) errors.push(tooLong('', MAX_CONFIG_SIZE_BYTES));
  return errors;
}

export function validateConfigMapUpdate(configMap: ConfigMap, old: ConfigMap): FieldError[] {
  if (old.immutable !== true) return [];
  const errors: FieldError[] = [];
  if (configMap.immutable !== true) errors.push(forbidden('immutable', IMMUTABLE));
  if (!deepEqual(configMap.data ?? {}, old.data ?? {})) errors.push(forbidden('data', IMMUTABLE));
  if (!deepEqual(configMap.binaryData ?? {}, old.binaryData ?? {})) errors.push(forbidden('binaryData', IMMUTABLE));
  return errors;
}

/** The keys each well-known Secret type must carry in data. */
function validateSecretType(secret: Secret): FieldError[] {
  const data = secret.data ?? {};
  const has = (k: string) => Object.hasOwn(data, k);
  switch (secret.type) {
    case 'kubernetes.io/service-account-token':
      return secret.metadata?.annotations?.['kubernetes.io/service-account.name']
        ? []
        : [required(key('metadata.annotations', 'kubernetes.io/service-account.name'))];
    case 'kubernetes.io/dockercfg':
      return has('.dockercfg') ? validateJsonData(data['.dockercfg']!, '.dockercfg') : [required(key('data', '.dockercfg'))];
    case 'kubernetes.io/dockerconfigjson':
      return has('.dockerconfigjson') ? validateJsonData(data['.dockerconfigjson']!, '.dockerconfigjson') : [required(key('data', '.dockerconfigjson'))];
    case 'kubernetes.io/basic-auth':
      return has('username') || has('password') ? [] : [required(key('data', 'username')), required(key('data', 'password'))];
    case 'kubernetes.io/ssh-auth':
      return data['ssh-privatekey'] ? [] : [required(key('data', 'ssh-privatekey'))];
    case 'kubernetes.io/tls':
      return [
        ...(has('tls.crt') ? [] : [required(key('data', 'tls.crt'))]),
        ...(has('tls.key') ? [] : [required(key('data', 'tls.key'))]),
      ];
    default:
      return [];
  }
}

function validateJsonData(base64: string, name: string): FieldError[] {
  try {
    JSON.parse(Buffer.from(base64, 'base64').toString('utf8'));
    return [];
  } catch (error) {
    return [invalidValue(key('data', name), '<secret contents redacted>', (error as Error).message)];
  }
}

export function validateSecret(secret: Secret): FieldError[] {
  const errors: FieldError[] = [];
  let total = 0;
  for (const [k, value] of Object.entries(secret.data ?? {})) {
    errors.push(...invalidEach(key('data', k), k, isConfigMapKey(k)));
    total += base64Size(value);
  }
  // stringData is folded into data when defaults run; a direct caller still gets its keys checked.
  for (const k of Object.keys(secret.stringData ?? {})) errors.push(...invalidEach(key('stringData', k), k, isConfigMapKey(k)));
  if (total > MAX_CONFIG_SIZE_BYTES) errors.push(tooLong('data', MAX_CONFIG_SIZE_BYTES));
  errors.push(...validateSecretType(secret));
  return errors;
}

export function validateSecretUpdate(secret: Secret, old: Secret): FieldError[] {
  const errors = validateImmutable(secret.type, old.type, 'type');
  if (old.immutable === true) {
    if (secret.immutable !== true) errors.push(forbidden('immutable', IMMUTABLE));
    if (!deepEqual(secret.data ?? {}, old.data ?? {})) errors.push(forbidden('data', IMMUTABLE));
  }
  return errors;
}
