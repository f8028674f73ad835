/**
 * Table printers of the cluster and configuration kinds, with kubectl's columns:
 * namespaces, nodes, configmaps, secrets, service accounts, events (core and
 * events.k8s.io), leases, RBAC roles and bindings. Pure.
 */
import type { KubeObject } from '../api/object.ts';
import { age, at, col, list, nameColumn, none, num, record, since, str, wide, type Printer } from './table-kit.ts';

const name = (o: KubeObject) => o.metadata.name ?? '';

export const namespacePrinter: Printer = {
  columns: [nameColumn(), col('Status'), col('Age')],
  cells: (ns, now) => [name(ns), str(at(ns, 'status', 'phase')), age(ns, now)],
};

export const configMapPrinter: Printer = {
  columns: [nameColumn(), col('Data', 'integer'), col('Age')],
  cells: (cm, now) => [name(cm), Object.keys(record(cm.data)).length + Object.keys(record(cm.binaryData)).length, age(cm, now)],
};

export const secretPrinter: Printer = {
  columns: [nameColumn(), col('Type'), col('Data', 'integer'), col('Age')],
  cells: (s, now) => [name(s), str(s.type, 'Opaque'), Object.keys(record(s.data)).length + Object.keys(record(s.stringData)).length, age(s, now)],
};

export const serviceAccountPrinter: Printer = {
  columns: [nameColumn(), col('Secrets', 'integer'), col('Age')],
  cells: (sa, now) => [name(sa), list(sa.secrets).length, age(sa, now)],
};

export const componentStatusPrinter: Printer = {
  columns: [nameColumn(), col('Status'), col('Message'), col('Error')],
  cells: (cs) => {
    const healthy = list(cs.conditions).find((c) => at(c, 'type') === 'Healthy');
    return [name(cs), at(healthy, 'status') === 'True' ? 'Healthy' : 'Unhealthy', str(at(healthy, 'message')), str(at(healthy, 'error'))];
  },
};

export const leasePrinter: Printer = {
  columns: [nameColumn(), col('Holder'), col('Age')],
  cells: (l, now) => [name(l), str(at(l, 'spec', 'holderIdentity')), age(l, now)],
};

function nodeStatus(node: KubeObject): string {
  const ready = list(at(node, 'status', 'conditions')).find((c) => at(c, 'type') === 'Ready');
  const status = !ready ? 'Unknown' : at(ready, 'status') === 'True' ? 'Ready' : at(ready, 'status') === 'False' ? 'NotReady' : 'Unknown';
  return at(node, 'spec', 'unschedulable') === true ? `${status},SchedulingDisabled` : status;
}

function nodeRoles(node: KubeObject): string {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(node.metadata.labels ?? {})) {
    if (key.startsWith('node-role.kubernetes.io/')) roles.add(key.slice('node-role.kubernetes.io/'.length));
    else if (key === 'kubernetes.io/role' && value) roles.add(value);
  }
  return none([...roles].filter((r) => r !== '').sort().join(','));
}

const nodeAddress = (node: KubeObject, type: string) =>
  none(str(at(list(at(node, 'status', 'addresses')).find((a) => at(a, 'type') === type), 'address')));

export const nodePrinter: Printer = {
  columns: [
    nameColumn(),
    col('Status'),
    col('Roles'),
    col('Age'),
    col('Version'),
    wide('Internal-IP'),
    wide('External-IP'),
    wide('OS-Image'),
    wide('Kernel-Version'),
    wide('Container-Runtime'),
  ],
  cells: (node, now) => {
    const info = at(node, 'status', 'nodeInfo');
    return [
      name(node),
      nodeStatus(node),
      nodeRoles(node),
      age(node, now),
      str(at(info, 'kubeletVersion')),
      nodeAddress(node, 'InternalIP'),
      nodeAddress(node, 'ExternalIP'),
      str(at(info, 'osImage'), '<unknown>'),
      str(at(info, 'kernelVersion'), '<unknown>'),
      str(at(info, 'containerRuntimeVersion'), '<unknown>'),
    ];
  },
};

/** Core events have no leading NAME column: kubectl shows LAST SEEN TYPE REASON OBJECT MESSAGE. */
export const eventPrinter: Printer = {
  columns: [
    col('Last Seen'),
    col('Type'),
    col('Reason'),
    col('Object'),
    wide('Subobject'),
    wide('Source'),
    col('Message'),
    wide('First Seen'),
    wide('Count', 'integer'),
    wide('Name'),
  ],
  cells: (ev, now) => {
    const first = str(ev.firstTimestamp) || str(ev.eventTime) || str(ev.metadata.creationTimestamp);
    const last = str(ev.lastTimestamp) || first;
    const source = [str(at(ev, 'source', 'component')) || str(ev.reportingComponent), str(at(ev, 'source', 'host')) || str(ev.reportingInstance)]
      .filter((s) => s !== '')
      .join(', ');
    const involved = at(ev, 'involvedObject');
    return [
      since(last, now),
      str(ev.type),
      str(ev.reason),
      `${str(at(involved, 'kind')).toLowerCase()}/${str(at(involved, 'name'))}`,
      str(at(involved, 'fieldPath')),
      source,
      str(ev.message).trim(),
      since(first, now),
      num(ev.count, 1),
      name(ev),
    ];
  },
};

/**
 * events.k8s.io/v1 Events print like core ones (Kubernetes has one internal Event type):
 * their fields mapped back to the core names first.
 */
export const eventsV1Printer: Printer = {
  columns: eventPrinter.columns,
  cells: (ev, now) => {
    const core: KubeObject = {
      ...ev,
      involvedObject: ev.regarding,
      message: ev.note,
      source: ev.deprecatedSource,
      firstTimestamp: ev.deprecatedFirstTimestamp,
      lastTimestamp: at(ev, 'series', 'lastObservedTime') ?? ev.deprecatedLastTimestamp,
      count: at(ev, 'series', 'count') ?? ev.deprecatedCount,
      reportingComponent: ev.reportingController,
    };
    return eventPrinter.cells(core, now);
  },
};

/** Roles are shown with their creation time, as Kubernetes does, not an age. */
export const rolePrinter: Printer = {
  columns: [nameColumn(), col('Created At', 'date')],
  cells: (r) => [name(r), str(r.metadata.creationTimestamp)],
};

function subjectsOf(binding: KubeObject, kind: string): string {
  return list(binding.subjects)
    .filter((s) => at(s, 'kind') === kind)
    .map((s) => (kind === 'ServiceAccount' ? `${str(at(s, 'namespace'))}/${str(at(s, 'name'))}` : str(at(s, 'name'))))
    .join(', ');
}

export const roleBindingPrinter: Printer = {
  columns: [nameColumn(), col('Role'), col('Age'), wide('Users'), wide('Groups'), wide('ServiceAccounts')],
  cells: (b, now) => [
    name(b),
    `${str(at(b, 'roleRef', 'kind'))}/${str(at(b, 'roleRef', 'name'))}`,
    age(b, now),
    subjectsOf(b, 'User'),
    subjectsOf(b, 'Group'),
    subjectsOf(b, 'ServiceAccount'),
  ],
};
