/**
 * `jetkube audit`: the AUDIT stream's records of writes, oldest first, filtered by user,
 * verb, resource, namespace, age and status code; -f keeps following new ones (Ctrl-C
 * stops). Verb, resource and namespace filter on the server (they are subject tokens);
 * user and code on this side. -o json prints each audit.k8s.io/v1 Event on its own line.
 */
import { readAuditEvents, type AuditSubjectFilter } from '../../streams/audit-stream.ts';
import { connectNats, drainNats } from '../../streams/connection.ts';
import { AUDITED_VERBS } from '../audit/event.ts';
import { AUDIT_COLUMNS, auditRow, codeMatcher, matches, parseDuration, type ClientFilter } from '../audit/query.ts';
import { formatTable } from '../present/print.ts';
import { STDIO, type CommandIo } from '../present/io.ts';
import { NATS_FLAG, natsUrlFrom, parseFlags } from './flags.ts';
import { resourceArg } from './resource-arg.ts';

const HELP = `Usage: jetkube audit [flags]
  --user NAME          only requests by this user (system:nats: the cluster's components over NATS)
  --verb VERB          create, update, patch, delete or deletecollection
  --resource TYPE      pods, deploy, deployments.apps, ...
  -n, --namespace NS   only objects in this namespace
  --since DURATION     only records newer than this (90s, 15m, 1h30m, 2d)
  --code CODE          only answers with this status code (403) or class (4xx)
  -f, --follow         keep printing new records until interrupted
  -o, --output FORMAT  table (default) or json (one audit.k8s.io/v1 Event per line)
  --nats-url URL       default $NATS_URL or nats://127.0.0.1:4222
`;

const FLAGS = {
  ...NATS_FLAG,
  user: { type: 'string' },
  verb: { type: 'string' },
  resource: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  since: { type: 'string' },
  code: { type: 'string' },
  follow: { type: 'boolean', short: 'f' },
  output: { type: 'string', short: 'o' },
} as const;

export interface AuditQuery {
  subjects: AuditSubjectFilter;
  client: ClientFilter;
  since?: Date;
  follow: boolean;
  output: 'table' | 'json';
}

/** The flags as a query; a bad value is an Error with the message to print. */
export function auditQueryFrom(values: { user?: string; verb?: string; resource?: string; namespace?: string; since?: string; code?: string; follow?: boolean; output?: string }, now: Date): AuditQuery {
  const subjects: AuditSubjectFilter = {};
  if (values.verb !== undefined) {
    if (!AUDITED_VERBS.has(values.verb as never)) throw new Error(`--verb must be one of ${[...AUDITED_VERBS].join(', ')} (reads are not audited)`);
    subjects.verb = values.verb;
  }
  if (values.resource !== undefined) subjects.resource = resourceArg(values.resource).rt.key;
  if (values.namespace !== undefined) subjects.namespace = values.namespace;
  const output = values.output ?? 'table';
  if (output !== 'table' && output !== 'json') throw new Error(`--output must be table or json, not "${output}"`);
  return {
    subjects,
    client: { ...(values.user !== undefined ? { user: values.user } : {}), ...(values.code !== undefined ? { code: codeMatcher(values.code) } : {}) },
    ...(values.since !== undefined ? { since: new Date(now.getTime() - parseDuration(values.since)) } : {}),
    follow: values.follow === true,
    output,
  };
}

export async function auditCommand(args: string[], io: CommandIo = STDIO): Promise<number> {
  const { values } = parseFlags(args, FLAGS, HELP);
  let query: AuditQuery;
  try {
    query = auditQueryFrom(values, new Date());
  } catch (error) {
    io.err(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  const nc = await connectNats(natsUrlFrom(values), 'jetkube-audit');
  const abort = new AbortController();
  const interrupted = () => abort.abort();
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    await printAudit(nc, query, io, abort.signal);
    return 0;
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await drainNats(nc).catch(() => {});
  }
}

/**
 * Prints the records. A table is laid out once the stored records are read (widths from
 * them); with --follow, later rows keep those widths.
 */
export async function printAudit(nc: Parameters<typeof readAuditEvents>[0], query: AuditQuery, io: CommandIo, signal?: AbortSignal): Promise<void> {
  const json = query.output === 'json';
  let pending: string[][] | undefined = json ? undefined : [];
  let widths: number[] = [];
  let printedAny = false;
  const printPending = () => {
    if (!pending) return;
    const rows = pending;
    pending = undefined;
    if (rows.length === 0 && !query.follow) {
      io.err('No audit records found.\n');
      return;
    }
    widths = AUDIT_COLUMNS.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    io.out(formatTable(AUDIT_COLUMNS, rows));
    printedAny = true;
  };
  const records = readAuditEvents(nc, { filter: query.subjects, follow: query.follow, ...(query.since ? { since: query.since } : {}), ...(signal ? { signal } : {}) }, printPending);
  for await (const { event } of records) {
    if (!matches(event, query.client)) continue;
    if (json) {
      io.out(`${JSON.stringify(event)}\n`);
      printedAny = true;
    } else if (pending) pending.push(auditRow(event));
    else io.out(`${padded(auditRow(event), widths)}\n`);
  }
  printPending();
  if (json && !printedAny && !query.follow) io.err('No audit records found.\n');
}

function padded(cells: string[], widths: number[]): string {
  return cells
    .map((c, i) => (i === cells.length - 1 ? c : c.padEnd((widths[i] ?? 0) + 3)))
    .join('')
    .trimEnd();
}
