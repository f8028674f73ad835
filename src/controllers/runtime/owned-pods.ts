/**
 * The pod handlers every controller that owns pods shares (ReplicaSet, DaemonSet, Job),
 * as Kubernetes' addPod / updatePod / deletePod: a pod seen is a creation (or, with a
 * deletionTimestamp, a deletion) its owner expected, and wakes that owner; a pod moving
 * to another owner wakes both; a pod no controller owns wakes every owner in its
 * namespace whose selector matches it, which may adopt it. A pod owned by some other
 * kind is left alone.
 */
import type { KubeObject } from '../../api/object.ts';
import { labelSelectorMatches, type LabelSelector } from '../../api/selectors.ts';
import { deletedObject, type EventHandler } from '../../informer/event-handlers.ts';
import { objectKey } from '../../informer/indexer.ts';
import type { Expectations } from './expectations.ts';
import { controllerRef } from './owner.ts';

export interface OwnedPodHandlerOptions {
  /** The owner's key when this pod is one of ours, else undefined. */
  ownerKeyOf(pod: KubeObject): string | undefined;
  expectations: Expectations;
  enqueue(key: string): void;
  /** The owners in a namespace, for adopting an orphan by selector. */
  ownersIn(namespace: string): readonly KubeObject[];
  /** Run after each event (the Job controller's check for orphaned tracking finalizers). */
  afterEach?(pod: KubeObject): void;
}

export function ownedPodHandlers(options: OwnedPodHandlerOptions): EventHandler {
  const { ownerKeyOf, expectations, enqueue, afterEach } = options;
  const enqueueMatching = (pod: KubeObject) => {
    if (controllerRef(pod)) return;
    for (const owner of options.ownersIn(pod.metadata.namespace ?? '')) {
      if (labelSelectorMatches((owner.spec as { selector?: LabelSelector } | undefined)?.selector, pod.metadata.labels)) enqueue(objectKey(owner));
    }
  };
  return {
    onAdd: (pod) => {
      const key = ownerKeyOf(pod);
      if (!key) {
        if (!pod.metadata.deletionTimestamp) enqueueMatching(pod);
      } else {
        if (pod.metadata.deletionTimestamp) expectations.deletionObserved(key, objectKey(pod));
        else expectations.creationObserved(key);
        enqueue(key);
      }
      afterEach?.(pod);
    },
    onUpdate: (old, pod) => {
      const before = ownerKeyOf(old);
      const key = ownerKeyOf(pod);
      if (pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp && key) expectations.deletionObserved(key, objectKey(pod));
      if (before && before !== key) enqueue(before);
      if (key) enqueue(key);
      else enqueueMatching(pod);
      afterEach?.(pod);
    },
    onDelete: (o) => {
      const pod = deletedObject(o);
      const key = ownerKeyOf(pod);
      if (!key) return;
      expectations.deletionObserved(key, objectKey(pod));
      enqueue(key);
    },
  };
}
