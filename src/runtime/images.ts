/**
 * The process runtime's images: no registry, no layers, only a local table of
 * well-known image names, each standing for host programs (the host's /bin/sh and
 * coreutils for busybox and friends, the host's node, python3 and perl, and small Node.js
 * programs under images/ for nginx, pause and agnhost). docs/runtime-images.md is the
 * user-facing copy of this table; keep the two together.
 *
 * References are normalised before the lookup: a leading registry host component (one
 * with a `.` or `:`, or `localhost`) and `library/` are dropped, and tag and digest are
 * split off, so every spelling of an image that users copy from manifests finds its
 * entry; the tag is accepted whatever it is.
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { ImagePullError, type ImageInfo } from './runtime.ts';

export interface ImageReference {
  /** The repository path without registry host and without `library/`, e.g. `nginx`, `e2e-test-images/agnhost`. */
  repository: string;
  tag?: string;
  digest?: string;
}

export interface LocalImage {
  /** The repositories this entry answers to, after normalisation. */
  names: string[];
  /** The image's ENTRYPOINT and CMD, as its Dockerfile would give them. */
  entrypoint: string[];
  cmd: string[];
  /** ENV of the image; the pod's env overrides it. */
  env?: Record<string, string>;
  /**
   * Programs the image has, mapped to the host's: a command whose argv[0] is a key runs
   * the value instead, with the remaining arguments appended; an empty value drops
   * argv[0] and runs the rest (an entrypoint script that ends in `exec "$@"`). Bare
   * names also become shims on the container's PATH, so `sh -c 'nginx ...'` finds them.
   */
  programs?: Record<string, string[]>;
  /** One line for docs and errors. */
  description: string;
}

export type ImageTable = readonly LocalImage[];

const IMAGES_DIR = fileURLToPath(new URL('./images/', import.meta.url));
const NODE = process.execPath;
const program = (file: string) => [NODE, `${IMAGES_DIR}${file}`];

/** The shell form of pause: sleep until told to stop, then exit 0, as the pause binary does. */
const PAUSE_SCRIPT = "trap 'kill $child 2>/dev/null; exit 0' TERM INT QUIT; while :; do sleep 86400 & child=$!; wait $child; done";

const shellImage = (name: string, description: string): LocalImage => ({
  names: [name],
  entrypoint: [],
  cmd: name === 'busybox' ? ['sh'] : ['/bin/sh'],
  description,
});

export const DEFAULT_IMAGES: ImageTable = [
  shellImage('busybox', "the host's /bin/sh and coreutils"),
  shellImage('alpine', "the host's /bin/sh and coreutils"),
  shellImage('debian', "the host's /bin/sh and coreutils"),
  shellImage('ubuntu', "the host's /bin/sh and coreutils"),
  {
    names: ['pause', 'google_containers/pause', 'google-containers/pause', 'pause-amd64'],
    entrypoint: ['/pause'],
    cmd: [],
    programs: { '/pause': ['/bin/sh', '-c', PAUSE_SCRIPT] },
    description: 'sleeps until stopped, then exits 0',
  },
  {
    names: ['nginx', 'nginxinc/nginx-unprivileged'],
    entrypoint: ['/docker-entrypoint.sh'],
    cmd: ['nginx', '-g', 'daemon off;'],
    env: { NGINX_VERSION: '1.27.0' },
    programs: { '/docker-entrypoint.sh': [], nginx: program('nginx.mjs'), '/usr/sbin/nginx': program('nginx.mjs') },
    description: 'src/runtime/images/nginx.mjs: "Welcome to nginx!" on port 80 (8080 when 80 cannot be bound)',
  },
  {
    names: ['agnhost', 'e2e-test-images/agnhost'],
    entrypoint: ['/agnhost'],
    cmd: ['pause'],
    programs: { '/agnhost': program('agnhost.mjs'), agnhost: program('agnhost.mjs') },
    description: 'src/runtime/images/agnhost.mjs: netexec, serve-hostname, echo-server, pause',
  },
  {
    names: ['echoserver', 'e2e-test-images/echoserver', 'ealen/echo-server'],
    entrypoint: ['/echoserver'],
    cmd: [],
    programs: { '/echoserver': [...program('agnhost.mjs'), 'echo-server'] },
    description: 'src/runtime/images/agnhost.mjs echo-server: echoes the request on port 8080',
  },
  {
    names: ['node'],
    entrypoint: [],
    cmd: ['node'],
    // Programs of the pod resolve names through its etc/resolv.conf (cluster DNS), as in a container.
    env: { NODE_OPTIONS: `--import=${IMAGES_DIR}pod-dns-preload.mjs` },
    programs: { node: [NODE], nodejs: [NODE], '/usr/local/bin/node': [NODE] },
    description: "the host's node",
  },
  {
    names: ['python'],
    entrypoint: [],
    cmd: ['python3'],
    programs: { python: ['python3'], '/usr/local/bin/python': ['python3'], '/usr/local/bin/python3': ['python3'] },
    description: "the host's python3",
  },
  {
    names: ['perl'],
    entrypoint: [],
    cmd: ['perl', '-de0'],
    programs: { '/usr/local/bin/perl': ['perl'], '/usr/bin/perl': ['perl'] },
    description: "the host's perl (examples/job.yaml: the Kubernetes docs' pi Job)",
  },
];

