/**
 * fast-check arbitraries for event sequences: writers interleaved at random, updates that
 * conflict (a stale read's resourceVersion), deletes, node failures and recoveries, clock
 * steps, and reconcile rounds between them. Each kind of event is generated only when its
 * option is given; targets are named, so an event whose object is not there yet is a
 * harmless 404, and shrinking can drop any event on its own.
 */
import fc from 'fast-check';
import type { JsonObject, KubeObject } from '../api/object.ts';
import type { TestEvent } from './events.ts';

export interface Target {
  resource: string;
  namespace: string;
  name: string;
}

export interface EventSequenceOptions {
  /** Objects some writer creates. */
  creates?: fc.Arbitrary<KubeObject>;
  /** Merge patches some writer applies to one of the targets. */
  updates?: { targets: readonly Target[]; patch: fc.Arbitrary<JsonObject>; staleRate?: number };
  /** Deletes: of named targets, and/or of any live object of these resources (picked by index). */
  deletes?: { targets?: readonly Target[]; anyOf?: readonly { resource: string; namespace: string }[] };
  /** Node names that may fail and recover. */
  nodes?: readonly string[];
  /** Clock steps up to this many ms. */
  maxClockStepMs?: number;
  /** Reconcile rounds between events, up to this many at once (default 3; 0: none, the harness only settles). */
  maxRounds?: number;
  /** Writer names to interleave (default: one writer, "user"). */
  writers?: readonly string[];
  /** Events first in every sequence (the setup: namespaces, nodes, the object under test). */
  prefix?: readonly TestEvent[];
  minLength?: number;
  maxLength?: number;
}

export function eventSequence(options: EventSequenceOptions): fc.Arbitrary<TestEvent[]> {
  const writer = fc.constantFrom(...(options.writers?.length ? options.writers : ['user']));
  const kinds: fc.Arbitrary<TestEvent>[] = [];
  if (options.creates) kinds.push(fc.record({ writer, object: options.creates }).map(({ writer, object }) => ({ type: 'create' as const, writer, object })));
  if (options.updates && options.updates.targets.length > 0) {
    const { targets, patch, staleRate = 0.25 } = options.updates;
    kinds.push(
      fc
        .record({ writer, target: fc.constantFrom(...targets), patch, stale: fc.double({ min: 0, max: 1, noNaN: true }).map((x) => x < staleRate) })
        .map(({ writer, target, patch, stale }) => ({ type: 'update' as const, writer, ...target, patch, ...(stale ? { stale: true } : {}) })),
    );
  }
  if (options.deletes?.targets?.length) kinds.push(fc.record({ writer, target: fc.constantFrom(...options.deletes.targets) }).map(({ writer, target }) => ({ type: 'delete' as const, writer, ...target })));
  if (options.deletes?.anyOf?.length) {
    kinds.push(fc.record({ writer, of: fc.constantFrom(...options.deletes.anyOf), pick: fc.nat(20) }).map(({ writer, of, pick }) => ({ type: 'delete' as const, writer, ...of, pick })));
  }
  if (options.nodes?.length) {
    kinds.push(fc.record({ failed: fc.boolean(), node: fc.constantFrom(...options.nodes) }).map(({ failed, node }) => ({ type: failed ? ('nodeFailure' as const) : ('nodeRecover' as const), node })));
  }
  if (options.maxClockStepMs) kinds.push(fc.integer({ min: 1, max: options.maxClockStepMs }).map((ms) => ({ type: 'clock' as const, ms })));
  const maxRounds = options.maxRounds ?? 3;
  if (maxRounds > 0) kinds.push(fc.integer({ min: 1, max: maxRounds }).map((rounds) => ({ type: 'reconcile' as const, rounds })));
  if (kinds.length === 0) throw new Error('eventSequence: no kind of event to generate');
  const body = fc.array(fc.oneof(...kinds), { minLength: options.minLength ?? 0, maxLength: options.maxLength ?? 20 });
  const prefix = options.prefix ?? [];
  return prefix.length ? body.map((events) => [...prefix, ...events]) : body;
}
