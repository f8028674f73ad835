/**
 * Writes a set of files into a volume directory the way kubelet's AtomicWriter does, so
 * that a process reading the volume never sees half of an update: the files go into a
 * fresh timestamped directory, `..data` is switched to it with one rename, and each
 * top-level name is a symlink through `..data`. Rewriting the same payload changes
 * nothing. Paths come from the API (keys, items[].path) and are refused when absolute
 * or when they climb out with `..`.
 */
import { lstat, mkdir, readFile, readdir, readlink, rename, rm, stat, symlink, writeFile, chmod } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface FileProjection {
  data: Buffer;
  /** Unix permission bits, e.g. 0o644. */
  mode: number;
}

const DATA_LINK = '..data';
const DATA_LINK_TMP = '..data_tmp';

export async function writeAtomically(dir: string, payload: Map<string, FileProjection>): Promise<void> {
  for (const path of payload.keys()) validatePath(path);
  await mkdir(dir, { recursive: true });
  const previous = await readlink(join(dir, DATA_LINK)).catch(() => undefined);
  if (previous !== undefined && (await sameContent(join(dir, previous), payload))) return;

  const versionDir = `..${timestamp()}.${Math.random().toString(36).slice(2, 10)}`;
  await mkdir(join(dir, versionDir));
  for (const [path, file] of payload) {
    const target = join(dir, versionDir, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.data);
    await chmod(target, file.mode);
  }
  await rm(join(dir, DATA_LINK_TMP), { force: true });
  await symlink(versionDir, join(dir, DATA_LINK_TMP));
  await rename(join(dir, DATA_LINK_TMP), join(dir, DATA_LINK));

  const topLevel = new Set([...payload.keys()].map((path) => path.split('/')[0]!));
  for (const name of topLevel) {
    const link = join(dir, name);
    const existing = await lstat(link).catch(() => undefined);
    if (existing?.isSymbolicLink()) continue;
    if (existing) await rm(link, { recursive: true, force: true });
    await symlink(join(DATA_LINK, name), link);
  }
  for (const entry of await readdir(dir)) {
    if (entry.startsWith('..') || topLevel.has(entry)) continue;
    const existing = await lstat(join(dir, entry));
    if (existing.isSymbolicLink()) await rm(join(dir, entry), { force: true });
  }
  if (previous !== undefined && previous !== versionDir) await rm(join(dir, previous), { recursive: true, force: true });
}

function validatePath(path: string): void {
  if (path === '' || path.startsWith('/')) throw new Error(`invalid path: must be relative path: ${path}`);
  if (path.startsWith('..')) throw new Error(`invalid path: must not start with '..': ${path}`);
  if (path.split('/').includes('..')) throw new Error(`invalid path: must not contain '..': ${path}`);
}

async function sameContent(versionDir: string, payload: Map<string, FileProjection>): Promise<boolean> {
  const existing = await listFiles(versionDir).catch(() => undefined);
  if (!existing || existing.length !== payload.size) return false;
  for (const path of existing) {
    const wanted = payload.get(path);
    if (!wanted) return false;
    const [content, info] = await Promise.all([readFile(join(versionDir, path)), stat(join(versionDir, path))]);
    if (!content.equals(wanted.data) || (info.mode & 0o7777) !== wanted.mode) return false;
  }
  return true;
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...(await listFiles(join(dir, entry.name), path)));
    else files.push(path);
  }
  return files;
}

/** kubelet's version directories look like ..2024_01_31_12_00_00.123456789. */
function timestamp(): string {
  const now = new Date();
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${now.getUTCFullYear()}_${pad(now.getUTCMonth() + 1)}_${pad(now.getUTCDate())}_${pad(now.getUTCHours())}_${pad(now.getUTCMinutes())}_${pad(now.getUTCSeconds())}`;
}
