/**
 * The cluster's certificates, made once under a directory and reused after: a CA, a
 * serving certificate for the API server (SANs 127.0.0.1, localhost, ::1 and any names
 * asked for), an admin client certificate (CN=admin, O=system:masters) and an admin
 * bearer token. Certificates are made by the host's `openssl` (no hand-written ASN.1);
 * node's X509Certificate only reads them back, to decide whether the serving
 * certificate still covers the wanted names and dates. Keys are written 0600. The
 * ServiceAccount token key pair (sa.key, sa.pub) lives here too, and any user may get a
 * client certificate signed by the CA (CN = user, O = groups) for its own kubeconfig.
 */
import { execFile } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Pki {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  adminCert: string;
  adminKey: string;
  adminToken: string;
  /** PKCS#8 EC key that signs ServiceAccount tokens, and its public half. */
  serviceAccountKey: string;
  serviceAccountPub: string;
}

export const PKI_FILES = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  serverCert: 'apiserver.crt',
  serverKey: 'apiserver.key',
  adminCert: 'admin.crt',
  adminKey: 'admin.key',
  adminToken: 'admin.token',
  serviceAccountKey: 'sa.key',
  serviceAccountPub: 'sa.pub',
} as const;

export const DEFAULT_SERVER_NAMES = ['127.0.0.1', 'localhost', '::1'];
export const ADMIN_USER = 'admin';
export const ADMIN_GROUP = 'system:masters';

const CA_DAYS = 3650;
const LEAF_DAYS = 825;
/** A serving certificate this close to expiry is made again at start. */
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

