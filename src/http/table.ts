/**
 * meta.k8s.io Tables, the server-side printing kubectl asks for with
 * `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`: the server computes every
 * cell (Age included) with the kind's printer, and each row carries the object's
 * metadata as a PartialObjectMetadata (kubectl needs it for NAMESPACE under -A and for
 * --show-labels). Kinds without a printer get NAME and AGE. Pure; `now` is an input.
 */
import type { KubeObject } from '../api/object.ts';
import type { ResourceType } from '../api/resource-type.ts';
import type { ObjectList } from '../apiserver/request.ts';
import { podPrinter } from './print-pods.ts';
import { componentStatusPrinter, configMapPrinter,
  eventPrinter,
  leasePrinter,
  namespacePrinter,
  nodePrinter,
  roleBindingPrinter,
  rolePrinter,
  secretPrinter,
  serviceAccountPrinter, eventsV1Printer } from './print-cluster.ts';
import { controllerRevisionPrinter, endpointSlicePrinter, horizontalPodAutoscalerPrinter, ingressClassPrinter, limitRangePrinter, networkPolicyPrinter, podDisruptionBudgetPrinter, priorityClassPrinter, resourceQuotaPrinter } from './print-policy.ts';
import { persistentVolumeClaimPrinter, persistentVolumePrinter, storageClassPrinter } from './print-storage.ts';
import { endpointsPrinter, ingressPrinter, servicePrinter } from './print-services.ts';
import {
  cronJobPrinter,
  daemonSetPrinter,
  deploymentPrinter,
  jobPrinter,
  replicaSetPrinter,
  replicationControllerPrinter,
  statefulSetPrinter,
} from './print-workloads.ts';
import { age, col, nameColumn, type Cell, type ColumnDefinition, type Printer } from './table-kit.ts';

/** By registry key. */
const PRINTERS: Record<string, Printer> = {
  componentstatuses: componentStatusPrinter,
  resourcequotas: resourceQuotaPrinter,
  limitranges: limitRangePrinter,
  persistentvolumes: persistentVolumePrinter,
  persistentvolumeclaims: persistentVolumeClaimPrinter,
  'controllerrevisions.apps': controllerRevisionPrinter,
  'horizontalpodautoscalers.autoscaling': horizontalPodAutoscalerPrinter,
  'poddisruptionbudgets.policy': podDisruptionBudgetPrinter,
  'priorityclasses.scheduling.k8s.io': priorityClassPrinter,
  'endpointslices.discovery.k8s.io': endpointSlicePrinter,
  'ingressclasses.networking.k8s.io': ingressClassPrinter,
  'networkpolicies.networking.k8s.io': networkPolicyPrinter,
  'storageclasses.storage.k8s.io': storageClassPrinter,
  'events.events.k8s.io': eventsV1Printer,
  pods: podPrinter,
  namespaces: namespacePrinter,
  nodes: nodePrinter,
  services: servicePrinter,
  endpoints: endpointsPrinter,
  configmaps: configMapPrinter,
  secrets: secretPrinter,
  serviceaccounts: serviceAccountPrinter,
  events: eventPrinter,
  replicationcontrollers: replicationControllerPrinter,
  'deployments.apps': deploymentPrinter,
  'replicasets.apps': replicaSetPrinter,
  'statefulsets.apps': statefulSetPrinter,
  'daemonsets.apps': daemonSetPrinter,
  'jobs.batch': jobPrinter,
  'cronjobs.batch': cronJobPrinter,
  'leases.coordination.k8s.io': leasePrinter,
  'ingresses.networking.k8s.io': ingressPrinter,
  'roles.rbac.authorization.k8s.io': rolePrinter,
  'clusterroles.rbac.authorization.k8s.io': rolePrinter,
  'rolebindings.rbac.authorization.k8s.io': roleBindingPrinter,
  'clusterrolebindings.rbac.authorization.k8s.io': roleBindingPrinter,
};

const defaultPrinter: Printer = {
  columns: [nameColumn(), col('Age')],
  cells: (o, now) => [o.metadata.name ?? '', age(o, now)],
};

export function printerFor(rt: ResourceType): Printer {
  return PRINTERS[rt.key] ?? defaultPrinter;
}

/** What each row's `object` holds: the metadata (default), the whole object, or nothing. */
export type IncludeObject = 'Metadata' | 'Object' | 'None';

export interface TableOptions {
  now: Date;
  version?: 'v1' | 'v1beta1';
  includeObject?: IncludeObject;
}

export interface TableRow {
  cells: Cell[];
  object?: unknown;
}

export interface Table {
  kind: 'Table';
  apiVersion: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: ColumnDefinition[];
  rows: TableRow[];
}

export function partialObjectMetadata(object: KubeObject, version: 'v1' | 'v1beta1' = 'v1') {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: object.metadata };
}

export function tableOf(rt: ResourceType, objects: readonly KubeObject[], metadata: Table['metadata'], options: TableOptions): Table {
  const printer = printerFor(rt);
  const version = options.version ?? 'v1';
  const include = options.includeObject ?? 'Metadata';
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${version}`,
    metadata,
    columnDefinitions: printer.columns,
    rows: objects.map((object) => {
      const row: TableRow = { cells: printer.cells(object, options.now) };
      if (include === 'Metadata') row.object = partialObjectMetadata(object, version);
      else if (include === 'Object') row.object = object;
      return row;
    }),
  };
}

/** A list's Table keeps the list's resourceVersion and paging. */
export function tableOfList(rt: ResourceType, list: ObjectList, options: TableOptions): Table {
  return tableOf(rt, list.items, { ...list.metadata }, options);
}

/** One object (a get, or one watch event) as a one-row Table. */
export function tableOfObject(rt: ResourceType, object: KubeObject, options: TableOptions): Table {
  const resourceVersion = object.metadata.resourceVersion;
  return tableOf(rt, [object], resourceVersion ? { resourceVersion } : {}, options);
}

export function parseIncludeObject(text: string | null): IncludeObject | undefined {
  return text === 'Metadata' || text === 'Object' || text === 'None' ? text : undefined;
}
