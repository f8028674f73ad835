/**
 * A container's root directory in the process runtime: `<pod dir>/containers/<name>/`,
 * made fresh for every start as a container's writable layer is. Without a mount
 * namespace a process cannot see `/etc/config`, so each Mount is made visible at
 * `<root>/<mountPath>` instead: a symlink to the volume's host directory (writes reach
 * the volume, as through a bind mount), or, for a read-only subPath file, a copy
 * without write permission (as a subPath of a ConfigMap does not follow updates). The
 * process starts in this root unless workingDir says otherwise and learns it from
 * $JETKUBE_ROOT, so `cat etc/config/key` works. A mount nested inside another one would
 * have to be created inside the outer volume, so it is skipped with a warning.
 * Given the pod's sandbox, the root also gets the files the kubelet manages in a
 * container: `etc/hosts` (localhost and the pod's name and address) and, when the sandbox
 * carries a DNS configuration, `etc/resolv.conf`. They are written before the mounts, so
 * a volume mounted over them wins, as the kubelet leaves a mounted /etc/hosts alone.
 */
import { chmod, copyFile, lstat, mkdir, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, posix, sep } from 'node:path';
import { componentLogger } from '../log.ts';
import { renderResolvConf } from '../net/dns-config.ts';
import { ContainerStartError, type Mount, type PodSandbox } from './runtime.ts';

const log = componentLogger('process-runtime');

/** `<root>/<path>` for a path inside the container; undefined when it would climb out. */
export function pathInRoot(root: string, containerPath: string): string | undefined {
  const normalized = posix.normalize(`/${containerPath}`);
  if (normalized.split('/').includes('..')) return undefined;
  return join(root, normalized);
}

/** The kubelet's managed hosts file (kubelet_pods.go), for a pod without hostNetwork. */
export function renderEtcHosts(sandbox: Pick<PodSandbox, 'name' | 'ip'>): string {
  const lines = [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
  ];
  if (sandbox.ip) lines.push(`${sandbox.ip}\t${sandbox.name}`);
  return lines.join('\n') + '\n';
}

export async function prepareContainerRoot(root: string, mounts: Mount[], sandbox?: PodSandbox): Promise<void> {
  await rm(root, { recursive: true, force: true });
  await mkdir(join(root, 'dev'), { recursive: true });
  if (sandbox) {
    await mkdir(join(root, 'etc'), { recursive: true });
    await writeFile(join(root, 'etc', 'hosts'), renderEtcHosts(sandbox));
    if (sandbox.dns) await writeFile(join(root, 'etc', 'resolv.conf'), renderResolvConf(sandbox.dns));
  }
  const realRoot = await realpath(root);
  const ordered = [...mounts].sort((a, b) => a.containerPath.split('/').length - b.containerPath.split('/').length);
  for (const mount of ordered) {
    const target = pathInRoot(root, mount.containerPath);
    if (!target || target === root) {
      throw new ContainerStartError('CreateContainerError', `invalid mount path "${mount.containerPath}": must be an absolute path below /`);
    }
    await mkdir(dirname(target), { recursive: true });
    const parent = await realpath(dirname(target));
    if (parent !== realRoot && !parent.startsWith(realRoot + sep)) {
      log.warn({ mountPath: mount.containerPath, root }, 'mount nested inside another mount is not supported by the process runtime; skipped');
      continue;
    }
    if (await lstat(target).catch(() => undefined)) await rm(target, { recursive: true, force: true });
    const source = await stat(mount.hostPath).catch(() => undefined);
    if (!source) {
      throw new ContainerStartError('CreateContainerError', `failed to mount ${mount.hostPath} at ${mount.containerPath}: no such file or directory`);
    }
    if (source.isFile() && mount.readOnly) {
      await copyFile(mount.hostPath, target);
      await chmod(target, source.mode & 0o555);
    } else {
      await symlink(mount.hostPath, target);
    }
  }
}

