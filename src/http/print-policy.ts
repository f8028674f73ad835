/**
 * Table printers of the policy, autoscaling and discovery kinds, with the columns
 * kubectl shows against a real cluster (Kubernetes' server-side printers): pod disruption
 * budgets, resource quotas, limit ranges, horizontal pod autoscalers, priority classes,
 * network policies, ingress classes, controller revisions and endpoint slices. Pure.
 */
import { hpaFromV1 } from '../api/conversion/autoscaling-v1.ts';
import type { KubeObject } from '../api/object.ts';
import { age, at, col, formatSelector, list, nameColumn, num, record, str, type Printer } from './table-kit.ts';
import { canonicalQuantity } from '../admission/resource-quota/quantity.ts';

const name = (o: KubeObject) => o.metadata.name ?? '';

/** An IntOrString as Kubernetes prints it, or `fallback` when unset. */
const intOrString = (value: unknown, fallback: string) => (typeof value === 'number' ? String(value) : str(value, fallback));

export const podDisruptionBudgetPrinter: Printer = {
  columns: [nameColumn(), col('Min Available'), col('Max Unavailable'), col('Allowed Disruptions', 'integer'), col('Age')],
  cells: (pdb, now) => [
    name(pdb),
    intOrString(at(pdb, 'spec', 'minAvailable'), 'N/A'),
    intOrString(at(pdb, 'spec', 'maxUnavailable'), 'N/A'),
    num(at(pdb, 'status', 'disruptionsAllowed')),
    age(pdb, now),
  ],
};

/** "cpu: 0/1, pods: 1/2": enforced (status) hard limits with their use, limits.* apart. */
function quotaColumns(quota: KubeObject): [string, string] {
  const hard = record(at(quota, 'status', 'hard'));
  const used = record(at(quota, 'status', 'used'));
  const requests: string[] = [];
  const limits: string[] = [];
  for (const resource of Object.keys(hard).sort()) {
    // Quantities as Quantity.String() prints them ("1.5" is 1500m).
    const entry = `${resource}: ${canonicalQuantity(used[resource] ?? '0')}/${canonicalQuantity(hard[resource] ?? '0')}`;
    (resource.split('.')[0] === 'limits' && resource.includes('.') ? limits : requests).push(entry);
  }
  return [requests.join(', '), limits.join(', ')];
}

export const resourceQuotaPrinter: Printer = {
  columns: [nameColumn(), col('Age'), col('Request'), col('Limit')],
  cells: (quota, now) => [name(quota), age(quota, now), ...quotaColumns(quota)],
};

export const limitRangePrinter: Printer = {
  columns: [nameColumn(), col('Created At', 'date')],
  cells: (lr) => [name(lr), str(lr.metadata.creationTimestamp)],
};

/** One metric of an autoscaling/v2 HPA as "cpu: 40%/80%", its current value from status. */
function formatMetric(spec: unknown, status: unknown): string {
  const type = str(at(spec, 'type'));
  const current = (path: string[], percent = false) => {
    const value = at(status, ...path);
    if (value === undefined || value === null) return '<unknown>';
    return percent ? `${String(value)}%` : String(value);
  };
  switch (type) {
    case 'Resource':
    case 'ContainerResource': {
      const key = type === 'Resource' ? 'resource' : 'containerResource';
      const source = at(spec, key);
      const averageValue = at(source, 'target', 'averageValue');
      if (averageValue !== undefined) return `${current([key, 'current', 'averageValue'])}/${String(averageValue)}`;
      const utilization = at(source, 'target', 'averageUtilization');
      const target = typeof utilization === 'number' ? `${utilization}%` : '<auto>';
      const prefix = type === 'Resource' ? str(at(source, 'name')) : `${str(at(source, 'name'))} of container "${str(at(source, 'container'))}"`;
      return `${prefix}: ${current([key, 'current', 'averageUtilization'], true)}/${target}`;
    }
    case 'Pods':
      return `${current(['pods', 'current', 'averageValue'])}/${String(at(spec, 'pods', 'target', 'averageValue') ?? '<unset>')}`;
    case 'Object': {
      const averageValue = at(spec, 'object', 'target', 'averageValue');
      if (averageValue !== undefined) return `${current(['object', 'current', 'averageValue'])}/${String(averageValue)} (avg)`;
      return `${current(['object', 'current', 'value'])}/${String(at(spec, 'object', 'target', 'value') ?? '<unset>')}`;
    }
    case 'External': {
      const averageValue = at(spec, 'external', 'target', 'averageValue');
      if (averageValue !== undefined) return `${current(['external', 'current', 'averageValue'])}/${String(averageValue)} (avg)`;
      return `${current(['external', 'current', 'value'])}/${String(at(spec, 'external', 'target', 'value') ?? '<unset>')}`;
    }
    default:
      return '<unknown type>';
  }
}

