/**
 * ClusterIP and NodePort allocation for Services, safe with several API servers over one
 * log: every allocated value is its own object (an IPAddress named by the address, a
 * NodePortAllocation named by the port), created with the same create-only
 * compare-and-set as any create, so of two API servers taking one value exactly one
 * succeeds and the other picks again (or answers 422 for a value the user asked for).
 *
 * Allocation and the Service write are two appends, not one transaction. The records are
 * written first: a Service is never stored holding a value nobody recorded. When the
 * Service write then fails (a name taken, a crash), the records are released at once or,
 * after a crash, left behind pointing at a Service that does not hold them; the repair
 * controller (service-allocation-repair.ts) deletes those after a grace period, as
 * Kubernetes' RepairIPAddress does. A Service's records carry its uid (label), so a
 * Service deleted and created again under one name never inherits the old records.
 */
import { internalError, invalid } from '../api/errors.ts';
import type { FieldError } from '../api/errors.ts';
import { child, index } from '../api/field-path.ts';
import { invalidValue } from '../api/field-errors.ts';
import type { KubeObject, ObjectKey } from '../api/object.ts';
import { NODE_PORT_RANGE, SERVICE_CIDR } from '../net/cluster-network.ts';
import { pickFree, inRange, type ValueRange } from '../net/range-allocator.ts';
import { allocationWants, heldBy, serviceSpec, withAllocations, type AllocationWants } from '../net/service-allocation-rules.ts';
import { clusterIPRange, formatIPv4, nodePortRange, parseIPv4 } from '../net/service-ranges.ts';
import { timestamp, type ApiDeps } from './deps.ts';
import { appendChange } from './write.ts';
import { guaranteedUpdate, type UpdateSpec, type UpdateResult } from './guaranteed-update.ts';
import type { ResourceType } from '../api/resource-type.ts';

export const IP_ADDRESSES = 'ipaddresses.networking.k8s.io';
export const NODE_PORT_ALLOCATIONS = 'nodeportallocations.allocation.jetkube.io';
export const SERVICE_UID_LABEL = 'jetkube.io/service-uid';
export const MANAGED_BY_LABEL = 'ipaddress.kubernetes.io/managed-by';
export const MANAGED_BY = 'ipallocator.k8s.io';

const IP_RANGE = clusterIPRange(SERVICE_CIDR);
const PORT_RANGE = nodePortRange(NODE_PORT_RANGE);
/** Picks of a free value that lose their race before one is won. */
const MAX_PICKS = 32;

export interface AllocationRecord {
  key: ObjectKey;
  /** The record as stored (resourceVersion set), for a pinned release. */
  object: KubeObject;
}

export function ipAddressKey(ip: string): ObjectKey {
  return { resource: IP_ADDRESSES, namespace: '', name: ip };
}

export function nodePortKey(port: number): ObjectKey {
  return { resource: NODE_PORT_ALLOCATIONS, namespace: '', name: String(port) };
}

/** The allocation record of `key` for `service`, as a client would create it. */
export function recordBody(key: ObjectKey, service: KubeObject): KubeObject {
  const ip = key.resource === IP_ADDRESSES;
  return {
    apiVersion: ip ? 'networking.k8s.io/v1' : 'allocation.jetkube.io/v1',
    kind: ip ? 'IPAddress' : 'NodePortAllocation',
    metadata: {
      name: key.name,
      labels: {
        ...(ip ? { 'ipaddress.kubernetes.io/ip-family': 'IPv4' } : {}),
        [MANAGED_BY_LABEL]: MANAGED_BY,
        [SERVICE_UID_LABEL]: service.metadata.uid ?? '',
      },
    },
    spec: { parentRef: { group: '', resource: 'services', namespace: service.metadata.namespace ?? '', name: service.metadata.name ?? '' } },
  };
}

function recordFor(key: ObjectKey, service: KubeObject, deps: ApiDeps): KubeObject {
  const body = recordBody(key, service);
  return { ...body, metadata: { ...body.metadata, uid: deps.newUid(), creationTimestamp: timestamp(deps.now()) } };
}

/** Whether a record is this Service's (same uid). */
export function recordBelongsTo(record: KubeObject, service: KubeObject): boolean {
  return record.metadata.labels?.[SERVICE_UID_LABEL] === service.metadata.uid;
}

/** Creates the record only if its name is free: 'taken' when someone holds it. */
async function createRecord(deps: ApiDeps, key: ObjectKey, service: KubeObject): Promise<AllocationRecord | 'taken'> {
  for (let attempt = 0; attempt < MAX_PICKS; attempt++) {
    const existing = deps.store.get(key.resource, key.namespace, key.name);
    if (existing) return recordBelongsTo(existing, service) ? { key, object: existing } : 'taken';
    const outcome = await appendChange(deps, key, 'ADDED', recordFor(key, service, deps), deps.store.subjectSeq(key));
    if (outcome.written) return { key, object: outcome.stored };
    // Someone wrote this subject: see what, then decide again.
    await deps.reads.atLeast(outcome.currentSeq);
  }
  return 'taken';
}