/** Loads the PKI under `dir`, making whatever is missing (and a serving cert that no longer fits). */
export async function ensurePki(dir: string, extraNames: string[] = [], now = new Date()): Promise<Pki> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = (file: string) => join(dir, file);
  if (!(await exists(path(PKI_FILES.caCert))) || !(await exists(path(PKI_FILES.caKey)))) {
    await makeCa(dir);
    // A new CA invalidates everything it signed before.
    await Promise.all([PKI_FILES.serverCert, PKI_FILES.adminCert].map((f) => rm(path(f), { force: true })));
  }
  const names = serverNames(extraNames);
  const current = await readIfExists(path(PKI_FILES.serverCert));
  if (!current || !(await exists(path(PKI_FILES.serverKey))) || !certificateCovers(current, names, now)) {
    await makeLeaf(dir, 'apiserver', '/CN=jetkube-apiserver', [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      `subjectAltName=${subjectAltNames(names)}`,
    ]);
  }
  if (!(await exists(path(PKI_FILES.adminCert))) || !(await exists(path(PKI_FILES.adminKey)))) {
    await makeLeaf(dir, 'admin', `/O=${ADMIN_GROUP}/CN=${ADMIN_USER}`, [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=clientAuth',
    ]);
  }
  if (!(await exists(path(PKI_FILES.adminToken)))) {
    await writeFile(path(PKI_FILES.adminToken), `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
  }
  if (!(await exists(path(PKI_FILES.serviceAccountKey))) || !(await exists(path(PKI_FILES.serviceAccountPub)))) {
    await openssl(dir, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', PKI_FILES.serviceAccountKey]);
    await chmod(path(PKI_FILES.serviceAccountKey), 0o600);
    await openssl(dir, ['pkey', '-in', PKI_FILES.serviceAccountKey, '-pubout', '-out', PKI_FILES.serviceAccountPub]);
  }
  return loadPki(dir);
}

export interface ClientCertificate {
  cert: string;
  key: string;
}

/** A client certificate for any user (CN = user, O = each group), signed by the cluster CA; nothing is kept on disk. */
export async function issueClientCertificate(dir: string, user: string, groups: readonly string[], days = LEAF_DAYS): Promise<ClientCertificate> {
  const subject = `${groups.map((g) => `/O=${escapeSubject(g)}`).join('')}/CN=${escapeSubject(user)}`;
  const work = await mkdtemp(join(tmpdir(), 'jetkube-cert-'));
  try {
    await openssl(work, ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'user.key', '-out', 'user.csr', '-subj', subject]);
    await writeFile(join(work, 'user.ext'), 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n');
    await openssl(work, [
      'x509', '-req', '-in', 'user.csr', '-CA', join(dir, PKI_FILES.caCert), '-CAkey', join(dir, PKI_FILES.caKey),
      '-set_serial', `0x${randomBytes(16).toString('hex')}`, '-days', String(days), '-extfile', 'user.ext', '-out', 'user.crt',
    ]);
    const [cert, key] = await Promise.all([readFile(join(work, 'user.crt'), 'utf8'), readFile(join(work, 'user.key'), 'utf8')]);
    return { cert, key };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** openssl's -subj syntax: `/` and `+` and `=` inside a value are escaped. */
function escapeSubject(value: string): string {
  if (value === '' || /[\n\r\0]/.test(value)) throw new Error(`not a usable certificate name: ${JSON.stringify(value)}`);
  return value.replace(/[\\/+=]/g, (c) => `\\${c}`);
}

/** Reads an existing PKI (the API server's effect does this; `jetkube up` ensured it first). */
export async function loadPki(dir: string): Promise<Pki> {
  const read = (file: string) => readFile(join(dir, file), 'utf8');
  const [caCert, caKey, serverCert, serverKey, adminCert, adminKey, token, serviceAccountKey, serviceAccountPub] = await Promise.all([
    read(PKI_FILES.caCert),
    read(PKI_FILES.caKey),
    read(PKI_FILES.serverCert),
    read(PKI_FILES.serverKey),
    read(PKI_FILES.adminCert),
    read(PKI_FILES.adminKey),
    read(PKI_FILES.adminToken),
    read(PKI_FILES.serviceAccountKey),
    read(PKI_FILES.serviceAccountPub),
  ]);
  return { dir, caCert, caKey, serverCert, serverKey, adminCert, adminKey, adminToken: token.trim(), serviceAccountKey, serviceAccountPub };
}

/** The default names plus the configured ones, without duplicates or brackets. */
export function serverNames(extra: string[]): string[] {
  const cleaned = extra.map((n) => n.trim().replace(/^\[(.*)\]$/, '$1')).filter((n) => n !== '' && n !== '0.0.0.0' && n !== '::');
  return [...new Set([...DEFAULT_SERVER_NAMES, ...cleaned])];
}

/** openssl's subjectAltName value: IP:... for addresses, DNS:... for names. */
export function subjectAltNames(names: string[]): string {
  return names.map((n) => (isIP(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
}

/** Whether a PEM certificate is valid a while longer and names every one of `names`. */
export function certificateCovers(pem: string, names: string[], now: Date): boolean {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch {
    return false;
  }
  if (Date.parse(cert.validTo) - now.getTime() < RENEW_BEFORE_MS) return false;
  return names.every((n) => (isIP(n) ? cert.checkIP(n) !== undefined : cert.checkHost(n) !== undefined));
}

async function makeCa(dir: string): Promise<void> {
  await openssl(dir, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', PKI_FILES.caKey, '-out', PKI_FILES.caCert, '-days', String(CA_DAYS),
    '-subj', '/CN=jetkube-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
  ]);
  await chmod(join(dir, PKI_FILES.caKey), 0o600);
}

async function makeLeaf(dir: string, base: 'apiserver' | 'admin', subject: string, extensions: string[]): Promise<void> {
  const key = `${base}.key`;
  const csr = `${base}.csr`;
  const ext = `${base}.ext`;
  await openssl(dir, ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', csr, '-subj', subject]);
  await chmod(join(dir, key), 0o600);
  await writeFile(join(dir, ext), `${extensions.join('\n')}\n`);
  try {
    await openssl(dir, [
      'x509', '-req', '-in', csr, '-CA', PKI_FILES.caCert, '-CAkey', PKI_FILES.caKey,
      '-set_serial', `0x${randomBytes(16).toString('hex')}`, '-days', String(LEAF_DAYS),
      '-extfile', ext, '-out', `${base}.crt`,
    ]);
  } finally {
    await Promise.all([rm(join(dir, csr), { force: true }), rm(join(dir, ext), { force: true })]);
  }
}

async function openssl(cwd: string, args: string[]): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error('jetkube needs the `openssl` command to make the cluster certificates; install it (apt-get install openssl)');
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.trim() ?? e.message}`);
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

async function readIfExists(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}
