/**
 * The schema DSL: one description of each kind's fields, from which come the structural
 * checks (check.ts), unknown-field detection and pruning (unknown-fields.ts), the OpenAPI
 * v3 document (openapi.ts), and, through `Infer`, the TypeScript type the semantic
 * validators read. Lists carry their Kubernetes list semantics (map keys, merge keys) so
 * that strategic merge patch can later be driven by the same description.
 */

interface Common {
  description?: string;
  /** The OpenAPI definition name ("io.k8s.api.core.v1.Container") when this is a named type. */
  name?: string;
}

export interface StringSchema<T extends string = string> extends Common {
  kind: 'string';
  enum?: readonly T[];
  /**
   * false when Kubernetes reports a bad value in its own words (or at another path), so a
   * semantic rule checks it instead of the generic NotSupported.
   */
  enforceEnum?: boolean;
  format?: 'byte' | 'date-time';
}

export interface IntegerSchema extends Common {
  kind: 'integer';
  format: 'int32' | 'int64';
  minimum?: number;
  maximum?: number;
}

export interface NumberSchema extends Common {
  kind: 'number';
}

export interface BooleanSchema extends Common {
  kind: 'boolean';
}

/** intstr.IntOrString: 8080 or "http", 1 or "25%". */
export interface IntOrStringSchema extends Common {
  kind: 'int-or-string';
}

/** resource.Quantity: "500m", "1Gi", or a bare number. */
export interface QuantitySchema extends Common {
  kind: 'quantity';
}

/** Arbitrary JSON (runtime.RawExtension, FieldsV1, deprecated volume plugins). */
export interface AnySchema extends Common {
  kind: 'any';
}

export type Properties = { readonly [field: string]: Schema };

export interface ObjectSchema<P extends Properties = Properties> extends Common {
  kind: 'object';
  properties: P;
  /** For the OpenAPI document; the semantic validators report missing fields in Kubernetes' words. */
  required?: readonly string[];
  /** x-kubernetes-preserve-unknown-fields: fields outside `properties` are kept, not reported. */
  preserveUnknownFields?: boolean;
  /**
   * x-kubernetes-patch-strategy "retainKeys" (a union such as DeploymentStrategy): a client's
   * strategic merge patch names the fields to keep, so switching the union's type drops the
   * other member.
   */
  patchStrategy?: 'retainKeys';
}

export interface MapSchema<V extends Schema = Schema> extends Common {
  kind: 'map';
  values: V;
}

export type ListType = 'atomic' | 'set' | 'map';
export type PatchStrategy = 'merge' | 'retainKeys' | 'merge,retainKeys' | 'replace';

export interface ListSchema<I extends Schema = Schema> extends Common {
  kind: 'list';
  items: I;
  /** x-kubernetes-list-type. */
  listType: ListType;
  /** x-kubernetes-list-map-keys, for listType "map". */
  mapKeys?: readonly string[];
  /** x-kubernetes-patch-merge-key: how strategic merge patch pairs up items. */
  mergeKey?: string;
  /** x-kubernetes-patch-strategy. */
  patchStrategy?: PatchStrategy;
}

export type Schema =
  | StringSchema
  | IntegerSchema
  | NumberSchema
  | BooleanSchema
  | IntOrStringSchema
  | QuantitySchema
  | AnySchema
  | ObjectSchema
  | MapSchema
  | ListSchema;

/** The TypeScript type of data that passed the structural checks of `S` (nulls stripped). */
export type Infer<S> =
  S extends StringSchema<infer T>
    ? T
    : S extends IntegerSchema | NumberSchema
      ? number
      : S extends BooleanSchema
        ? boolean
        : S extends IntOrStringSchema | QuantitySchema
          ? number | string
          : S extends ListSchema<infer I>
            ? Infer<I>[]
            : S extends MapSchema<infer V>
              ? Record<string, Infer<V>>
              : S extends ObjectSchema<infer P>
                ? { [K in keyof P]?: Infer<P[K]> }
                : unknown;

type Described = { description?: string; name?: string };

export function str<const T extends string = string>(
  options: { enum?: readonly T[]; enforceEnum?: boolean; format?: 'byte' | 'date-time' } & Described = {},
): StringSchema<T> {
  return { kind: 'string', ...options };
}

export const int32 = (options: { minimum?: number; maximum?: number } & Described = {}): IntegerSchema => ({
  kind: 'integer',
  format: 'int32',
  ...options,
});

export const int64 = (options: { minimum?: number; maximum?: number } & Described = {}): IntegerSchema => ({
  kind: 'integer',
  format: 'int64',
  ...options,
});

export const num = (options: Described = {}): NumberSchema => ({ kind: 'number', ...options });
export const bool = (options: Described = {}): BooleanSchema => ({ kind: 'boolean', ...options });
export const intOrString = (options: Described = {}): IntOrStringSchema => ({ kind: 'int-or-string', ...options });
export const quantity = (options: Described = {}): QuantitySchema => ({ kind: 'quantity', ...options });
export const any = (options: Described = {}): AnySchema => ({ kind: 'any', ...options });
export const time = (options: Described = {}) => str({ format: 'date-time', ...options });
export const bytes = (options: Described = {}) => str({ format: 'byte', ...options });

export function obj<P extends Properties>(
  properties: P,
  options: { required?: readonly (keyof P & string)[]; preserveUnknownFields?: boolean; patchStrategy?: 'retainKeys' } & Described = {},
): ObjectSchema<P> {
  return { kind: 'object', properties, ...options };
}

export const mapOf = <V extends Schema>(values: V, options: Described = {}): MapSchema<V> => ({ kind: 'map', values, ...options });

export function listOf<I extends Schema>(
  items: I,
  options: { listType?: ListType; mapKeys?: readonly string[]; mergeKey?: string; patchStrategy?: PatchStrategy } & Described = {},
): ListSchema<I> {
  const listType = options.listType ?? (options.mapKeys ? 'map' : 'atomic');
  const patchStrategy = options.patchStrategy ?? (options.mergeKey ? 'merge' : undefined);
  return { kind: 'list', items, ...options, listType, ...(patchStrategy ? { patchStrategy } : {}) };
}

/** A list of objects keyed by one field, merged by it: containers by name, volumes by name. */
export const keyedList = <I extends Schema>(items: I, mergeKey: string, extra: { patchStrategy?: PatchStrategy } = {}) =>
  listOf(items, { mapKeys: [mergeKey], mergeKey, ...extra });

export const strList = () => listOf(str());
export const strSet = () => listOf(str(), { listType: 'set' });
export const strMap = () => mapOf(str());
export const quantityMap = () => mapOf(quantity());

/** The schema of a whole object of a kind: apiVersion, kind, metadata and the kind's own fields. */
export function kindSchema<M extends Schema, P extends Properties>(
  name: string,
  metadata: M,
  properties: P,
): ObjectSchema<{ apiVersion: StringSchema; kind: StringSchema; metadata: M } & P> {
  return obj({ apiVersion: str(), kind: str(), metadata, ...properties }, { name });
}
