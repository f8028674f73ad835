/**
 * The ResourceQuota admission plugin (validating, last in the chain), as Kubernetes'
 * quota evaluator: the request is checked against the namespace's quotas (check.ts) and,
 * when it raises a quota's usage, that usage is written to the quota's status BEFORE the
 * object is: an append pinned to the quota's resourceVersion. Of two API servers charging
 * one quota at once, the log lets one write win; the other re-reads the quota and checks
 * again, so concurrent creates never take a quota past its hard limit. An object whose
 * write then fails (a name taken) leaves its charge behind until the quota controller
 * recalculates, as in Kubernetes; deletes are never charged (the controller releases).
 *
 * Within one API server the requests of a namespace are charged in batches, as
 * Kubernetes' quota evaluator queues them: everything that arrived while the previous
 * batch was being written is checked in turn and charged with one write per quota. Each
 * write is remembered until the store catches up (Kubernetes' updatedQuotas), so one
 * server's requests never race each other, and only other servers' writes cost a
 * retry. A dry run is checked and charges nothing. Namespaces without a quota cost one
 * map lookup. Like Kubernetes' informer-fed quota lister, the store may not yet show a
 * quota created a moment ago on another server.
 */
import { conflict, STALE_OBJECT } from '../../api/errors.ts';
import type { KubeObject, ObjectKey } from '../../api/object.ts';
import { WrongLastSequenceError } from '../../../streams/errors.ts';
import { admissionForbidden, type AdmissionAttributes, type AdmissionContext, type AdmissionPlugin } from '../plugin.ts';
import { checkRequest, type QuotaCharge, type QuotaRequest } from './check.ts';
import { evaluatorFor, type Evaluator } from './evaluators.ts';
import { toStored } from './resource-list.ts';

export const RESOURCE_QUOTAS = 'resourcequotas';

/** Kinds Kubernetes never charges (its quota admission's ignored resources). */
const IGNORED = new Set(['events', 'events.events.k8s.io']);

/** Lost races with other API servers before the request gives up with a 409. */
const MAX_CHARGE_ATTEMPTS = 16;

interface Waiter {
  a: AdmissionAttributes;
  evaluator: Evaluator;
  request: QuotaRequest;
  resolve(): void;
  reject(error: unknown): void;
}

interface ServerState {
  /** Quotas this server wrote that its store may not show yet, by `ns/name`. */
  written: Map<string, KubeObject>;
  /** Requests waiting for the namespace's next batch. */
  pending: Map<string, Waiter[]>;
  /** Namespaces whose batches are being charged. */
  busy: Set<string>;
}

/** Per API server (by its store): the plugin object is shared by every server in a process. */
const servers = new WeakMap<object, ServerState>();

function stateOf(context: AdmissionContext): ServerState {
  let state = servers.get(context.store);
  if (!state) servers.set(context.store, (state = { written: new Map(), pending: new Map(), busy: new Set() }));
  return state;
}

const rv = (o: KubeObject | undefined) => Number(o?.metadata.resourceVersion ?? 0);
const nameOf = (o: KubeObject) => o.metadata.name ?? '';

/** The namespace's quotas, each at the newest of what the store shows and what this server wrote. */
function quotasIn(context: AdmissionContext, namespace: string): KubeObject[] {
  const { written } = stateOf(context);
  return context.store.list(RESOURCE_QUOTAS, namespace).items.map((stored) => {
    const key = `${namespace}/${stored.metadata.name}`;
    const mine = written.get(key);
    if (!mine) return stored;
    if (rv(mine) > rv(stored)) return mine;
    written.delete(key);
    return stored;
  });
}

export const resourceQuotaPlugin: AdmissionPlugin = {
  name: 'ResourceQuota',
  handles: (a) =>
    a.subresource === undefined && a.operation !== 'DELETE' && a.resource.namespaced && a.namespace !== '' && !IGNORED.has(a.resource.key),
  validate(a, context) {
    if (context.store.count(RESOURCE_QUOTAS, a.namespace) === 0) return;
    const evaluator = evaluatorFor(a.resource.key);
    if (!evaluator.handles(a.operation)) return;
    const request: QuotaRequest = { operation: a.operation, object: a.object, oldObject: a.oldObject, now: context.now() };
    // A refusal needs no turn in the batch: usage only grows between here and the charge.
    const first = checkRequest(quotasIn(context, a.namespace), evaluator, request);
    if (!first.ok) throw admissionForbidden(a, first.reason);
    if (first.charges.length === 0 || a.dryRun) return;
    return new Promise<void>((resolve, reject) => enqueue(context, a.namespace, { a, evaluator, request, resolve, reject }));
  },
};

