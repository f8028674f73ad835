/**
 * Which volume satisfies which claim, as Kubernetes' storage helpers and the binder's
 * volume index decide it (pure): the class (beta annotation first, then
 * spec.storageClassName; "" and unset are the same), the access modes (the volume offers
 * every mode the claim asks for), the size (capacity >= request), the volumeMode, the
 * claim's label selector, and the volume's phase (only Available volumes are offered).
 * Among the fitting volumes the one with the fewest access modes, then the smallest, then
 * the first by name wins, so a claim never takes more than it needs. A volume pre-bound
 * to the claim (its claimRef names the claim) wins over all others.
 * Node affinity is not checked: every node of a jetkube cluster shares one file system.
 */
import { isPlainObject, type KubeObject } from '../../api/object.ts';
import { parseQuantity } from '../../api/quantity.ts';
import { labelSelectorMatches, type LabelSelector } from '../../api/selectors.ts';
import { ANN_BETA_STORAGE_CLASS } from './annotations.ts';

export interface ClaimRef {
  kind?: string;
  apiVersion?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
}

export interface VolumeSpec {
  capacity?: Record<string, string | number>;
  accessModes?: string[];
  claimRef?: ClaimRef;
  persistentVolumeReclaimPolicy?: string;
  storageClassName?: string;
  volumeMode?: string;
  hostPath?: { path?: string; type?: string };
  local?: { path?: string };
  [key: string]: unknown;
}

export interface ClaimSpec {
  accessModes?: string[];
  selector?: LabelSelector | null;
  resources?: { requests?: Record<string, string | number> };
  volumeName?: string;
  storageClassName?: string | null;
  volumeMode?: string;
  [key: string]: unknown;
}

export const volumeSpec = (pv: KubeObject): VolumeSpec => (isPlainObject(pv.spec) ? (pv.spec as VolumeSpec) : {});
export const claimSpec = (claim: KubeObject): ClaimSpec => (isPlainObject(claim.spec) ? (claim.spec as ClaimSpec) : {});
export const phaseOf = (o: KubeObject): string => (isPlainObject(o.status) && typeof o.status.phase === 'string' ? o.status.phase : '');

/** GetPersistentVolumeClaimClass: the beta annotation, else spec.storageClassName, else "". */
export function claimClass(claim: KubeObject): string {
  return claim.metadata.annotations?.[ANN_BETA_STORAGE_CLASS] ?? claimSpec(claim).storageClassName ?? '';
}

export function volumeClass(pv: KubeObject): string {
  return pv.metadata.annotations?.[ANN_BETA_STORAGE_CLASS] ?? volumeSpec(pv).storageClassName ?? '';
}

/** The claim's storage request in nano-bytes (0 when missing). */
export function requestedStorage(claim: KubeObject): bigint {
  const request = claimSpec(claim).resources?.requests?.storage;
  return (request === undefined ? undefined : parseQuantity(request)) ?? 0n;
}

export function volumeCapacity(pv: KubeObject): bigint {
  const capacity = volumeSpec(pv).capacity?.storage;
  return (capacity === undefined ? undefined : parseQuantity(capacity)) ?? 0n;
}

/** Whether the volume's claimRef names this claim (a claimRef without uid names any claim of that name). */
export function isVolumeBoundToClaim(pv: KubeObject, claim: KubeObject): boolean {
  const ref = volumeSpec(pv).claimRef;
  if (!ref) return false;
  if (ref.name !== claim.metadata.name || (ref.namespace ?? '') !== (claim.metadata.namespace ?? '')) return false;
  return !ref.uid || ref.uid === claim.metadata.uid;
}

/** CheckAccessModes: the volume offers every mode the claim asks for. */
export function accessModesSatisfied(claim: KubeObject, pv: KubeObject): boolean {
  const offered = new Set(volumeSpec(pv).accessModes ?? []);
  return (claimSpec(claim).accessModes ?? []).every((mode) => offered.has(mode));
}

export function volumeModeMismatch(claim: KubeObject, pv: KubeObject): boolean {
  return (claimSpec(claim).volumeMode ?? 'Filesystem') !== (volumeSpec(pv).volumeMode ?? 'Filesystem');
}

/** A missing selector selects every volume (unlike a workload's selector). */
export function selectorMatches(claim: KubeObject, pv: KubeObject): boolean {
  const selector = claimSpec(claim).selector;
  return selector === undefined || selector === null || labelSelectorMatches(selector, pv.metadata.labels);
}

/** checkVolumeSatisfyClaim, for a claim that names its volume: why the volume does not do, or undefined. */
export function whyVolumeDoesNotSatisfy(pv: KubeObject, claim: KubeObject): string | undefined {
  if (pv.metadata.deletionTimestamp) return `the volume is marked for deletion "${pv.metadata.name}"`;
  if (volumeCapacity(pv) < requestedStorage(claim)) return 'requested PV is too small';
  if (volumeClass(pv) !== claimClass(claim)) return 'storageClassName does not match';
  if (volumeModeMismatch(claim, pv)) return 'incompatible volumeMode';
  if (!accessModesSatisfied(claim, pv)) return 'incompatible accessMode';
  return undefined;
}

export interface MatchOptions {
  /** The claim's class binds late (WaitForFirstConsumer): without a node, only a volume pre-bound to it is offered. */
  delayBinding?: boolean;
  /** The node the claim's first consumer was scheduled to. */
  node?: string;
}

/** findBestMatchForClaim: the volume this claim should bind to, or undefined. */
export function findMatchingVolume(claim: KubeObject, volumes: readonly KubeObject[], options: MatchOptions = {}): KubeObject | undefined {
  const request = requestedStorage(claim);
  const usable = (pv: KubeObject) =>
    !pv.metadata.deletionTimestamp && volumeCapacity(pv) >= request && !volumeModeMismatch(claim, pv) && accessModesSatisfied(claim, pv);

  const preBound = volumes.find((pv) => isVolumeBoundToClaim(pv, claim) && usable(pv));
  if (preBound) return preBound;
  if (options.delayBinding && options.node === undefined) return undefined;

  const requestedClass = claimClass(claim);
  let best: KubeObject | undefined;
  for (const pv of volumes) {
    if (volumeSpec(pv).claimRef || phaseOf(pv) !== 'Available') continue;
    if (!usable(pv) || volumeClass(pv) !== requestedClass || !selectorMatches(claim, pv)) continue;
    if (!best || smaller(pv, best)) best = pv;
  }
  return best;
}

/** Fewer access modes first (the binder's index walks mode sets from the smallest), then capacity, then name. */
function smaller(a: KubeObject, b: KubeObject): boolean {
  const modes = (pv: KubeObject) => new Set(volumeSpec(pv).accessModes ?? []).size;
  if (modes(a) !== modes(b)) return modes(a) < modes(b);
  const [x, y] = [volumeCapacity(a), volumeCapacity(b)];
  if (x !== y) return x < y;
  return (a.metadata.name ?? '') < (b.metadata.name ?? '');
}
