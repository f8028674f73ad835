/**
 * Versions the API serves besides the one the log stores: the same objects, converted on
 * the way in and out at the face (src/http/served-version.ts), as kube-apiserver serves
 * autoscaling/v1 next to v2 over one storage version. Each has its resource type (same
 * store key and plural as the stored one, its own version), its schema (unknown fields,
 * OpenAPI) and the two conversions. The registry (RESOURCES) keeps stored versions only,
 * so controllers, the namespace sweep and the garbage collector see each kind once.
 */
import { hpaFromV1, hpaToV1 } from './conversion/autoscaling-v1.ts';
import type { KubeObject } from './object.ts';
import { resourceByKey } from './registry.ts';
import type { ResourceType } from './resource-type.ts';
import { HorizontalPodAutoscalerV1 } from './schema/autoscaling-v1.ts';
import type { ObjectSchema } from './schema/dsl.ts';

export interface ServedVersion {
  /** The served coordinates; `key` is the stored kind's. */
  type: ResourceType;
  schema: ObjectSchema;
  /** A stored object as this version shows it. */
  toServed(stored: KubeObject): KubeObject;
  /** A body in this version (create, update) as the stored version; non-objects pass unchanged. */
  toStored(body: unknown): unknown;
}

function servedAs(storedKey: string, version: string, schema: ObjectSchema, toServed: ServedVersion['toServed'], toStored: ServedVersion['toStored']): ServedVersion {
  const stored = resourceByKey(storedKey);
  if (!stored) throw new Error(`served version of an unregistered kind ${storedKey}`);
  const apiVersion = stored.group ? `${stored.group}/${version}` : version;
  return { type: Object.freeze({ ...stored, version, apiVersion }), schema, toServed, toStored };
}

export const SERVED_VERSIONS: readonly ServedVersion[] = Object.freeze([
  servedAs('horizontalpodautoscalers.autoscaling', 'v1', HorizontalPodAutoscalerV1, hpaToV1, hpaFromV1),
]);

/** A served-only version by URL coordinates. */
export function servedVersionFor(group: string, version: string, plural: string): ServedVersion | undefined {
  return SERVED_VERSIONS.find((v) => v.type.group === group && v.type.version === version && v.type.plural === plural);
}

/** The conversion a resource type needs at the face: undefined for a stored version. */
export function conversionOf(rt: ResourceType): ServedVersion | undefined {
  return servedVersionFor(rt.group, rt.version, rt.plural);
}