export function normalizeImage(reference: string): ImageReference {
  let rest = reference.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const parts = rest.split('/');
  if (parts.length > 1 && (parts[0]!.includes('.') || parts[0]!.includes(':') || parts[0] === 'localhost')) parts.shift();
  if (parts.length > 1 && parts[0] === 'library') parts.shift();
  if (tag === undefined && digest === undefined) tag = 'latest';
  return { repository: parts.join('/'), ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

export function formatReference(ref: ImageReference): string {
  return `${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

export interface ResolvedImage {
  reference: ImageReference;
  image: LocalImage;
  info: ImageInfo;
}

/** The table's entry for an image reference; ImagePullError, worded as containerd words it, when there is none. */
export function resolveImage(table: ImageTable, reference: string): ResolvedImage {
  const normalized = normalizeImage(reference);
  const image = table.find((entry) => entry.names.includes(normalized.repository));
  if (!image || normalized.repository === '') {
    const canonical = formatReference(normalized);
    throw new ImagePullError(
      reference,
      `rpc error: code = NotFound desc = failed to pull and unpack image "${canonical}": failed to resolve reference "${canonical}": ${canonical}: not found`,
    );
  }
  const digest = createHash('sha256')
    .update(JSON.stringify([image.names[0], image.entrypoint, image.cmd, image.env ?? {}]))
    .digest('hex');
  return { reference: normalized, image, info: { image: reference, imageID: `${normalized.repository}@sha256:${digest}` } };
}

/**
 * The argv a container runs, as Kubernetes combines pod and image: command replaces
 * ENTRYPOINT and drops CMD; args alone replaces CMD. Then the image's programs map
 * argv[0] to the host program that stands for it.
 */
export function containerArgv(image: LocalImage, command: string[] | undefined, args: string[] | undefined): string[] {
  const hasCommand = command !== undefined && command.length > 0;
  const entrypoint = hasCommand ? command : image.entrypoint;
  const rest = args !== undefined && args.length > 0 ? args : hasCommand ? [] : image.cmd;
  return hostArgv(image, [...entrypoint, ...rest]);
}

/** argv with the image's programs applied to argv[0] (a few rounds, for an entrypoint that execs a program). */
export function hostArgv(image: LocalImage, argv: string[]): string[] {
  let result = argv;
  for (let round = 0; round < 3 && result.length > 0; round++) {
    const replacement = image.programs?.[result[0]!];
    if (replacement === undefined) break;
    result = [...replacement, ...result.slice(1)];
  }
  return result;
}
