/**
 * The ServiceAccounts controller's wiring: the key is a namespace name. A namespace that
 * appears or changes enqueues itself; a service account that goes away enqueues its
 * namespace (so a deleted `default` comes back). Reconcile reads both caches and creates
 * what decideServiceAccounts asks for; an AlreadyExists (the cache was behind) is success,
 * a Forbidden from a namespace that started terminating meanwhile too.
 */
import { StatusError } from '../../api/errors.ts';
import type { ApiClient } from '../../client/api-client.ts';
import { deletedObject } from '../../informer/event-handlers.ts';
import { NAMESPACE_INDEX } from '../../informer/indexer.ts';
import type { SharedInformerFactory } from '../../informer/informer-factory.ts';
import { Controller, type ControllerOptions } from '../runtime/controller.ts';
import { decideServiceAccounts, DEFAULT_SERVICE_ACCOUNTS } from './decide.ts';

export const SERVICE_ACCOUNTS = 'serviceaccounts';

export interface ServiceAccountsControllerOptions extends ControllerOptions {
  serviceAccounts?: readonly string[];
}

export function newServiceAccountsController(client: ApiClient, factory: SharedInformerFactory, options: ServiceAccountsControllerOptions = {}): Controller {
  const wanted = options.serviceAccounts ?? DEFAULT_SERVICE_ACCOUNTS;
  const controller = new Controller('serviceaccount', options);
  const namespaces = factory.informerFor('namespaces');
  const accounts = factory.informerFor(SERVICE_ACCOUNTS);

  controller.watch(namespaces, {
    onAdd: (ns) => controller.enqueue(ns.metadata.name!),
    onUpdate: (_old, ns) => controller.enqueue(ns.metadata.name!),
  });
  controller.watch(accounts, {
    onDelete: (o) => {
      const sa = deletedObject(o);
      if (wanted.includes(sa.metadata.name!)) controller.enqueue(sa.metadata.namespace!);
    },
  });

  controller.reconcileWith(async (name) => {
    const ns = namespaces.indexer.get(name);
    if (!ns) return;
    const existing = new Set(accounts.indexer.byIndex(NAMESPACE_INDEX, name).map((sa) => sa.metadata.name!));
    const errors: unknown[] = [];
    for (const sa of decideServiceAccounts(ns, existing, wanted)) {
      try {
        await client.create(SERVICE_ACCOUNTS, sa);
      } catch (error) {
        if (!(error instanceof StatusError && (error.code === 409 || error.code === 403 || error.code === 404))) errors.push(error);
      }
    }
    if (errors.length > 0) throw errors[0];
  });
  return controller;
}
