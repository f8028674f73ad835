/**
 * What changed between two versions of an object, as field paths: the answer to "what did
 * this write do?" in `jetkube replay history`. Pure; metadata.resourceVersion is left out
 * (it changes on every write by definition).
 */
import { isDeepStrictEqual } from 'node:util';

export type FieldChange =
  | { op: 'add'; path: string; value: unknown }
  | { op: 'remove'; path: string; value: unknown }
  | { op: 'replace'; path: string; from: unknown; to: unknown };

const IGNORED = new Set(['metadata.resourceVersion']);

export function diffObjects(before: unknown, after: unknown, path = ''): FieldChange[] {
  if (IGNORED.has(path) || isDeepStrictEqual(before, after)) return [];
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => {
      const child = path ? `${path}.${key}` : key;
      if (!(key in after)) return IGNORED.has(child) ? [] : [{ op: 'remove' as const, path: child, value: before[key] }];
      if (!(key in before)) return IGNORED.has(child) ? [] : [{ op: 'add' as const, path: child, value: after[key] }];
      return diffObjects(before[key], after[key], child);
    });
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((item, i) => diffObjects(item, after[i], `${path}[${i}]`));
  }
  return [{ op: 'replace', path, from: before, to: after }];
}

export function formatChange(change: FieldChange): string {
  const show = (v: unknown) => JSON.stringify(v);
  switch (change.op) {
    case 'add':
      return `+ ${change.path}: ${show(change.value)}`;
    case 'remove':
      return `- ${change.path}: ${show(change.value)}`;
    case 'replace':
      return `~ ${change.path}: ${show(change.from)} -> ${show(change.to)}`;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