/** Deletes records pinned to the version we know; a record someone changed or deleted meanwhile is theirs. */
export async function releaseRecords(deps: ApiDeps, records: readonly AllocationRecord[]): Promise<void> {
  for (const { key, object } of records) {
    const { resourceVersion, ...metadata } = object.metadata;
    try {
      await appendChange(deps, key, 'DELETED', { ...object, metadata }, Number(resourceVersion));
    } catch (err) {
      deps.logger.warn({ err, record: key }, 'could not release an allocation; the repair loop will');
    }
  }
}

/** Records of this Service that it no longer holds (after an update or a delete): released. */
export async function releaseUnheld(deps: ApiDeps, service: KubeObject, stillHeld: KubeObject | undefined): Promise<void> {
  const held = stillHeld ? heldBy(stillHeld) : { ips: [], nodePorts: [] };
  const before = heldBy(service);
  const gone: AllocationRecord[] = [];
  for (const ip of before.ips) if (!held.ips.includes(ip)) gone.push(...ownRecord(deps, ipAddressKey(ip), service));
  for (const port of before.nodePorts) if (!held.nodePorts.includes(port)) gone.push(...ownRecord(deps, nodePortKey(port), service));
  await releaseRecords(deps, gone);
}

function ownRecord(deps: ApiDeps, key: ObjectKey, service: KubeObject): AllocationRecord[] {
  const object = deps.store.get(key.resource, key.namespace, key.name);
  return object && recordBelongsTo(object, service) ? [{ key, object }] : [];
}

export interface Allocated {
  service: KubeObject;
  records: AllocationRecord[];
  /** The values picked (not requested): a ClusterIP, and nodePorts by port index. */
  clusterIP?: string;
  nodePorts: Map<number, number>;
}

/**
 * Allocates what `after` needs beyond what `before` (the stored version, on update)
 * holds, and answers `after` with the values filled in. A refusal (422, or 500 for a
 * full range) releases whatever this call took.
 */
export async function allocateServiceValues(deps: ApiDeps, after: KubeObject, before?: KubeObject): Promise<Allocated> {
  const wants = allocationWants(after, before);
  const records: AllocationRecord[] = [];
  try {
    const clusterIP = await allocateClusterIP(deps, after, wants, records);
    const nodePorts = await allocateNodePorts(deps, after, wants, records);
    const picked = wants.clusterIP?.requested === undefined ? clusterIP : undefined;
    return { service: withAllocations(after, clusterIP, nodePorts), records, ...(picked ? { clusterIP: picked } : {}), nodePorts };
  } catch (error) {
    await releaseRecords(deps, records);
    throw error;
  }
}

async function allocateClusterIP(deps: ApiDeps, service: KubeObject, wants: AllocationWants, records: AllocationRecord[]): Promise<string | undefined> {
  if (!wants.clusterIP) return undefined;
  const requested = wants.clusterIP.requested;
  if (requested !== undefined) {
    const fail = (why: string) => refuse(service, [invalidValue(child('spec', 'clusterIPs'), [requested], `failed to allocate IP ${requested}: ${why}`)]);
    const value = parseIPv4(requested);
    if (value === undefined || !inRange(IP_RANGE, value)) throw fail(`the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${SERVICE_CIDR}`);
    const record = await createRecord(deps, ipAddressKey(requested), service);
    if (record === 'taken') throw fail('provided IP is already allocated');
    records.push(record);
    return requested;
  }
  const value = await allocateAny(deps, IP_RANGE, (v) => ipAddressKey(formatIPv4(v)), service, records);
  if (value === undefined) throw internalError('failed to allocate a serviceIP: range is full');
  return formatIPv4(value);
}

async function allocateNodePorts(deps: ApiDeps, service: KubeObject, wants: AllocationWants, records: AllocationRecord[]): Promise<Map<number, number>> {
  const chosen = new Map<number, number>();
  const errors: FieldError[] = [];
  for (const { portIndex, requested } of wants.nodePorts.filter((w) => w.requested !== undefined)) {
    const at = child(index(child('spec', 'ports'), portIndex), 'nodePort');
    if (!inRange(PORT_RANGE, requested!)) {
      errors.push(invalidValue(at, requested, `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}`));
      continue;
    }
    // Two ports of one Service may share a nodePort (TCP and UDP of one port number).
    if (records.some((r) => r.key.name === String(requested) && r.key.resource === NODE_PORT_ALLOCATIONS)) continue;
    const record = await createRecord(deps, nodePortKey(requested!), service);
    if (record === 'taken') errors.push(invalidValue(at, requested, 'provided port is already allocated'));
    else records.push(record);
  }
  if (errors.length > 0) throw refuse(service, errors);
  const requestedPorts = new Set(heldBy(service).nodePorts);
  for (const { portIndex } of wants.nodePorts.filter((w) => w.requested === undefined)) {
    const value = await allocateAny(deps, PORT_RANGE, nodePortKey, service, records, requestedPorts);
    if (value === undefined) throw internalError('failed to allocate a nodePort: range is full');
    requestedPorts.add(value);
    chosen.set(portIndex, value);
  }
  return chosen;
}