/** Kubernetes' quota evaluator work queue: a namespace's waiting requests are charged together. */
function enqueue(context: AdmissionContext, namespace: string, waiter: Waiter): void {
  const state = stateOf(context);
  const waiting = state.pending.get(namespace);
  if (waiting) waiting.push(waiter);
  else state.pending.set(namespace, [waiter]);
  if (state.busy.has(namespace)) return;
  state.busy.add(namespace);
  void (async () => {
    try {
      for (let batch = state.pending.get(namespace); batch; batch = state.pending.get(namespace)) {
        state.pending.delete(namespace);
        await chargeBatch(context, namespace, batch);
      }
    } finally {
      state.busy.delete(namespace);
    }
  })();
}

interface Open {
  waiter: Waiter;
  /** After a lost race: only these quotas still lack this request's charge. */
  only?: Set<string>;
}

/**
 * checkQuotas: every request in turn against the quotas as the earlier ones in the batch
 * left them, then one pinned write per changed quota. A request is answered once every
 * quota it charged is written; those whose quota lost a race to another server are
 * checked again against that quota alone. Settles every waiter; never throws.
 */
async function chargeBatch(context: AdmissionContext, namespace: string, batch: Waiter[]): Promise<void> {
  let open: Open[] = batch.map((waiter) => ({ waiter }));
  for (let attempt = 0; open.length > 0; attempt++) {
    if (attempt >= MAX_CHARGE_ATTEMPTS) {
      for (const { waiter, only } of open) waiter.reject(conflict(RESOURCE_QUOTAS, '', [...(only ?? [])][0] ?? '', STALE_OBJECT));
      return;
    }
    const current = new Map(quotasIn(context, namespace).map((q) => [nameOf(q), q]));
    const running = new Map(current);
    const charged = new Map<Open, string[]>();
    for (const entry of open) {
      const { waiter } = entry;
      try {
        const quotas = [...running.values()].filter((q) => !entry.only || entry.only.has(nameOf(q)));
        const check = checkRequest(quotas, waiter.evaluator, waiter.request);
        if (!check.ok) {
          waiter.reject(admissionForbidden(waiter.a, check.reason));
          continue;
        }
        for (const c of check.charges) running.set(nameOf(c.quota), withUsed(c));
        charged.set(entry, check.charges.map((c) => nameOf(c.quota)));
      } catch (error) {
        waiter.reject(error);
      }
    }
    const changed = [...running].filter(([name, quota]) => quota !== current.get(name));
    const outcomes = await Promise.all(
      changed.map(([name, quota]) =>
        writeQuota(context, current.get(name)!, quota).then(
          (outcome) => [name, outcome] as const,
          (error: unknown) => [name, { error }] as const,
        ),
      ),
    );
    const lost = new Set<string>();
    const failed = new Map<string, unknown>();
    let newest = 0;
    for (const [name, outcome] of outcomes) {
      if (outcome === 'written') continue;
      if ('error' in outcome) failed.set(name, outcome.error);
      else {
        lost.add(name);
        newest = Math.max(newest, outcome.currentSeq);
      }
    }
    const next: Open[] = [];
    for (const [entry, names] of charged) {
      const error = names.map((n) => failed.get(n)).find((e) => e !== undefined);
      if (error !== undefined) entry.waiter.reject(error);
      else if (names.some((n) => lost.has(n))) next.push({ waiter: entry.waiter, only: new Set(names.filter((n) => lost.has(n))) });
      else entry.waiter.resolve();
    }
    open = next;
    if (open.length > 0) {
      context.logger.debug({ namespace, quotas: [...lost], requests: open.length, attempt }, 'quota charge lost a race; checking again');
      await context.reads.atLeast(newest).catch(() => undefined);
    }
  }
}

function withUsed(c: QuotaCharge): KubeObject {
  return { ...c.quota, status: { ...(c.quota.status as object | undefined), used: toStored(c.used) } };
}

/** The quota's new status, pinned to the version it was computed from. */
async function writeQuota(context: AdmissionContext, base: KubeObject, next: KubeObject): Promise<'written' | { currentSeq: number }> {
  const { resourceVersion: _ignored, ...metadata } = next.metadata;
  const object: KubeObject = { ...next, metadata };
  const key: ObjectKey = { resource: RESOURCE_QUOTAS, namespace: metadata.namespace ?? '', name: metadata.name ?? '' };
  try {
    const { seq } = await context.log.append(key, { type: 'MODIFIED', object }, { expectedLastSubjectSeq: rv(base) });
    stateOf(context).written.set(`${key.namespace}/${key.name}`, { ...object, metadata: { ...metadata, resourceVersion: String(seq) } });
    return 'written';
  } catch (error) {
    if (error instanceof WrongLastSequenceError) return { currentSeq: error.currentSeq };
    throw error;
  }
}
