/**
 * The admin kubeconfig `jetkube up` writes: one cluster (the HTTPS address and the CA that
 * signed its serving certificate), one user (the admin client certificate), one context
 * made current, so `kubectl --kubeconfig F get ns` needs no other flag. Rendering is pure;
 * writing keeps the file 0600 since it holds a private key.
 */
import { writeFile, chmod, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'yaml';
import type { Pki } from './pki.ts';

export interface KubeconfigInput {
  /** "https://127.0.0.1:6443" */
  server: string;
  caCert: string;
  clientCert: string;
  clientKey: string;
  clusterName?: string;
  userName?: string;
}

const b64 = (pem: string) => Buffer.from(pem, 'utf8').toString('base64');

export function renderKubeconfig(input: KubeconfigInput): string {
  const cluster = input.clusterName ?? 'jetkube';
  const user = input.userName ?? 'jetkube-admin';
  const context = `${user}@${cluster}`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: { server: input.server, 'certificate-authority-data': b64(input.caCert) } }],
    users: [{ name: user, user: { 'client-certificate-data': b64(input.clientCert), 'client-key-data': b64(input.clientKey) } }],
    contexts: [{ name: context, context: { cluster, user } }],
    'current-context': context,
    preferences: {},
  });
}

export function adminKubeconfig(pki: Pki, server: string): string {
  return renderKubeconfig({ server, caCert: pki.caCert, clientCert: pki.adminCert, clientKey: pki.adminKey });
}

export async function writeKubeconfig(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content, { mode: 0o600 });
  await chmod(path, 0o600);
}
