/**
 * What an informer may do to each object before it caches it (client-go's
 * SetTransform). Pure; a transform returns a new object and leaves its input alone.
 */
import type { KubeObject } from '../api/object.ts';

export type ObjectTransform = (object: KubeObject) => KubeObject;

/**
 * Drops metadata.managedFields, as client-go's TransformStripManagedFields does for the
 * scheduler's and controller manager's caches: no controller reads them, and they are
 * about half of a Deployment's pod in memory (9.2 KB -> 4.7 KB), which at 150,000 pods is
 * ~650 MB in each process that caches every pod. An update sent from a stripped object
 * keeps the stored managedFields (only an explicit `[]` clears them).
 */
export const stripManagedFields: ObjectTransform = (object) => {
  if (object.metadata.managedFields === undefined) return object;
  const { managedFields: _dropped, ...metadata } = object.metadata;
  return { ...object, metadata };
};
