/**
 * `jetkube replay`: the cluster at any point of its log, from the live stream or a file
 * written by `jetkube export`, or a range of either. The pure work lives in src/replay/;
 * this file parses flags, opens the source, shows progress and prints.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadPki } from '../http/pki.ts';
import { componentLogger } from '../log.ts';
import { STDIO, type CommandIo } from '../present/io.ts';
import { formatChange } from '../present/object-diff.ts';
import { OUTPUT_FORMATS, type OutputFormat } from '../present/print.ts';
import { progress, type Progress } from '../present/progress.ts';
import { decisionDifferences } from '../replay/decisions.ts';
import { formatWriters, objectHistory } from '../replay/history.ts';
import { auditedWriters, formatAuditedWriter, type AuditedWriter } from '../replay/audit-writers.ts';
import type { AuditEvent } from '../audit/event.ts';
import { readAuditEvents } from '../../streams/audit-stream.ts';
import { connectNats, drainNats } from '../../streams/connection.ts';
import { LogUnavailableError } from '../../streams/errors.ts';
import { printSelection, selectObjects } from '../replay/select.ts';
import { serveReplay } from '../replay/serve.ts';
import { describePoint, foldTo, parseReplayPoint, type ReplayPoint } from '../replay/timeline.ts';
import { whyPod } from '../replay/why.ts';
import type { LogEntry } from '../store/log-entry.ts';
import { LogFileError } from '../store/log-file.ts';
import { NATS_FLAG, natsUrlFrom, parseFlags } from './flags.ts';
import { openLogSource, type LogSource } from './log-source.ts';
import { resourceArg } from './resource-arg.ts';
import { resolveEncryption } from '../encryption/config-file.ts';
import { withSecretsOpened } from '../encryption/opened-source.ts';

const HELP = `Usage:
  jetkube replay [RESOURCE[,RESOURCE...] [NAME...]] [--at POINT] [-n NS | -A] [-l SEL] [-o FORMAT]
      the cluster as it was at POINT (default: the newest revision), printed as kubectl
      prints it; no RESOURCE: every kind in every namespace
  jetkube replay --serve [--at POINT] [--api-address HOST:PORT] [--data-dir DIR] [--kubeconfig FILE]
      a read-only API server on that state, for kubectl (writes answer 405)
  jetkube replay history <kind>/<name> [-n NS]
      every change of one object: revision, time, who wrote it, and a diff per step
  jetkube replay why pod/<name> [-n NS]
      the chain that created, scheduled, started and ended a pod, in plain words
  jetkube replay controllers [--from REVISION] [--to REVISION] [--window N]
      re-run the controllers' decisions over the log; list where they now decide differently
      (exit 1 when they do)

  --at POINT            a revision (1200) or an RFC 3339 time (2026-11-25T18:00:00Z: the last
                        revision the log stored at or before it)
  --file FILE           read a file written by \`jetkube export\` instead of the live log
  --nats-url URL        the live log's NATS server (default $NATS_URL or nats://127.0.0.1:4222)
  -o, --output FORMAT   table (default), wide, yaml, json, name
  --api-address ADDR    where --serve listens (default 127.0.0.1:0: a free port, printed)
  --data-dir DIR        serve HTTPS with the PKI of that cluster's data dir (DIR/pki), and decrypt
                        its Secrets with DIR/encryption-config.yaml when there
  --encryption-provider-config FILE
                        decrypt Secrets with this EncryptionConfiguration; without a config they
                        are shown with their data withheld (the log holds them encrypted)
  --progress            show progress even when stderr is not a terminal
`;

const FLAGS = {
  ...NATS_FLAG,
  at: { type: 'string' },
  file: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  window: { type: 'string' },
  output: { type: 'string', short: 'o' },
  namespace: { type: 'string', short: 'n' },
  'all-namespaces': { type: 'boolean', short: 'A' },
  selector: { type: 'string', short: 'l' },
  'field-selector': { type: 'string' },
  serve: { type: 'boolean' },
  'api-address': { type: 'string' },
  'data-dir': { type: 'string' },
  'encryption-provider-config': { type: 'string' },
  kubeconfig: { type: 'string' },
  progress: { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parseFlags<typeof FLAGS>>['values'];

export async function replayCommand(args: string[], io: CommandIo = STDIO): Promise<number> {
  const { values, positionals } = parseFlags(args, FLAGS, HELP);
  const [first, ...rest] = positionals;
  if (first === 'history' || first === 'why') {
    const target = rest[0];
    if (!target?.includes('/') || rest.length > 1) throw new Error(`replay ${first} needs one <kind>/<name>, e.g. ${first === 'why' ? 'pod/web-7d9c-x2x4q' : 'deployments/web'}`);
    return first === 'history' ? history(target, values, io) : why(target, values, io);
  }
  if (first === 'controllers') return controllers(values, io);
  if (values.serve) {
    if (positionals.length > 0) throw new Error('replay --serve takes no resource arguments');
    return serve(values, io);
  }
  return clusterAt(positionals, values, io);
}

function pointOf(values: Values): ReplayPoint | undefined {
  return values.at === undefined ? undefined : parseReplayPoint(values.at);
}

function revisionFlag(values: Values, name: 'from' | 'to'): number | undefined {
  const text = values[name];
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new Error(`--${name} takes a revision number, got "${text}"`);
  return Number(text);
}

async function open(values: Values, range: { fromSeq?: number; toSeq?: number } = {}, stateAt?: { point: ReplayPoint | undefined }): Promise<LogSource> {
  const configFile = values['encryption-provider-config'];
  const dataDir = values['data-dir'];
  const { encryption } = await resolveEncryption({ ...(configFile ? { configFile } : {}), ...(dataDir ? { dataDir } : {}) });
  const source = await openLogSource({
    natsUrl: natsUrlFrom(values),
    ...(values.file ? { file: values.file } : {}),
    ...(range.fromSeq !== undefined ? { fromSeq: range.fromSeq } : {}),
    ...(range.toSeq !== undefined ? { toSeq: range.toSeq } : {}),
    ...(stateAt ? { fromSnapshot: stateAt } : {}),
  });
  return withSecretsOpened(source, encryption, (note) => process.stderr.write(note));
}

/** Readers of every change over a compacted live log see only the latest message of each object before the compaction point. */
function warnCompacted(io: CommandIo, source: LogSource): void {
  if (source.compactedBefore !== undefined) {
    io.err(`warning: the log is compacted before revision ${source.compactedBefore}: earlier changes are gone (only each object's state then is kept)\n`);
  }
}

