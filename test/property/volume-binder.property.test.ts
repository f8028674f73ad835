/**
 * Property: for random sets of PersistentVolumes and claims, the binder's decisions,
 * carried out by the controller's own write sequence (carry-out.ts) against an
 * in-memory store with the log's compare-and-set, and taken by workers whose caches lag
 * behind by a random number of writes (two workers, or an old and a new leader), never
 * bind one volume to two claims; once settled, every bound pair satisfies class, access
 * modes, size and selector, both sides agree, and no unbound claim is left with a free
 * volume that would satisfy it. Claims deleted on the way release their volumes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { KubeObject } from '../../src/api/object.ts';
import { conflict, notFound, StatusError, STALE_OBJECT } from '../../src/api/errors.ts';
import { PERSISTENT_VOLUMES } from '../../src/controllers/volume/annotations.ts';
import { carryOutClaimActions, carryOutVolumeActions, type BinderEffects } from '../../src/controllers/volume/carry-out.ts';
import { decideClaim } from '../../src/controllers/volume/decide-claim.ts';
import { decideVolume } from '../../src/controllers/volume/decide-volume.ts';
import {
  accessModesSatisfied,
  claimClass,
  claimSpec,
  findMatchingVolume,
  phaseOf,
  requestedStorage,
  selectorMatches,
  volumeCapacity,
  volumeClass,
  volumeSpec,
} from '../../src/controllers/volume/match.ts';

const CLASSES = ['', 'fast', 'slow'];
const MODES = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany'];
const SIZES = ['1Gi', '2Gi', '5Gi', '10Gi'];
const TIERS = ['a', 'b'];

// Biased towards the same class and modes, so that claims compete for the same volumes.
const modesArb = fc.oneof({ weight: 3, arbitrary: fc.constant(['ReadWriteOnce']) }, { weight: 1, arbitrary: fc.subarray(MODES, { minLength: 1 }) });
const classArb = fc.oneof({ weight: 3, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom(...CLASSES) });
const volumeArb = fc.record({ className: classArb, modes: modesArb, size: fc.constantFrom(...SIZES), tier: fc.constantFrom(...TIERS), phase: fc.constantFrom('Pending', 'Available') });
const selectorArb = fc.option(
  fc.oneof(
    fc.constantFrom(...TIERS).map((tier) => ({ matchLabels: { tier } })),
    fc.subarray(TIERS, { minLength: 1 }).map((values) => ({ matchExpressions: [{ key: 'tier', operator: 'In', values }] })),
    fc.constantFrom(...TIERS).map((tier) => ({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: [tier] }] })),
  ),
  { nil: undefined },
);
const claimArb = fc.record({ className: classArb, modes: modesArb, size: fc.constantFrom(...SIZES), selector: selectorArb });
type Step = { kind: 'claim' | 'volume'; index: number; lag: number } | { kind: 'deleteClaim'; index: number };
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constantFrom('claim' as const, 'volume' as const), index: fc.nat(20), lag: fc.oneof(fc.constant(0), fc.nat(12)) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteClaim' as const), index: fc.nat(20) }) },
);

/** A store with resourceVersions and compare-and-set updates, and its history of states (what lagging caches see). */
class World {
  revision = 1;
  readonly objects = new Map<string, KubeObject>();
  readonly history: Array<Map<string, KubeObject>> = [];

  constructor(objects: KubeObject[]) {
    for (const o of objects) this.put(o);
    this.history.push(new Map(this.objects));
  }

  static key = (resource: string, o: KubeObject) => `${resource}/${o.metadata.name}`;

  put(o: KubeObject): KubeObject {
    const stored = { ...o, metadata: { ...o.metadata, resourceVersion: String(this.revision++) } };
    this.objects.set(World.key(o.kind === 'PersistentVolume' ? 'pv' : 'pvc', o), stored);
    return stored;
  }

  snapshot(lag: number): Map<string, KubeObject> {
    return this.history[Math.max(0, this.history.length - 1 - lag)]!;
  }

  list(view: Map<string, KubeObject>, kind: 'pv' | 'pvc'): KubeObject[] {
    return [...view.entries()].filter(([k]) => k.startsWith(`${kind}/`)).map(([, o]) => o);
  }

  readonly effects: BinderEffects = {
    now: () => 0,
    write: async (resource, object, subresource) => {
      const key = World.key(resource === PERSISTENT_VOLUMES ? 'pv' : 'pvc', object);
      const stored = this.objects.get(key);
      if (!stored) throw notFound(resource, '', object.metadata.name!);
      if (stored.metadata.resourceVersion !== object.metadata.resourceVersion) {
        throw conflict(resource, '', object.metadata.name!, STALE_OBJECT);
      }
      const next = subresource === 'status' ? { ...stored, status: object.status } : { ...object, status: stored.status };
      const written = this.put(next);
      this.history.push(new Map(this.objects));
      return written;
    },
    record: () => {},
    syncClaim: () => {},
  };

