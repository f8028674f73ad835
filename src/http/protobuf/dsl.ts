/**
 * The vocabulary the message schemas are written in: field number -> JSON name and type,
 * as data. `keep` marks fields whose Go type is a pointer or whose JSON tag lacks
 * omitempty: their zero value is meaningful and stays in the JSON (replicas: 0,
 * containerPort). Every other scalar is dropped when zero, as Go's omitempty does. Nested
 * messages are kept even when empty (`resources: {}`): Go does not omit structs. `inline`
 * marks Go's embedded structs (`json:",inline"`): the nested message's fields land in the
 * parent's JSON (a Probe's exec, a ConfigMapKeySelector's name, a Volume's emptyDir).
 */

export type ScalarType = 'string' | 'bytes' | 'int32' | 'int64' | 'bool';
/** Well-known Kubernetes messages with their own JSON form. */
export type SpecialType = 'time' | 'quantity' | 'intOrString';
export type FieldType = ScalarType | SpecialType | { message: string };

export interface FieldSpec {
  name: string;
  type: FieldType;
  repeated?: true;
  /** map<string, type>: entries are messages of key = 1, value = 2. */
  map?: true;
  keep?: true;
  /** An embedded message whose fields are the parent's own in JSON. */
  inline?: true;
}

export type MessageSpec = Record<number, FieldSpec>;

type Options = Partial<Pick<FieldSpec, 'repeated' | 'map' | 'keep'>>;
const field = (type: FieldType) => (name: string, options: Options = {}): FieldSpec => ({ name, type, ...options });
export const str = field('string');
export const bytes = field('bytes');
export const i32 = field('int32');
export const i64 = field('int64');
export const bool = field('bool');
export const time = field('time');
export const quantity = field('quantity');
export const intOrString = field('intOrString');
export const msg = (name: string, message: string, options: Options = {}): FieldSpec => ({ name, type: { message }, ...options });
/** An embedded struct: its message's fields are merged into the parent. */
export const inline = (message: string): FieldSpec => ({ name: message, type: { message }, inline: true });
export const KEEP = { keep: true } as const;
export const LIST = { repeated: true } as const;
export const MAP = { map: true } as const;

/** `metadata = 1` of every object. */
export const metadata = msg('metadata', 'ObjectMeta');
