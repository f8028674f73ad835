/**
 * The dashboard's static files: the app under src/dashboard/static/ and the YAML library's
 * browser build (ES modules, served from node_modules: no build step, no CDN; browsers
 * on this machine may be offline). A path -> a file inside one of those roots, or nothing.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const STATIC_ROOT = join(dirname(fileURLToPath(import.meta.url)), 'static');
const YAML_ROOT = join(dirname(createRequire(import.meta.url).resolve('yaml/package.json')), 'browser', 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface Asset {
  contentType: string;
  body: Buffer;
}

/** "" or "/" is the app's page; "vendor/yaml/..." the YAML library; anything else a file of the app. */
export async function readAsset(path: string): Promise<Asset | undefined> {
  const relative = path.replace(/^\/+/, '') || 'index.html';
  const [root, rest] = relative.startsWith('vendor/yaml/') ? [YAML_ROOT, relative.slice('vendor/yaml/'.length)] : [STATIC_ROOT, relative];
  const file = normalize(join(root, rest));
  if (!file.startsWith(root + sep)) return undefined;
  const contentType = TYPES[extname(file)];
  if (!contentType) return undefined;
  try {
    return { contentType, body: await readFile(file) };
  } catch {
    return undefined;
  }
}