  /** One sync of one object, deciding on a cache `lag` writes behind; a lost race is dropped (the controller retries). */
  async sync(kind: 'claim' | 'volume', name: string, lag: number): Promise<void> {
    const view = this.snapshot(lag);
    try {
      if (kind === 'claim') {
        const claim = view.get(`pvc/${name}`);
        if (claim) await carryOutClaimActions(claim, decideClaim(claim, { volumes: this.list(view, 'pv') }), this.effects);
      } else {
        const pv = view.get(`pv/${name}`);
        if (!pv) return;
        const ref = volumeSpec(pv).claimRef;
        let claim = ref ? view.get(`pvc/${ref.name}`) : undefined;
        // As the controller: a claim the cache lacks (or knows under another uid) is read live.
        if (ref && (!claim || claim.metadata.uid !== ref.uid)) claim = this.objects.get(`pvc/${ref.name}`);
        await carryOutVolumeActions(pv, decideVolume(pv, claim), this.effects);
      }
    } catch (error) {
      if (!(error instanceof StatusError && (error.code === 409 || error.code === 404))) throw error;
    }
  }

  deleteClaim(name: string): void {
    if (this.objects.delete(`pvc/${name}`)) this.history.push(new Map(this.objects));
  }

  /** Every object synced on a fresh cache until a whole round writes nothing. */
  async settle(): Promise<void> {
    for (let round = 0; round < 30; round++) {
      const before = this.revision;
      for (const key of [...this.objects.keys()]) {
        const [kind, name] = key.split('/') as ['pv' | 'pvc', string];
        await this.sync(kind === 'pv' ? 'volume' : 'claim', name, 0);
      }
      if (this.revision === before) return;
    }
    assert.fail('the binder did not settle in 30 rounds');
  }
}

function assertNoVolumeTwice(world: World): void {
  const owners = new Map<string, string>();
  for (const claim of world.list(world.objects, 'pvc')) {
    const volumeName = claimSpec(claim).volumeName;
    if (!volumeName) continue;
    assert.equal(owners.get(volumeName), undefined, `volume ${volumeName} bound to ${owners.get(volumeName)} and ${claim.metadata.name}`);
    owners.set(volumeName, claim.metadata.name!);
  }
}

describe('persistent volume binder', () => {
  it('never binds a volume to two claims; settled bindings satisfy their claims and leave no fitting volume unused', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(volumeArb, { maxLength: 8 }), fc.array(claimArb, { maxLength: 8 }), fc.array(stepArb, { maxLength: 60 }), async (volumes, claims, steps) => {
        const world = new World([
          ...volumes.map((v, i): KubeObject => ({
            apiVersion: 'v1',
            kind: 'PersistentVolume',
            metadata: { name: `pv${i}`, uid: `pv-uid-${i}`, labels: { tier: v.tier } },
            spec: { capacity: { storage: v.size }, accessModes: v.modes, storageClassName: v.className, persistentVolumeReclaimPolicy: 'Retain', hostPath: { path: `/v/${i}` } },
            status: { phase: v.phase },
          })),
          ...claims.map((c, i): KubeObject => ({
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            metadata: { name: `c${i}`, namespace: 'ns', uid: `c-uid-${i}` },
            spec: { accessModes: c.modes, resources: { requests: { storage: c.size } }, storageClassName: c.className, ...(c.selector ? { selector: c.selector } : {}) },
            status: { phase: 'Pending' },
          })),
        ]);
        for (const step of steps) {
          if (step.kind === 'deleteClaim') {
            if (claims.length > 0) world.deleteClaim(`c${step.index % claims.length}`);
            continue;
          }
          const count = step.kind === 'claim' ? claims.length : volumes.length;
          if (count === 0) continue;
          await world.sync(step.kind, `${step.kind === 'claim' ? 'c' : 'pv'}${step.index % count}`, step.lag);
          assertNoVolumeTwice(world);
        }
        await world.settle();
        assertNoVolumeTwice(world);

        const pvs = world.list(world.objects, 'pv');
        for (const claim of world.list(world.objects, 'pvc')) {
          const volumeName = claimSpec(claim).volumeName;
          if (!volumeName) {
            assert.equal(phaseOf(claim), 'Pending');
            const fitting = findMatchingVolume(claim, pvs);
            assert.equal(fitting, undefined, `${claim.metadata.name} is unbound though ${fitting?.metadata.name} fits it`);
            continue;
          }
          const pv = world.objects.get(`pv/${volumeName}`)!;
          assert.equal(phaseOf(claim), 'Bound');
          assert.equal(phaseOf(pv), 'Bound');
          assert.equal(volumeSpec(pv).claimRef?.uid, claim.metadata.uid, 'both sides agree');
          assert.equal(volumeClass(pv), claimClass(claim), 'class');
          assert.ok(accessModesSatisfied(claim, pv), 'access modes');
          assert.ok(volumeCapacity(pv) >= requestedStorage(claim), 'size');
          assert.ok(selectorMatches(claim, pv), 'selector');
        }
        for (const pv of pvs) {
          const ref = volumeSpec(pv).claimRef;
          if (!ref) assert.equal(phaseOf(pv), 'Available');
          else if (!world.objects.has(`pvc/${ref.name}`)) assert.equal(phaseOf(pv), 'Released', `${pv.metadata.name}'s claim is gone`);
        }
      }),
      { numRuns: 300 },
    );
  });
});
