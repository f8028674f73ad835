/**
 * Prints objects for a person or a script, as kubectl's -o flag: a table (NAME, AGE; with
 * -A a NAMESPACE column; -o wide adds the revision and uid), yaml, json, or name
 * (`kind.group/name`). Per-kind columns arrive with the HTTP API's Table support.
 */
import { stringify } from 'yaml';
import type { KubeObject } from '../api/object.ts';
import type { ResourceType } from '../api/resource-type.ts';
import { age } from './human-duration.ts';

export type OutputFormat = 'table' | 'wide' | 'yaml' | 'json' | 'name';

export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'wide', 'yaml', 'json', 'name'];

export function formatObjects(
  objects: KubeObject[],
  rt: ResourceType,
  format: OutputFormat,
  options: { allNamespaces?: boolean; now?: Date; asList?: boolean } = {},
): string {
  const now = options.now ?? new Date();
  switch (format) {
    case 'json':
      return `${JSON.stringify(options.asList ? asList(objects) : (objects[0] ?? asList(objects)), null, 4)}\n`;
    case 'yaml':
      return stringify(options.asList ? asList(objects) : (objects[0] ?? asList(objects)));
    case 'name':
      return objects.map((o) => `${qualifiedKind(rt)}/${o.metadata.name ?? ''}\n`).join('');
    case 'table':
    case 'wide': {
      const header = [...(options.allNamespaces ? ['NAMESPACE'] : []), 'NAME', 'AGE', ...(format === 'wide' ? ['REVISION', 'UID'] : [])];
      const rows = objects.map((o) => [
        ...(options.allNamespaces ? [o.metadata.namespace ?? ''] : []),
        o.metadata.name ?? '',
        age(o.metadata.creationTimestamp, now),
        ...(format === 'wide' ? [o.metadata.resourceVersion ?? '', o.metadata.uid ?? ''] : []),
      ]);
      return formatTable(header, rows);
    }
  }
}

/** Columns padded to their widest cell plus three spaces, as kubectl's printer. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd((widths[i] ?? 0) + 3)))
      .join('')
      .trimEnd();
  return [header, ...rows].map(line).join('\n') + '\n';
}

export function qualifiedKind(rt: ResourceType): string {
  return rt.group ? `${rt.kind.toLowerCase()}.${rt.group}` : rt.kind.toLowerCase();
}

function asList(objects: KubeObject[]) {
  return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items: objects };
}
