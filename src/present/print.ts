/**
 * Prints objects for a person or a script, as kubectl's -o flag: a table with the same
 * per-kind columns the HTTP API's Table answers kubectl with (with -A a NAMESPACE column
 * first; -o wide adds the wide columns; kindPrefix names rows `kind.group/name` as kubectl
 * does when one command lists several kinds), yaml, json, or name (`kind.group/name`).
 */
import { stringify } from 'yaml';
import type { KubeObject } from '../api/object.ts';
import type { ResourceType } from '../api/resource-type.ts';
import { tableOf } from '../http/table.ts';

export type OutputFormat = 'table' | 'wide' | 'yaml' | 'json' | 'name';

export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'wide', 'yaml', 'json', 'name'];

export function formatObjects(
  objects: KubeObject[],
  rt: ResourceType,
  format: OutputFormat,
  options: { allNamespaces?: boolean; now?: Date; asList?: boolean; kindPrefix?: boolean } = {},
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
      const table = tableOf(rt, objects, {}, { now, includeObject: 'None' });
      const shown = table.columnDefinitions.flatMap((c, i) => (format === 'wide' || c.priority === 0 ? [i] : []));
      const header = [...(options.allNamespaces ? ['NAMESPACE'] : []), ...shown.map((i) => table.columnDefinitions[i]!.name.toUpperCase())];
      const rows = table.rows.map((row, r) => [
        ...(options.allNamespaces ? [objects[r]!.metadata.namespace ?? ''] : []),
        ...shown.map((i) => {
          const cell = String(row.cells[i] ?? '');
          // Several kinds in one listing: names as kubectl prints them then, "deployment.apps/web".
          return options.kindPrefix && table.columnDefinitions[i]!.name === 'Name' ? `${qualifiedKind(rt)}/${cell}` : cell;
        }),
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