async function allocateAny(
  deps: ApiDeps,
  range: ValueRange,
  keyOf: (value: number) => ObjectKey,
  service: KubeObject,
  records: AllocationRecord[],
  avoid: ReadonlySet<number> = new Set(),
): Promise<number | undefined> {
  const lost = new Set<number>();
  const taken = (value: number) => {
    if (avoid.has(value) || lost.has(value)) return true;
    const key = keyOf(value);
    return deps.store.get(key.resource, key.namespace, key.name) !== undefined;
  };
  for (let pick = 0; pick < MAX_PICKS; pick++) {
    const value = pickFree(range, taken, deps.random);
    if (value === undefined) return undefined;
    const record = await createRecord(deps, keyOf(value), service);
    if (record !== 'taken' && !records.some((r) => r.key.name === record.key.name && r.key.resource === record.key.resource)) {
      records.push(record);
      return value;
    }
    lost.add(value);
  }
  return undefined;
}

function refuse(service: KubeObject, errors: FieldError[]) {
  return invalid('Service', '', service.metadata.name ?? '', errors);
}

/** For the repair loop and tests: the Service's spec as allocation sees it. */
export { serviceSpec };

/**
 * The create hook: a Service's values are allocated, then `write` stores it; when the
 * write does not happen (name taken, error) or turns out to be a retry of a request the
 * log already applied (whose Service holds the first attempt's values), this attempt's
 * records are released. Other kinds pass straight through.
 */
export async function storeWithAllocations<T extends { duplicate: boolean }>(
  deps: ApiDeps,
  resource: string,
  object: KubeObject,
  write: (object: KubeObject) => Promise<T | undefined>,
): Promise<T | undefined> {
  if (resource !== 'services') return write(object);
  // The name is taken (or this is a retry of a create the log already applied): the write
  // stores nothing new, so nothing is allocated for it and a refused create writes nothing.
  const { namespace = '', name = '' } = object.metadata;
  if (deps.store.get(resource, namespace, name) !== undefined) return write(object);
  const allocated = await allocateServiceValues(deps, object);
  let stored: T | undefined;
  try {
    stored = await write(allocated.service);
  } catch (error) {
    await releaseRecords(deps, allocated.records);
    throw error;
  }
  if (!stored || stored.duplicate) await releaseRecords(deps, allocated.records);
  return stored;
}

/**
 * The update hook, guaranteedUpdate for Services: what the new version needs beyond what
 * the stored one holds is allocated first (from a preview of the change), written in by
 * every attempt of the compare-and-set, and whatever the stored Service no longer holds
 * afterwards (a picked value a concurrent change made useless, the nodePorts of a type
 * changed back to ClusterIP) is released.
 */
export async function guaranteedUpdateWithAllocations(deps: ApiDeps, rt: ResourceType, key: ObjectKey, spec: UpdateSpec): Promise<UpdateResult> {
  if (rt.key !== 'services' || spec.dryRun) return guaranteedUpdate(deps, rt, key, spec);
  await deps.reads.consistent();
  const current = deps.store.get(key.resource, key.namespace, key.name);
  if (!current) return guaranteedUpdate(deps, rt, key, spec);
  const allocated = await allocateServiceValues(deps, await spec.next(current), current);
  let result: UpdateResult;
  try {
    result = await guaranteedUpdate(deps, rt, key, {
      ...spec,
      next: async (stored) => {
        const next = await spec.next(stored);
        const wants = allocationWants(next, stored);
        const ports = new Map([...allocated.nodePorts].filter(([i]) => wants.nodePorts.some((w) => w.portIndex === i && w.requested === undefined)));
        return withAllocations(next, wants.clusterIP && !wants.clusterIP.requested ? allocated.clusterIP : undefined, ports);
      },
    });
  } catch (error) {
    await releaseRecords(deps, allocated.records);
    throw error;
  }
  const held = heldBy(result.object);
  const unused = allocated.records.filter((r) => !(r.key.resource === IP_ADDRESSES ? held.ips.includes(r.key.name) : held.nodePorts.includes(Number(r.key.name))));
  await releaseRecords(deps, unused);
  await releaseUnheld(deps, current, result.object);
  return result;
}
