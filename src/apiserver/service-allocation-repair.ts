/**
 * The repair loop for Service allocations (Kubernetes' RepairIPAddress and the NodePort
 * repair), run by the controller manager: an allocation record (IPAddress or
 * NodePortAllocation) whose Service does not hold its value (the Service is gone, was
 * recreated under a new uid, or changed type) is deleted. A record can precede its
 * Service by the time between the two appends, so one that was never held is deleted
 * only after it has looked orphaned for a grace period on our own clock; a record of a
 * Service this controller saw deleted goes at once. The API server releases records on
 * its own when it deletes or updates a Service; this loop is what repairs the records a
 * crash or a lost write left behind. The other way round, a Service holding a value with
 * no record gets its record back (a 409 means someone holds it: logged, as Kubernetes'
 * repair reports it), and a Service that needs values it lacks (a patch that made it a
 * NodePort, where the patch path does not allocate) is written again through the update
 * path, which allocates them. decideRepair and serviceRepairs are pure.
 */
import type { KubeObject } from '../api/object.ts';
import type { ApiClient } from '../client/api-client.ts';
import { StatusError } from '../api/errors.ts';
import { deletedObject } from '../informer/event-handlers.ts';
import type { SharedInformerFactory } from '../informer/informer-factory.ts';
import { Controller, type ControllerOptions } from '../controllers/runtime/controller.ts';
import type { ObjectKey } from '../api/object.ts';
import { componentLogger } from '../log.ts';
import { allocationWants, heldBy } from '../net/service-allocation-rules.ts';
import { IP_ADDRESSES, ipAddressKey, NODE_PORT_ALLOCATIONS, nodePortKey, recordBody, SERVICE_UID_LABEL } from './service-allocation.ts';

const log = componentLogger('service-allocation-repair');
const SERVICE_KEY_PREFIX = 'services|';

export const DEFAULT_REPAIR_GRACE_MS = 10_000;
const MAX_REMEMBERED_DELETIONS = 10_000;

export type RepairDecision = { type: 'keep' } | { type: 'wait'; afterMs: number } | { type: 'release' };

/** Whether the record's Service (parentRef, same uid) holds the record's value. */
export function recordHeld(resource: string, record: KubeObject, service: KubeObject | undefined): boolean {
  if (!service || service.metadata.uid !== record.metadata.labels?.[SERVICE_UID_LABEL]) return false;
  const held = heldBy(service);
  return resource === IP_ADDRESSES ? held.ips.includes(record.metadata.name!) : held.nodePorts.includes(Number(record.metadata.name));
}

export function decideRepair(held: boolean, serviceSeenDeleted: boolean, orphanSinceMs: number | undefined, nowMs: number, graceMs: number): RepairDecision {
  if (held) return { type: 'keep' };
  if (serviceSeenDeleted) return { type: 'release' };
  const since = orphanSinceMs ?? nowMs;
  return nowMs - since >= graceMs ? { type: 'release' } : { type: 'wait', afterMs: since + graceMs - nowMs };
}

/** What a Service needs from the repair loop: its missing values allocated (fill), records written for values it holds without one. */
export function serviceRepairs(service: KubeObject, hasRecord: (key: ObjectKey) => boolean): { fill: boolean; missingRecords: ObjectKey[] } {
  const wants = allocationWants(service, service);
  const held = heldBy(service);
  const keys = [...held.ips.map(ipAddressKey), ...held.nodePorts.map(nodePortKey)];
  return { fill: wants.clusterIP !== undefined || wants.nodePorts.length > 0, missingRecords: keys.filter((k) => !hasRecord(k)) };
}

interface ParentRef {
  namespace?: string;
  name?: string;
}

