/**
 * What a controller hears from an informer: onAdd, onUpdate(old, new), onDelete. A delete
 * the informer missed (the object vanished between two lists) arrives as a
 * DeletedFinalStateUnknown carrying the last state it knew. A resync period re-delivers
 * every cached object as onUpdate(o, o), so a level-based controller revisits everything
 * now and then even when nothing changes. Handlers should only enqueue keys: they run on
 * the informer's own turn, and a throw is logged, never allowed to stop the informer.
 */
import type { KubeObject } from '../api/object.ts';
import { isDeletedFinalStateUnknown, type Delta, type DeletedFinalStateUnknown } from './deltas.ts';

export interface EventHandler {
  onAdd?(object: KubeObject, isInInitialList: boolean): void;
  onUpdate?(old: KubeObject, object: KubeObject): void;
  onDelete?(object: KubeObject | DeletedFinalStateUnknown): void;
}

export interface HandlerOptions {
  /** Re-deliver every cached object as an update this often; absent or 0: never. */
  resyncPeriodMs?: number;
}

export interface HandlerRegistration {
  remove(): void;
  /**
   * Resolves once the handler has heard of everything the cache held when it was added
   * (client-go's registration HasSynced): at once for a handler added before the first list.
   */
  readonly synced: Promise<void>;
}

/** Calls the handler's method for one delta. */
export function deliver(handler: EventHandler, delta: Delta, isInInitialList = false): void {
  switch (delta.type) {
    case 'added':
      return handler.onAdd?.(delta.object, isInInitialList);
    case 'updated':
      return handler.onUpdate?.(delta.old, delta.object);
    case 'deleted':
      return handler.onDelete?.(delta.object);
    default: {
      const never: never = delta;
      throw new Error(`unknown delta ${JSON.stringify(never)}`);
    }
  }
}

/** The object onDelete received, whichever form it came in. */
export function deletedObject(value: KubeObject | DeletedFinalStateUnknown): KubeObject {
  return isDeletedFinalStateUnknown(value) ? value.object : value;
}
