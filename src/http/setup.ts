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
} as const;

export const HTTP_HELP = `  --api-address HOST:PORT       the Kubernetes HTTPS API (default ${DEFAULT_API_ADDRESS}; port 0: any free port)
  --tls-san NAME                another name or IP for the serving certificate (repeatable)
  --kubeconfig-out FILE         where to write the admin kubeconfig (default DIR/kubeconfig)
  --insecure-address HOST:PORT  also serve plain HTTP there, WITHOUT authentication (local tests only)
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
  const { host } = parseHostPort(address); // fails early on a malformed address
  if (insecureAddress) parseHostPort(insecureAddress);
  const pkiDir = resolve(dataDir, 'pki');
  await ensurePki(pkiDir, [host, ...((values['tls-san'] as string[] | undefined) ?? [])]);
  return {
    config: { address, pkiDir, ...(insecureAddress ? { insecureAddress } : {}) },
    pkiDir,
    kubeconfigPath: resolve((values['kubeconfig-out'] as string | undefined) ?? resolve(dataDir, 'kubeconfig')),
  };
}

export async function writeAdminKubeconfig(setup: HttpSetup, url: string): Promise<void> {
  await writeKubeconfig(setup.kubeconfigPath, adminKubeconfig(await loadPki(setup.pkiDir), url));
}