export function newServiceAllocationRepairController(
  client: ApiClient,
  factory: SharedInformerFactory,
  options: ControllerOptions & { graceMs?: number; nowMs?: () => number } = {},
): Controller {
  const graceMs = options.graceMs ?? DEFAULT_REPAIR_GRACE_MS;
  const now = options.nowMs ?? Date.now;
  const controller = new Controller('service-allocation-repair', options);
  const services = factory.informerFor('services');
  const informers = { [IP_ADDRESSES]: factory.informerFor(IP_ADDRESSES), [NODE_PORT_ALLOCATIONS]: factory.informerFor(NODE_PORT_ALLOCATIONS) };
  const orphanSince = new Map<string, number>();
  const deletedUids = new Set<string>();
  const keyOf = (resource: string, record: KubeObject) => `${resource}|${record.metadata.name}`;
  const parentKey = (record: KubeObject) => {
    const ref = (record.spec as { parentRef?: ParentRef } | undefined)?.parentRef ?? {};
    return `${ref.namespace ?? ''}/${ref.name ?? ''}`;
  };
  const enqueueRecordsOf = (service: KubeObject) => {
    const key = `${service.metadata.namespace}/${service.metadata.name}`;
    controller.enqueue(SERVICE_KEY_PREFIX + key);
    for (const [resource, informer] of Object.entries(informers)) {
      for (const record of informer.indexer.list()) if (parentKey(record) === key) controller.enqueue(keyOf(resource, record));
    }
  };

  for (const [resource, informer] of Object.entries(informers)) {
    controller.watch(informer, {
      onAdd: (record) => controller.enqueue(keyOf(resource, record)),
      onUpdate: (_old, record) => controller.enqueue(keyOf(resource, record)),
      onDelete: (o) => {
        const record = deletedObject(o);
        orphanSince.delete(keyOf(resource, record));
        // Its Service may still hold the value: look whether it needs the record back.
        controller.enqueue(SERVICE_KEY_PREFIX + parentKey(record));
      },
    });
  }
  controller.watch(services, {
    onAdd: enqueueRecordsOf,
    onUpdate: (_old, service) => enqueueRecordsOf(service),
    onDelete: (o) => {
      const service = deletedObject(o);
      if (service.metadata.uid) deletedUids.add(service.metadata.uid);
      if (deletedUids.size > MAX_REMEMBERED_DELETIONS) deletedUids.delete(deletedUids.values().next().value!);
      enqueueRecordsOf(service);
    },
  });

  const repairService = async (serviceKey: string) => {
    const service = services.indexer.get(serviceKey);
    if (!service) return;
    const { fill, missingRecords } = serviceRepairs(service, (k) => informers[k.resource as typeof IP_ADDRESSES]?.indexer.get(k.name) !== undefined);
    for (const key of missingRecords) {
      try {
        await client.create(key.resource, recordBody(key, service));
        log.warn({ service: serviceKey, value: key.name }, 'the Service held a value with no allocation record; recorded it');
      } catch (error) {
        // AlreadyExists: the record informer was behind, or another Service holds it (the repair loop cannot fix that).
        if (!(error instanceof StatusError && error.code === 409)) throw error;
      }
    }
    if (!fill) return;
    try {
      await client.update('services', service);
    } catch (error) {
      if (!(error instanceof StatusError && (error.code === 404 || error.code === 409))) throw error;
    }
  };

  controller.reconcileWith(async (key) => {
    if (key.startsWith(SERVICE_KEY_PREFIX)) return repairService(key.slice(SERVICE_KEY_PREFIX.length));
    const [resource, name] = key.split('|') as [typeof IP_ADDRESSES, string];
    const record = informers[resource]?.indexer.get(name);
    if (!record) {
      orphanSince.delete(key);
      return;
    }
    const service = services.indexer.get(parentKey(record));
    const held = recordHeld(resource, record, service);
    const decision = decideRepair(held, deletedUids.has(record.metadata.labels?.[SERVICE_UID_LABEL] ?? ''), orphanSince.get(key), now(), graceMs);
    if (decision.type === 'keep') {
      orphanSince.delete(key);
      return;
    }
    if (decision.type === 'wait') {
      if (!orphanSince.has(key)) orphanSince.set(key, now());
      return { requeueAfterMs: decision.afterMs };
    }
    try {
      await client.delete(resource, undefined, name, { preconditions: { uid: record.metadata.uid!, resourceVersion: record.metadata.resourceVersion! } });
    } catch (error) {
      if (!(error instanceof StatusError && (error.code === 404 || error.code === 409))) throw error;
    }
    orphanSince.delete(key);
  });
  return controller;
}
