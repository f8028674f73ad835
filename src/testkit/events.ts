/**
 * The events a testkit scenario is made of, and what each does to the in-memory API.
 * Events are plain JSON (so a failing sequence prints, and shrinks, as data):
 *   create      a writer creates an object (409 if it exists: dropped, as a client would);
 *   update      a writer merge-patches an object; `stale` writes with the resourceVersion
 *               it read before the object's last write, so a concurrent writer's change
 *               makes it a 409 Conflict that is dropped (optimistic concurrency);
 *   delete      by name, or `pick`: the pick-th (modulo) live object of the resource,
 *               for objects with generated names;
 *   nodeFailure the node stops reporting: Ready=Unknown and the unreachable taints, as
 *               the node lifecycle controller marks it; nodeRecover undoes it;
 *   clock       the fake clock moves `ms` forward;
 *   reconcile   the controllers run `rounds` rounds (the harness's part, not the API's);
 *   settle      the controllers run until a round writes nothing (the harness's part too).
 */
import type { JsonObject, KubeObject } from '../api/object.ts';
import { applyMergePatch } from '../api/patch.ts';
import type { MemoryApi, WriteOutcome } from './memory-api.ts';

export type TestEvent =
  | { type: 'create'; writer?: string; object: KubeObject }
  | { type: 'update'; writer?: string; resource: string; namespace: string; name: string; patch: JsonObject; stale?: boolean }
  | { type: 'delete'; writer?: string; resource: string; namespace: string; name?: string; pick?: number }
  | { type: 'nodeFailure'; node: string }
  | { type: 'nodeRecover'; node: string }
  | { type: 'clock'; ms: number }
  | { type: 'reconcile'; rounds: number }
  | { type: 'settle' };

export const UNREACHABLE_TAINTS = [
  { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
];

/** Applies a user-side event (not reconcile) to the API; the outcome says whether it wrote. */
export function applyEvent(api: MemoryApi, event: Exclude<TestEvent, { type: 'reconcile' } | { type: 'settle' }>): WriteOutcome | undefined {
  switch (event.type) {
    case 'create':
      return api.create(event.object);
    case 'update': {
      const current = api.get(event.resource, event.namespace, event.name);
      if (!current) return { ok: false, code: 404, reason: `${event.resource} "${event.name}" not found` };
      const next = applyMergePatch(structuredClone(current), event.patch) as unknown as KubeObject;
      const stale = event.stale ? api.staleVersionOf(event.resource, event.namespace, event.name) : undefined;
      next.metadata = { ...next.metadata, resourceVersion: stale ?? current.metadata.resourceVersion };
      return api.update(next);
    }
    case 'delete': {
      if (event.name !== undefined) return api.delete(event.resource, event.namespace, event.name);
      const live = api.list(event.resource, event.namespace);
      if (live.length === 0) return undefined;
      const victim = live[(event.pick ?? 0) % live.length]!;
      return api.delete(event.resource, event.namespace, victim.metadata.name!);
    }
    case 'nodeFailure':
    case 'nodeRecover': {
      const node = api.get('nodes', '', event.node);
      if (!node) return { ok: false, code: 404, reason: `node "${event.node}" not found` };
      const failed = event.type === 'nodeFailure';
      const spec = (node.spec ?? {}) as { taints?: { key: string; effect: string }[] };
      const others = (spec.taints ?? []).filter((t) => t.key !== 'node.kubernetes.io/unreachable');
      const withTaints = api.update({ ...node, spec: { ...spec, taints: failed ? [...others, ...UNREACHABLE_TAINTS.map((t) => ({ ...t, timeAdded: new Date(api.now).toISOString() }))] : others } });
      if (!withTaints.ok) return withTaints;
      const status = (withTaints.object.status ?? {}) as { conditions?: { type: string }[] };
      const conditions = (status.conditions ?? []).filter((c) => c.type !== 'Ready');
      const ready = failed
        ? { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' }
        : { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' };
      return api.update({ ...withTaints.object, status: { ...status, conditions: [...conditions, { ...ready, lastTransitionTime: new Date(api.now).toISOString() }] } }, { subresource: 'status' });
    }
    case 'clock':
      api.advance(event.ms);
      return undefined;
  }
}

/** One line per event, for printing a failing sequence. */
export function describeEvent(event: TestEvent): string {
  const who = 'writer' in event && event.writer ? `[${event.writer}] ` : '';
  switch (event.type) {
    case 'create':
      return `${who}create ${event.object.kind} ${event.object.metadata.namespace ? `${event.object.metadata.namespace}/` : ''}${event.object.metadata.name ?? `${event.object.metadata.generateName ?? ''}*`}`;
    case 'update':
      return `${who}update ${event.resource} ${event.namespace}/${event.name}${event.stale ? ' (stale read)' : ''} ${JSON.stringify(event.patch)}`;
    case 'delete':
      return `${who}delete ${event.resource} ${event.namespace}/${event.name ?? `#${event.pick ?? 0}`}`;
    case 'nodeFailure':
      return `node ${event.node} fails`;
    case 'nodeRecover':
      return `node ${event.node} recovers`;
    case 'clock':
      return `clock +${event.ms} ms`;
    case 'reconcile':
      return `reconcile x${event.rounds}`;
    case 'settle':
      return 'settle';
  }
}

type Ref = { resource: string; namespace: string; name: string };

/** Event constructors, for setup prefixes and examples. */
export const event = {
  create: (object: KubeObject, writer?: string): TestEvent => ({ type: 'create', object, ...(writer ? { writer } : {}) }),
  update: (target: Ref, patch: JsonObject, options: { writer?: string; stale?: boolean } = {}): TestEvent => ({ type: 'update', ...target, patch, ...options }),
  delete: (target: Ref, writer?: string): TestEvent => ({ type: 'delete', ...target, ...(writer ? { writer } : {}) }),
  nodeFailure: (node: string): TestEvent => ({ type: 'nodeFailure', node }),
  nodeRecover: (node: string): TestEvent => ({ type: 'nodeRecover', node }),
  clock: (ms: number): TestEvent => ({ type: 'clock', ms }),
  reconcile: (rounds = 1): TestEvent => ({ type: 'reconcile', rounds }),
  settle: (): TestEvent => ({ type: 'settle' }),
};