/** Counts entries into a progress bar as they pass. */
function tracked(source: LogSource, bar: Progress, counter: { n: number }) {
  return () => {
    counter.n++;
    bar.update(counter.n, source.fraction());
  };
}

/** The source's entries counted into a progress bar as they pass; finish() closes the bar. */
function withProgress(source: LogSource, label: string, values: Values, entries: AsyncIterable<LogEntry> = source.entries) {
  const bar = progress(`${label} ${source.describe}`, source.total, { force: values.progress === true });
  const counter = { n: 0 };
  const onEntry = tracked(source, bar, counter);
  return {
    entries: {
      async *[Symbol.asyncIterator]() {
        for await (const entry of entries) {
          onEntry();
          yield entry;
        }
      },
    } as AsyncIterable<LogEntry>,
    finish: () => bar.finish(counter.n),
  };
}

/** The source's entries, stopping (with the damage kept) at the first sign of a damaged file. */
function untilDamage(entries: AsyncIterable<LogEntry>, found: { damage?: LogFileError }): AsyncIterable<LogEntry> {
  return {
    async *[Symbol.asyncIterator]() {
      try {
        yield* entries;
      } catch (error) {
        if (!(error instanceof LogFileError)) throw error;
        found.damage = error;
      }
    },
  };
}

function warnDamage(io: CommandIo, damage: LogFileError | undefined, what: string): void {
  if (damage) io.err(`warning: ${damage.message}; ${what}\n`);
}

