/**
 * The namespace controller's wiring: every namespace event enqueues the namespace; a
 * reconcile of one being deleted sweeps it (a deletecollection of every namespaced
 * resource of the registry, then a list of what is left), and carries out
 * decideNamespace's writes: the status conditions (status subresource) and the removal
 * of the `kubernetes` finalizer (finalize subresource), each pinned to the
 * resourceVersion it was computed from. Content that is still going is looked at again
 * after a pause, as Kubernetes requeues a namespace with resources remaining.
 */
import { StatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import { RESOURCES } from '../../api/registry.ts';
import type { ApiClient } from '../../client/api-client.ts';
import { realClock, type Clock } from '../../informer/clock.ts';
import { objectKey } from '../../informer/indexer.ts';
import type { SharedInformerFactory } from '../../informer/informer-factory.ts';
import { Controller, enqueueObject, type ControllerOptions, type ReconcileResult } from '../runtime/controller.ts';
import { decideNamespace, needsSweep, remainingOf, type Sweep } from './decide.ts';

export const NAMESPACES = 'namespaces';

/** Every namespaced resource the API stores, in registry order. */
export const NAMESPACED_RESOURCES = RESOURCES.filter((rt) => rt.namespaced && rt.verbs.includes('deletecollection')).map((rt) => rt.key);

export function newNamespaceController(client: ApiClient, factory: SharedInformerFactory, options: ControllerOptions = {}): Controller {
  const clock: Clock = options.clock ?? realClock;
  const controller = new Controller('namespace', options);
  const informer = factory.informerFor(NAMESPACES);
  controller.watch(informer, enqueueObject(controller, objectKey));

  controller.reconcileWith(async (key): Promise<ReconcileResult> => {
    const ns = informer.indexer.get(key);
    if (!ns || !needsSweep(ns)) return {};
    const sweep = await sweepContent(client, ns.metadata.name!);
    const decision = decideNamespace(ns, sweep, rfc3339(clock.now()));
    let current: KubeObject = ns;
    for (const action of decision.actions) {
      switch (action.type) {
        case 'updateStatus':
          current = await client.update(NAMESPACES, { ...current, status: action.status }, { subresource: 'status' });
          break;
        case 'finalize':
          await client
            .update(NAMESPACES, { ...current, spec: { ...(current.spec ?? {}), finalizers: action.finalizers } }, { subresource: 'finalize' })
            .catch(ignoreNotFound);
          break;
        default: {
          const unknown: never = action;
          throw new Error(`unknown action ${JSON.stringify(unknown)}`);
        }
      }
    }
    return decision.requeueAfterMs === undefined ? {} : { requeueAfterMs: decision.requeueAfterMs };
  });
  return controller;
}

/** Deletes every namespaced object in the namespace, then lists what is still there. */
async function sweepContent(client: ApiClient, namespace: string): Promise<Sweep> {
  const sweep: Sweep = { remaining: [], failures: [] };
  await Promise.all(
    NAMESPACED_RESOURCES.map(async (resource) => {
      try {
        await client.deleteCollection(resource, namespace);
        sweep.remaining.push(remainingOf(resource, (await client.list(resource, namespace)).items));
      } catch (error) {
        sweep.failures.push(`${resource}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }),
  );
  sweep.remaining.sort((a, b) => NAMESPACED_RESOURCES.indexOf(a.resource) - NAMESPACED_RESOURCES.indexOf(b.resource));
  sweep.failures.sort();
  return sweep;
}

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function ignoreNotFound(error: unknown): undefined {
  if (error instanceof StatusError && error.code === 404) return undefined;
  throw error;
}
