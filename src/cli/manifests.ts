/**
 * Reads manifests as kubectl does: YAML (several documents separated by ---) or JSON, from
 * files, directories (their .yaml/.yml/.json files) or stdin ("-"). A List's items count
 * as documents. A parse error names the file and line.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { isPlainObject, type KubeObject } from '../api/object.ts';

export async function readManifests(paths: string[]): Promise<{ source: string; object: KubeObject }[]> {
  const out: { source: string; object: KubeObject }[] = [];
  for (const path of paths) {
    for (const file of await expand(path)) {
      const text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
      for (const object of parseManifestText(text, file)) out.push({ source: file, object });
    }
  }
  return out;
}

export function parseManifestText(text: string, source: string): KubeObject[] {
  const documents = parseAllDocuments(text);
  const objects: KubeObject[] = [];
  for (const doc of Array.isArray(documents) ? documents : [documents]) {
    const error = doc.errors[0];
    if (error) {
      const line = error.linePos?.[0]?.line;
      throw new Error(`error parsing ${source}${line ? ` (line ${line})` : ''}: ${error.message.split('\n')[0]}`);
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (!isPlainObject(value)) throw new Error(`error parsing ${source}: a document must be an object, not ${typeof value}`);
    if (typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) {
      for (const item of value.items) objects.push(checkObject(item, source));
    } else {
      objects.push(checkObject(value, source));
    }
  }
  return objects;
}

function checkObject(value: unknown, source: string): KubeObject {
  if (!isPlainObject(value)) throw new Error(`error parsing ${source}: an item must be an object`);
  if (typeof value.apiVersion !== 'string' || typeof value.kind !== 'string') {
    throw new Error(`error validating ${source}: apiVersion and kind must be set (got apiVersion=${String(value.apiVersion)}, kind=${String(value.kind)})`);
  }
  return { ...value, metadata: isPlainObject(value.metadata) ? value.metadata : {} } as KubeObject;
}

async function expand(path: string): Promise<string[]> {
  if (path === '-') return ['-'];
  const info = await stat(path);
  if (!info.isDirectory()) return [path];
  const entries = (await readdir(path)).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
  return entries.map((f) => join(path, f));
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
