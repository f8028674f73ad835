/**
 * Which objects of a replayed state to show, taken as `jetkube get` takes them: resource
 * types (one, or a comma list "deploy,rs,pods"; none means every kind), names, -n / -A,
 * label and field selectors. Printing is kubectl's: one table per kind (names prefixed
 * `kind.group/` when several kinds are listed), or one List for -o yaml|json, with ages
 * as they were at the replayed moment.
 */
import type { KubeObject } from '../api/object.ts';
import { resourceByKey } from '../api/registry.ts';
import type { ResourceType } from '../api/resource-type.ts';
import { objectFilter } from '../apiserver/object-filter.ts';
import { formatObjects, type OutputFormat } from '../present/print.ts';
import type { ObjectStore } from '../store/object-store.ts';
import { resourceArg } from '../cli/resource-arg.ts';

export interface Selection {
  /** Resource types as typed ("deploy,rs,pods" or ["deploy", "pods"]); empty: every kind in the store. */
  resources: string[];
  names: string[];
  /** -n; without it "default", or every namespace when no resource type is named. */
  namespace?: string;
  allNamespaces: boolean;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface SelectedKind {
  rt: ResourceType;
  objects: KubeObject[];
  /** Names asked for that did not exist at that revision. */
  missing: string[];
}

export function selectObjects(store: ObjectStore, selection: Selection): SelectedKind[] {
  const names = [...selection.names];
  let types: ResourceType[];
  if (selection.resources.length === 0) {
    types = store.resources().flatMap((key) => resourceByKey(key) ?? []);
  } else {
    types = selection.resources
      .flatMap((text) => text.split(','))
      .filter(Boolean)
      .map((text) => {
        const { rt, name } = resourceArg(text);
        if (name) names.push(name);
        return rt;
      });
  }
  // No kind named and no -n: the whole cluster.
  const everyNamespace = selection.allNamespaces || (selection.resources.length === 0 && selection.namespace === undefined);
  return types.map((rt) => {
    const scoped = rt.namespaced && !everyNamespace ? (selection.namespace ?? 'default') : undefined;
    if (names.length > 0) {
      const objects: KubeObject[] = [];
      const missing: string[] = [];
      for (const name of names) {
        const found = rt.namespaced
          ? scoped !== undefined
            ? store.get(rt.key, scoped, name)
            : store.list(rt.key).items.find((o) => o.metadata.name === name)
          : store.get(rt.key, '', name);
        if (found) objects.push(found);
        else missing.push(name);
      }
      return { rt, objects, missing };
    }
    const options: { labelSelector?: string; fieldSelector?: string } = {};
    if (selection.labelSelector) options.labelSelector = selection.labelSelector;
    if (selection.fieldSelector) options.fieldSelector = selection.fieldSelector;
    const filter = objectFilter(rt, { verb: 'list', resource: rt.key, options });
    const objects = store.list(rt.key, scoped).items.filter(filter);
    return { rt, objects, missing: [] };
  });
}

/** The selection printed as kubectl prints it; `now` is the replayed moment (for AGE). */
export function printSelection(
  kinds: SelectedKind[],
  format: OutputFormat,
  options: { allNamespaces: boolean; now: Date; /** One object asked for by name: printed alone, not in a List. */ single?: boolean },
): string {
  const shown = kinds.filter((k) => k.objects.length > 0);
  if (format === 'yaml' || format === 'json') {
    const objects = shown.flatMap((k) => k.objects);
    const single = options.single === true && objects.length === 1;
    const rt = shown[0]?.rt ?? kinds[0]?.rt;
    if (!rt) return formatObjects([], resourceByKey('pods')!, format, { asList: true });
    return formatObjects(objects, rt, format, { asList: !single });
  }
  const several = kinds.length > 1;
  return shown
    .map((k) => formatObjects(k.objects, k.rt, format, { allNamespaces: options.allNamespaces && k.rt.namespaced, now: options.now, kindPrefix: several }))
    .join('\n');
}
