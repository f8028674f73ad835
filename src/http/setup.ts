/**
 * What `jetkube up` does for the HTTP face before and after the API server starts: its
 * flags, the PKI under <data-dir>/pki (made once, reused after), and the admin kubeconfig
 * written once the face has bound its address (port 0 is only known then).
 */
import { resolve } from 'node:path';
import { parseHostPort, DEFAULT_API_ADDRESS } from './address.ts';
import type { HttpFaceConfig } from './effect.ts';
import { adminKubeconfig, writeKubeconfig } from './kubeconfig.ts';
import { ensurePki, loadPki } from './pki.ts';

export const HTTP_FLAGS = {
  'api-address': { type: 'string' },
  'insecure-address': { type: 'string' },
  'tls-san': { type: 'string', multiple: true },
  'kubeconfig-out': { type: 'string' },
  // A string, as kube-apiserver spells it: --anonymous-auth=true.
  'anonymous-auth': { type: 'string' },
} as const;

export const HTTP_HELP = `  --api-address HOST:PORT       the Kubernetes HTTPS API (default ${DEFAULT_API_ADDRESS}; port 0: any free port)
  --tls-san NAME                another name or IP for the serving certificate (repeatable)
  --kubeconfig-out FILE         where to write the admin kubeconfig (default DIR/kubeconfig)
  --insecure-address HOST:PORT  also serve plain HTTP there, WITHOUT authentication (local tests only)
  --anonymous-auth=true|false   let requests without credentials in as system:anonymous, which RBAC
                                then judges (default false: they get a 401)
`;

export interface HttpSetup {
  config: HttpFaceConfig;
  pkiDir: string;
  kubeconfigPath: string;
}

type Values = { [K in keyof typeof HTTP_FLAGS]?: unknown };

export async function prepareHttpFace(values: Values, dataDir: string): Promise<HttpSetup> {
  const address = (values['api-address'] as string | undefined) ?? DEFAULT_API_ADDRESS;
  const insecureAddress = values['insecure-address'] as string | undefined;
  const anonymous = anonymousAuth(values['anonymous-auth'] as string | undefined);
  const { host } = parseHostPort(address); // fails early on a malformed address
  if (insecureAddress) parseHostPort(insecureAddress);
  const pkiDir = resolve(dataDir, 'pki');
  await ensurePki(pkiDir, [host, ...((values['tls-san'] as string[] | undefined) ?? [])]);
  return {
    config: { address, pkiDir, ...(insecureAddress ? { insecureAddress } : {}), ...(anonymous ? { anonymous } : {}) },
    pkiDir,
    kubeconfigPath: resolve((values['kubeconfig-out'] as string | undefined) ?? resolve(dataDir, 'kubeconfig')),
  };
}

/** --anonymous-auth's value: true or false as Go's strconv.ParseBool reads them; absent is false. */
export function anonymousAuth(value: string | undefined): boolean {
  if (value === undefined) return false;
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  throw new Error(`invalid value "${value}" for --anonymous-auth: must be true or false`);
}

export async function writeAdminKubeconfig(setup: HttpSetup, url: string): Promise<void> {
  await writeKubeconfig(setup.kubeconfigPath, adminKubeconfig(await loadPki(setup.pkiDir), url));
}
