/**
 * The live routing table: rebuilt from the informers' caches whenever any of them
 * changes. A burst of changes (a relist, a rollout touching many slices) costs one
 * rebuild: changes only mark the table stale and the rebuild runs once on the next
 * turn of the event loop. The proxy reads `table` per request.
 */
import type { SharedInformer } from '../informer/shared-informer.ts';
import type { HandlerRegistration } from '../informer/event-handlers.ts';
import type { Logger } from '../log.ts';
import type { RoundRobinBalancer } from './balancer.ts';
import { buildRoutingTable, EMPTY_TABLE, type RoutingTable } from './routing-table.ts';

export interface RoutingInformers {
  ingresses: SharedInformer;
  ingressClasses: SharedInformer;
  services: SharedInformer;
  endpointSlices: SharedInformer;
}

export class RoutingState {
  table: RoutingTable = EMPTY_TABLE;
  rebuilds = 0;
  private pending?: NodeJS.Immediate;
  private readonly registrations: HandlerRegistration[];

  constructor(
    private readonly informers: RoutingInformers,
    private readonly controllerName: string,
    private readonly balancer: RoundRobinBalancer,
    private readonly log: Logger,
  ) {
    const stale = { onAdd: () => this.markStale(), onUpdate: () => this.markStale(), onDelete: () => this.markStale() };
    this.registrations = Object.values(informers).map((informer: SharedInformer) => informer.addEventHandler(stale));
  }

  markStale(): void {
    this.pending ??= setImmediate(() => {
      this.pending = undefined;
      this.rebuild();
    });
  }

  rebuild(): void {
    const previous = this.table;
    const { ingresses, ingressClasses, services, endpointSlices } = this.informers;
    this.table = buildRoutingTable(
      {
        ingresses: ingresses.indexer.list(),
        ingressClasses: ingressClasses.indexer.list(),
        services: services.indexer.list(),
        endpointSlices: endpointSlices.indexer.list(),
      },
      this.controllerName,
    );
    this.rebuilds++;
    this.balancer.retain(backendIds(this.table));
    if (previous.served.join() !== this.table.served.join()) this.log.info({ ingresses: this.table.served }, `serving ${this.table.served.length} ingress(es)`);
  }

  dispose(): void {
    if (this.pending) clearImmediate(this.pending);
    this.pending = undefined;
    for (const registration of this.registrations.splice(0)) registration.remove();
  }
}

function backendIds(table: RoutingTable): Set<string> {
  const ids = new Set<string>();
  const hosts = [...table.exactHosts.values(), ...table.wildcardHosts.values(), table.anyHost];
  for (const host of hosts) {
    for (const route of host.paths) ids.add(route.backend.id);
    if (host.defaultBackend) ids.add(host.defaultBackend.backend.id);
  }
  if (table.defaultBackend) ids.add(table.defaultBackend.backend.id);
  return ids;
}
