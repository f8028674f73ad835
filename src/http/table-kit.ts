/**
 * The pieces every per-kind Table printer is made of: column definitions, a printer's
 * shape (columns + a pure `cells(object, now)`), and the small formatters kubectl's
 * server-side printers share (ages, "<none>", label selectors, container names and
 * images). Pure; time comes in as `now`.
 */
import type { KubeObject } from '../api/object.ts';
import { isPlainObject } from '../api/object.ts';
import { age as ageOf, humanDuration } from '../present/human-duration.ts';

export interface ColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

export type Cell = string | number | boolean;

export interface Printer {
  columns: ColumnDefinition[];
  cells(object: KubeObject, now: Date): Cell[];
}

const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';

export const nameColumn = (): ColumnDefinition => ({ name: 'Name', type: 'string', format: 'name', description: NAME_DESCRIPTION, priority: 0 });

/** A column; "wide" ones have priority 1 and show only with `-o wide`. */
export function col(name: string, type: ColumnDefinition['type'] = 'string', wide = false): ColumnDefinition {
  return { name, type, format: '', description: '', priority: wide ? 1 : 0 };
}

export const wide = (name: string, type: ColumnDefinition['type'] = 'string') => col(name, type, true);

/** Safe reads into untyped object data. */
export function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (Array.isArray(current) && typeof key === 'number') current = current[key];
    else if (isPlainObject(current) && typeof key === 'string') current = current[key];
    else return undefined;
  }
  return current;
}

export const str = (value: unknown, fallback = ''): string => (typeof value === 'string' && value !== '' ? value : fallback);
export const num = (value: unknown, fallback = 0): number => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);
export const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
export const record = (value: unknown): Record<string, unknown> => (isPlainObject(value) ? value : {});

export const none = (text: string) => (text === '' ? '<none>' : text);

export function age(object: KubeObject, now: Date): string {
  return ageOf(object.metadata.creationTimestamp, now);
}

/** The age of a timestamp field, or `fallback` when unset. */
export function since(timestamp: unknown, now: Date, fallback = '<unknown>'): string {
  return typeof timestamp === 'string' && timestamp !== '' ? ageOf(timestamp, now) : fallback;
}

export function duration(fromIso: string, to: Date): string {
  return humanDuration(to.getTime() - Date.parse(fromIso));
}

/** labels.FormatLabels: "a=1,b=2" sorted by key, "<none>" when empty. */
export function formatLabels(labels: unknown): string {
  const entries = Object.entries(record(labels)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return none(entries.map(([k, v]) => `${k}=${String(v)}`).join(','));
}

/** A metav1.LabelSelector as kubectl prints it: "app=web,tier in (a,b)", "<none>" when empty. */
export function formatSelector(selector: unknown): string {
  if (!isPlainObject(selector)) return '<none>';
  const parts = Object.entries(record(selector.matchLabels))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${String(v)}`);
  for (const expression of list(selector.matchExpressions)) {
    const key = str(at(expression, 'key'));
    const values = list(at(expression, 'values')).map(String).sort();
    switch (at(expression, 'operator')) {
      case 'In':
        parts.push(`${key} in (${values.join(',')})`);
        break;
      case 'NotIn':
        parts.push(`${key} notin (${values.join(',')})`);
        break;
      case 'Exists':
        parts.push(key);
        break;
      case 'DoesNotExist':
        parts.push(`!${key}`);
        break;
    }
  }
  return none(parts.join(','));
}

/** Container names and images of a pod template spec, comma-joined. */
export function containersAndImages(podSpec: unknown): [string, string] {
  const containers = list(at(podSpec, 'containers'));
  return [containers.map((c) => str(at(c, 'name'))).join(','), containers.map((c) => str(at(c, 'image'))).join(',')];
}