async function clusterAt(positionals: string[], values: Values, io: CommandIo): Promise<number> {
  const format = (values.output ?? 'table') as OutputFormat;
  if (!OUTPUT_FORMATS.includes(format)) throw new Error(`unknown output format "${format}"; use one of ${OUTPUT_FORMATS.join(', ')}`);
  const point = pointOf(values);
  const source = await open(values, point && 'revision' in point ? { toSeq: point.revision } : {}, { point });
  const bar = progress(`replaying ${source.describe}`, source.total, { force: values.progress === true });
  const counter = { n: 0 };
  let folded;
  try {
    folded = await foldTo(source.entries, point, { onEntry: tracked(source, bar, counter), ...(source.base ? { base: source.base } : {}) });
  } finally {
    await source.close();
  }
  bar.finish(counter.n);
  warnDamage(io, folded.damage, `the state at ${describePoint(point)} is whole`);
  const [resources = '', ...names] = positionals;
  const allNamespaces = values['all-namespaces'] === true || (resources === '' && values.namespace === undefined);
  const kinds = selectObjects(folded.store, {
    resources: resources ? [resources] : [],
    names,
    ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
    allNamespaces,
    ...(values.selector ? { labelSelector: values.selector } : {}),
    ...(values['field-selector'] ? { fieldSelector: values['field-selector'] } : {}),
  });
  const at = `revision ${folded.revision}${folded.time ? ` (${new Date(folded.time).toISOString()})` : ''}`;
  if (format === 'table' || format === 'wide') io.err(`${at}\n`);
  let code = 0;
  for (const kind of kinds) {
    for (const name of kind.missing) {
      io.err(`Error from server (NotFound): ${kind.rt.group ? `${kind.rt.plural}.${kind.rt.group}` : kind.rt.plural} "${name}" not found at ${at}\n`);
      code = 1;
    }
  }
  const single = kinds.length === 1 && kinds[0]!.objects.length + kinds[0]!.missing.length === 1 && names.length + (resources.includes('/') ? 1 : 0) === 1;
  const out = printSelection(kinds, format, { allNamespaces, now: new Date(folded.time || Date.now()), single });
  if (kinds.every((k) => k.objects.length === 0) && (format === 'table' || format === 'wide')) {
    if (code === 0) io.err(`No resources found at ${at}.\n`);
  } else io.out(out);
  return code;
}

async function serve(values: Values, io: CommandIo): Promise<number> {
  const point = pointOf(values);
  const source = await open(values, point && 'revision' in point ? { toSeq: point.revision } : {}, { point });
  const bar = progress(`replaying ${source.describe}`, source.total, { force: values.progress === true });
  const counter = { n: 0 };
  const dataDir = values['data-dir'];
  const pki = dataDir ? await loadPki(resolve(dataDir, 'pki')) : undefined;
  const scratch = values.kubeconfig ? undefined : await mkdtemp(join(tmpdir(), 'jetkube-replay-'));
  const kubeconfigPath = values.kubeconfig ? resolve(values.kubeconfig) : join(scratch!, 'kubeconfig');
  let served;
  try {
    served = await serveReplay({
      entries: source.entries,
      point,
      address: values['api-address'] ?? '127.0.0.1:0',
      ...(pki ? { pki } : {}),
      kubeconfigPath,
      logger: componentLogger('replay-server'),
      onEntry: tracked(source, bar, counter),
      ...(source.base ? { base: source.base } : {}),
    });
  } finally {
    await source.close();
  }
  bar.finish(counter.n);
  warnDamage(io, served.damage, `serving the state at ${describePoint(point)}, which is whole`);
  io.out(
    `serving revision ${served.revision}${served.time ? ` (${new Date(served.time).toISOString()})` : ''}, ${served.objects} objects, read-only at ${served.url}\n` +
      `kubeconfig: ${served.kubeconfigPath}\n` +
      `  kubectl --kubeconfig ${served.kubeconfigPath} get deploy,rs,pods -A\n` +
      `Ctrl-C stops it.\n`,
  );
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await served.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
  return 0;
}

async function history(target: string, values: Values, io: CommandIo): Promise<number> {
  const { rt, name } = resourceArg(target);
  const ns = rt.namespaced ? (values.namespace ?? 'default') : '';
  const source = await open(values, { ...rangeOf(values) });
  warnCompacted(io, source);
  const found: { damage?: LogFileError } = {};
  const read = withProgress(source, 'reading', values, untilDamage(source.entries, found));
  let steps;
  try {
    steps = await objectHistory(read.entries, { resource: rt.key, namespace: ns, name: name! });
  } finally {
    await source.close();
  }
  read.finish();
  warnDamage(io, found.damage, 'the history shown ends there');
  if (steps.length === 0) {
    io.err(`no changes of ${rt.key}/${name}${ns ? ` in namespace ${ns}` : ''} in ${source.describe}\n`);
    return 1;
  }
  const audited = values.file ? undefined : await auditedWritersOf(values, rt.key, ns, name!);
  io.out(
    audited
      ? `(who: the managedFields entries each write added or changed, and the user the audit trail recorded for that revision)\n`
      : `(who: the managedFields entries each write added or changed${values.file ? '; an export file carries no audit trail' : '; no audit stream on this NATS server'})\n`,
  );
  let uid: string | undefined;
  for (const step of steps) {
    if (uid !== undefined && step.uid !== uid && step.type === 'ADDED') io.out(`-- created again under the same name (new uid ${step.uid}) --\n`);
    uid = step.uid;
    io.out(`revision ${step.seq}  ${new Date(step.time).toISOString()}  ${step.type}  ${formatWriters(step)}${formatAuditedWriter(audited?.get(step.seq))}\n`);
    for (const change of step.changes) io.out(`    ${formatChange(change)}\n`);
  }
  return 0;
}