/** Kubernetes shows two metrics and counts the rest. */
function formatMetrics(hpa: KubeObject): string {
  const specs = list(at(hpa, 'spec', 'metrics'));
  if (specs.length === 0) return '<none>';
  const statuses = list(at(hpa, 'status', 'currentMetrics'));
  const shown = specs.slice(0, 2).map((spec, i) => formatMetric(spec, statuses[i]));
  return specs.length > 2 ? `${shown.join(', ')} + ${specs.length - 2} more...` : shown.join(', ');
}

export const horizontalPodAutoscalerPrinter: Printer = {
  columns: [nameColumn(), col('Reference'), col('Targets'), col('MinPods'), col('MaxPods', 'integer'), col('Replicas', 'integer'), col('Age')],
  cells: (object, now) => {
    // Printed from the stored version's fields whichever version was asked for, as Kubernetes prints its internal one.
    const hpa = object.apiVersion === 'autoscaling/v1' ? (hpaFromV1(object) as KubeObject) : object;
    const minReplicas = at(hpa, 'spec', 'minReplicas');
    return [
      name(hpa),
      `${str(at(hpa, 'spec', 'scaleTargetRef', 'kind'))}/${str(at(hpa, 'spec', 'scaleTargetRef', 'name'))}`,
      formatMetrics(hpa),
      typeof minReplicas === 'number' ? String(minReplicas) : '<unset>',
      num(at(hpa, 'spec', 'maxReplicas')),
      num(at(hpa, 'status', 'currentReplicas')),
      age(hpa, now),
    ];
  },
};

export const priorityClassPrinter: Printer = {
  columns: [nameColumn(), col('Value', 'integer'), col('Global-Default', 'boolean'), col('Age'), col('PreemptionPolicy')],
  cells: (pc, now) => [name(pc), num(pc.value), pc.globalDefault === true, age(pc, now), str(pc.preemptionPolicy, 'PreemptLowerPriority')],
};

export const networkPolicyPrinter: Printer = {
  columns: [nameColumn(), col('Pod-Selector'), col('Age')],
  cells: (np, now) => [name(np), formatSelector(at(np, 'spec', 'podSelector')), age(np, now)],
};

export const ingressClassPrinter: Printer = {
  columns: [nameColumn(), col('Controller'), col('Parameters'), col('Age')],
  cells: (ic, now) => {
    const parameters = at(ic, 'spec', 'parameters');
    let shown = '<none>';
    if (parameters !== undefined && parameters !== null) {
      const group = at(parameters, 'apiGroup');
      shown = `${str(at(parameters, 'kind'))}${typeof group === 'string' ? `.${group}` : ''}/${str(at(parameters, 'name'))}`;
    }
    return [name(ic), str(at(ic, 'spec', 'controller')), shown, age(ic, now)];
  },
};

export const controllerRevisionPrinter: Printer = {
  columns: [nameColumn(), col('Controller'), col('Revision', 'integer'), col('Age')],
  cells: (cr, now) => {
    const owner = (cr.metadata.ownerReferences ?? []).find((o) => o.controller === true);
    let controller = '<none>';
    if (owner) {
      const group = owner.apiVersion.includes('/') ? owner.apiVersion.split('/')[0]! : '';
      controller = `${owner.kind.toLowerCase()}${group ? `.${group}` : ''}/${owner.name}`;
    }
    return [name(cr), controller, num(cr.revision), age(cr, now)];
  },
};

/** Up to three endpoint addresses, then "+ N more...". */
function sliceEndpoints(slice: KubeObject): string {
  const addresses = list(slice.endpoints).flatMap((e) => list(at(e, 'addresses')).map(String));
  if (addresses.length === 0) return '<unset>';
  const shown = addresses.slice(0, 3).join(',');
  return addresses.length > 3 ? `${shown} + ${addresses.length - 3} more...` : shown;
}

function slicePorts(slice: KubeObject): string {
  const ports = list(slice.ports);
  if (ports.length === 0) return '<unset>';
  return ports.map((p) => (typeof at(p, 'port') === 'number' ? String(at(p, 'port')) : '<unset>')).join(',');
}

export const endpointSlicePrinter: Printer = {
  columns: [nameColumn(), col('AddressType'), col('Ports'), col('Endpoints'), col('Age')],
  cells: (slice, now) => [name(slice), str(slice.addressType), slicePorts(slice), sliceEndpoints(slice), age(slice, now)],
};
