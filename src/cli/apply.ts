/**
 * `jetkube apply -f FILE`: create each object, or update it when it exists, over the NATS
 * face. The update merges the manifest into the live object (a JSON merge patch without
 * status), so fields that controllers own are left alone. kubectl's three-way apply with
 * its last-applied annotation belongs to the HTTP API.
 */
import { isDeepStrictEqual } from 'node:util';
import { StatusError } from '../api/errors.ts';
import type { KubeObject } from '../api/object.ts';
import { resourceForKind } from '../api/registry.ts';
import { ApiClient } from '../client/api-client.ts';
import { qualifiedKind } from '../present/print.ts';
import { NATS_FLAG, natsUrlFrom, parseFlags } from './flags.ts';
import { readManifests } from './manifests.ts';

const HELP = `Usage: jetkube apply -f FILE [-f FILE...] [-n NS] [--nats-url URL]

  -f, --filename FILE   a YAML or JSON file, a directory of them, or - for stdin
  -n, --namespace NS    namespace for objects that name none (default "default")
`;

export async function applyCommand(args: string[]): Promise<number> {
  const { values } = parseFlags(
    args,
    { ...NATS_FLAG, filename: { type: 'string', short: 'f', multiple: true }, namespace: { type: 'string', short: 'n' } },
    HELP,
  );
  const files = (values.filename as string[] | undefined) ?? [];
  if (files.length === 0) {
    process.stderr.write(`error: must specify one of -f\n\n${HELP}`);
    return 1;
  }
  const manifests = await readManifests(files);
  const client = await ApiClient.connect(natsUrlFrom(values), 'jetkube-cli', { fieldManager: 'jetkube' });
  let failures = 0;
  try {
    for (const { source, object } of manifests) {
      try {
        process.stdout.write(`${await applyOne(client, object, (values.namespace as string | undefined) ?? 'default')}\n`);
      } catch (error) {
        failures++;
        const text = error instanceof StatusError ? `Error from server (${error.reason}): ${error.message}` : String(error);
        process.stderr.write(`${text} (from ${source})\n`);
      }
    }
  } finally {
    await client.close();
  }
  return failures > 0 ? 1 : 0;
}

async function applyOne(client: ApiClient, object: KubeObject, defaultNamespace: string): Promise<string> {
  const rt = resourceForKind(object.apiVersion, object.kind);
  if (!rt) throw new Error(`no matches for kind "${object.kind}" in version "${object.apiVersion}"`);
  const namespace = rt.namespaced ? (object.metadata.namespace ?? defaultNamespace) : undefined;
  const manifest = { ...object, metadata: { ...object.metadata, ...(namespace ? { namespace } : {}) } };
  const name = manifest.metadata.name ?? '';
  const label = `${qualifiedKind(rt)}/${name}`;
  let live: KubeObject | undefined;
  try {
    live = await client.get(rt.key, namespace, name);
  } catch (error) {
    if (!(error instanceof StatusError && error.code === 404)) throw error;
  }
  if (!live) {
    await client.create(rt.key, manifest);
    return `${label} created`;
  }
  const { status: _status, ...desired } = manifest as KubeObject & { status?: unknown };
  const updated = await client.patch(rt.key, namespace, name, desired, 'merge');
  return isDeepStrictEqual(updated.metadata.resourceVersion, live.metadata.resourceVersion) ? `${label} unchanged` : `${label} configured`;
}