/** The audit trail's writers of one object by revision, or undefined when the live NATS has no AUDIT stream. */
async function auditedWritersOf(values: Values, resource: string, namespace: string, name: string): Promise<Map<number, AuditedWriter> | undefined> {
  const nc = await connectNats(natsUrlFrom(values), 'jetkube-replay-audit');
  try {
    const events: AuditEvent[] = [];
    for await (const stored of readAuditEvents(nc, { filter: { resource, namespace }, follow: false })) events.push(stored.event);
    return auditedWriters(events, name);
  } catch (error) {
    if (error instanceof LogUnavailableError) return undefined;
    throw error;
  } finally {
    await drainNats(nc);
  }
}

function rangeOf(values: Values): { fromSeq?: number; toSeq?: number } {
  const from = revisionFlag(values, 'from');
  const to = revisionFlag(values, 'to');
  return { ...(from !== undefined ? { fromSeq: from } : {}), ...(to !== undefined ? { toSeq: to } : {}) };
}

async function why(target: string, values: Values, io: CommandIo): Promise<number> {
  const { rt, name } = resourceArg(target);
  if (rt.key !== 'pods') throw new Error(`replay why explains pods: pod/<name>, not ${rt.key}`);
  const ns = values.namespace ?? 'default';
  const to = revisionFlag(values, 'to');
  const source = await open(values, to !== undefined ? { toSeq: to } : {});
  warnCompacted(io, source);
  const found: { damage?: LogFileError } = {};
  const read = withProgress(source, 'reading', values, untilDamage(source.entries, found));
  let lines;
  try {
    lines = await whyPod(read.entries, ns, name!);
  } finally {
    await source.close();
  }
  read.finish();
  warnDamage(io, found.damage, 'the story shown ends there');
  if (lines.length === 0) {
    io.err(`pod ${name} in namespace ${ns} never appears in ${source.describe}\n`);
    return 1;
  }
  for (const line of lines) io.out(`${new Date(line.time).toISOString()}  rev ${String(line.seq).padStart(6)}  ${line.text}\n`);
  return 0;
}

async function controllers(values: Values, io: CommandIo): Promise<number> {
  const { fromSeq, toSeq } = rangeOf(values);
  const window = values.window === undefined ? undefined : Number(values.window);
  if (window !== undefined && (!Number.isSafeInteger(window) || window < 1)) throw new Error(`--window takes a positive number, got "${values.window}"`);
  // The state before --from is folded too: the decisions need the caches as they were.
  const source = await open(values, toSeq !== undefined ? { toSeq } : {});
  warnCompacted(io, source);
  const found: { damage?: LogFileError } = {};
  const read = withProgress(source, 're-deciding', values, untilDamage(source.entries, found));
  let result;
  try {
    result = await decisionDifferences(read.entries, { ...(fromSeq !== undefined ? { fromSeq } : {}), ...(toSeq !== undefined ? { toSeq } : {}), ...(window ? { window } : {}) });
  } finally {
    await source.close();
  }
  read.finish();
  warnDamage(io, found.damage, 'the check covers the good part only');
  const range = `revisions ${fromSeq ?? 1}..${toSeq ?? 'end'}`;
  io.out(`${result.checked} controller writes in ${range} checked against the current decisions: ${result.differences.length} differences\n`);
  for (const d of result.differences) {
    if (d.kind === 'pending') {
      io.out(`end of the log (revision ${d.seq})  ${d.controller}: the current decisions still ask for\n    ${d.wouldNow.join('\n    ')}\n  and the recorded controllers never wrote it\n`);
      continue;
    }
    io.out(`revision ${d.seq}  ${new Date(d.time).toISOString()}  ${d.controller}: the log recorded\n    ${d.recorded}\n`);
    io.out(d.wouldNow.length === 0 ? `  the current decisions asked nothing of it\n` : `  the current decisions asked for\n${d.wouldNow.map((k) => `    ${k}\n`).join('')}`);
  }
  return result.differences.length === 0 ? 0 : 1;
}
