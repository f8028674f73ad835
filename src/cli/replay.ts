/**
 * `jetkube replay`: the cluster at any revision, or the history of one object, from the
 * live log or an exported file. The same fold the API server runs (ObjectStore.apply over
 * evolve), so what it prints is what the API served at that revision.
 *
 *   jetkube replay [--at REVISION] [-o table|yaml|json] [--file F]
 *   jetkube replay history <resource>/<name> [-n NS] [--file F]
 */
import { stringify } from 'yaml';
import type { KubeObject } from '../api/object.ts';
import { ObjectStore } from '../store/object-store.ts';
import { diffObjects, formatChange } from '../present/object-diff.ts';
import { formatTable } from '../present/print.ts';
import { progress } from '../present/progress.ts';
import { age } from '../present/human-duration.ts';
import { NATS_FLAG, natsUrlFrom, parseFlags } from './flags.ts';
import { openLogSource } from './log-source.ts';
import { resourceArg } from './resource-arg.ts';

const HELP = `Usage:
  jetkube replay [--at REVISION] [-o table|yaml|json] [--file FILE] [--nats-url URL]
      the whole cluster as it was at REVISION (default: the newest)
  jetkube replay history <resource>/<name> [-n NS] [--file FILE] [--nats-url URL]
      every change of one object: revision, time, type, and the fields it changed

  --file FILE   read a file written by \`jetkube export\` instead of the live log
`;

export async function replayCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    args,
    {
      ...NATS_FLAG,
      at: { type: 'string' },
      file: { type: 'string' },
      output: { type: 'string', short: 'o' },
      namespace: { type: 'string', short: 'n' },
    },
    HELP,
  );
  const file = values.file as string | undefined;
  if (positionals[0] === 'history') {
    const target = positionals[1];
    if (!target?.includes('/')) throw new Error('replay history needs <resource>/<name>, e.g. deployments/web');
    return history(target, (values.namespace as string | undefined) ?? 'default', natsUrlFrom(values), file);
  }
  if (positionals.length > 0) throw new Error(`unknown replay argument "${positionals[0]}"\n${HELP}`);
  const at = values.at === undefined ? undefined : parseRevision(values.at as string);
  return clusterAt(at, (values.output as string | undefined) ?? 'table', natsUrlFrom(values), file);
}

function parseRevision(text: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`--at takes a revision number, got "${text}"`);
  return Number(text);
}

async function clusterAt(at: number | undefined, output: string, natsUrl: string, file?: string): Promise<number> {
  const source = await openLogSource(at === undefined ? { natsUrl, file } : { natsUrl, file, toSeq: at });
  const store = new ObjectStore();
  const bar = progress(`replaying ${source.describe}`, source.total);
  let time = 0;
  try {
    for await (const entry of source.entries) {
      store.apply(entry);
      time = entry.time;
      bar.update(store.revision);
    }
  } finally {
    await source.close();
  }
  bar.finish(store.revision);
  const objects = store.resources().flatMap((resource) => store.list(resource).items);
  if (output === 'json') process.stdout.write(`${JSON.stringify(asList(objects, store.revision), null, 2)}\n`);
  else if (output === 'yaml') process.stdout.write(stringify(asList(objects, store.revision)));
  else {
    const now = new Date(time || Date.now());
    const rows = objects.map((o) => [
      kindOf(o),
      o.metadata.namespace ?? '',
      o.metadata.name ?? '',
      o.metadata.resourceVersion ?? '',
      age(o.metadata.creationTimestamp, now),
    ]);
    process.stdout.write(`revision ${store.revision}${time ? ` (${new Date(time).toISOString()})` : ''}: ${objects.length} objects\n`);
    if (rows.length > 0) process.stdout.write(formatTable(['KIND', 'NAMESPACE', 'NAME', 'REVISION', 'AGE'], rows));
  }
  return 0;
}

async function history(target: string, namespace: string, natsUrl: string, file?: string): Promise<number> {
  const { rt, name } = resourceArg(target);
  const ns = rt.namespaced ? namespace : '';
  const source = await openLogSource({ natsUrl, file });
  let previous: KubeObject | undefined;
  let changes = 0;
  try {
    for await (const entry of source.entries) {
      if (entry.key.resource !== rt.key || entry.key.namespace !== ns || entry.key.name !== name) continue;
      changes++;
      process.stdout.write(`revision ${entry.seq}  ${new Date(entry.time).toISOString()}  ${entry.type}\n`);
      const diff = entry.type === 'ADDED' ? [] : diffObjects(previous, entry.object);
      for (const change of diff) process.stdout.write(`    ${formatChange(change)}\n`);
      previous = entry.type === 'DELETED' ? undefined : entry.object;
    }
  } finally {
    await source.close();
  }
  if (changes === 0) {
    process.stderr.write(`no changes of ${rt.key}/${name}${ns ? ` in namespace ${ns}` : ''} in ${source.describe}\n`);
    return 1;
  }
  return 0;
}

function kindOf(object: KubeObject): string {
  return object.apiVersion.includes('/') ? `${object.kind}.${object.apiVersion.split('/')[0]}` : object.kind;
}

function asList(items: KubeObject[], revision: number) {
  return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: String(revision) }, items };
}

