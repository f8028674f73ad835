/**
 * `jetkube kubeconfig --user NAME [--group G]...`: a kubeconfig for another user, with a
 * client certificate the cluster CA signs (CN = the user, O = each group). The server
 * and CA come from the cluster's PKI and admin kubeconfig under the data dir. What the
 * user may do is RBAC's business: bind a Role to the user (or a group) with kubectl.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { renderKubeconfig, writeKubeconfig } from '../http/kubeconfig.ts';
import { issueClientCertificate, loadPki } from '../http/pki.ts';
import { parseFlags } from './flags.ts';

const HELP = `Usage: jetkube kubeconfig --user NAME [--group GROUP]... [flags]

  --user NAME        the user's name (the certificate's CN)
  --group GROUP      a group the user is in (the certificate's O; repeatable)
  --data-dir DIR     the cluster's data dir (default ./data): its PKI signs the certificate
  --server URL       the API server (default: the server of DIR/kubeconfig)
  --days N           how long the certificate is valid (default 825)
  -o, --output FILE  where to write it (default: standard output)
`;

export interface UserKubeconfigRequest {
  /** The cluster's data dir (holds pki/ and the admin kubeconfig). */
  dataDir: string;
  user: string;
  groups?: string[];
  /** Default: the server named by <dataDir>/kubeconfig. */
  server?: string;
  days?: number;
}

/** A kubeconfig (YAML) for `user`, with a fresh client certificate signed by the cluster CA. */
export async function userKubeconfig(request: UserKubeconfigRequest): Promise<string> {
  const pkiDir = resolve(request.dataDir, 'pki');
  const pki = await loadPki(pkiDir).catch(() => {
    throw new Error(`no cluster PKI under ${pkiDir}: start the cluster with jetkube up first, or pass its --data-dir`);
  });
  const server = request.server ?? (await serverOfAdminKubeconfig(resolve(request.dataDir, 'kubeconfig')));
  const { cert, key } = await issueClientCertificate(pki.dir, request.user, request.groups ?? [], request.days);
  return renderKubeconfig({ server, caCert: pki.caCert, clientCert: cert, clientKey: key, userName: request.user });
}

async function serverOfAdminKubeconfig(path: string): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => {
    throw new Error(`no kubeconfig at ${path} to take the server from: start the cluster with jetkube up, or pass --server`);
  });
  const server = (parse(text) as { clusters?: { cluster?: { server?: string } }[] })?.clusters?.[0]?.cluster?.server;
  if (!server) throw new Error(`${path} names no server; pass --server`);
  return server;
}

export async function kubeconfigCommand(args: string[]): Promise<number> {
  const { values } = parseFlags(
    args,
    {
      user: { type: 'string' },
      group: { type: 'string', multiple: true },
      'data-dir': { type: 'string' },
      server: { type: 'string' },
      days: { type: 'string' },
      output: { type: 'string', short: 'o' },
    },
    HELP,
  );
  const user = values.user as string | undefined;
  if (!user) {
    process.stderr.write(HELP);
    return 1;
  }
  const days = values.days === undefined ? undefined : Number(values.days);
  if (days !== undefined && (!Number.isInteger(days) || days < 1)) throw new Error(`--days wants a whole number of days, not "${String(values.days)}"`);
  const content = await userKubeconfig({
    dataDir: resolve((values['data-dir'] as string | undefined) ?? 'data'),
    user,
    groups: (values.group as string[] | undefined) ?? [],
    ...(values.server ? { server: values.server as string } : {}),
    ...(days ? { days } : {}),
  });
  const output = values.output as string | undefined;
  if (output) await writeKubeconfig(resolve(output), content);
  else process.stdout.write(content);
  return 0;
}
