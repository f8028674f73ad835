/**
 * Table printers of the network kinds, with kubectl's columns: services (TYPE CLUSTER-IP
 * EXTERNAL-IP PORT(S) AGE, wide SELECTOR), endpoints and ingresses. Pure.
 */
import type { KubeObject } from '../api/object.ts';
import { age, at, col, formatLabels, list, nameColumn, none, num, str, wide, type Printer } from './table-kit.ts';

function externalIp(svc: KubeObject): string {
  const type = str(at(svc, 'spec', 'type'), 'ClusterIP');
  const external = list(at(svc, 'spec', 'externalIPs')).map(String);
  switch (type) {
    case 'ClusterIP':
    case 'NodePort':
      return external.length > 0 ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const ingress = list(at(svc, 'status', 'loadBalancer', 'ingress')).map((i) => str(at(i, 'ip')) || str(at(i, 'hostname')));
      const all = [...ingress.filter((i) => i !== ''), ...external];
      return all.length > 0 ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return str(at(svc, 'spec', 'externalName'));
    default:
      return '<unknown>';
  }
}

function ports(svc: KubeObject): string {
  const text = list(at(svc, 'spec', 'ports')).map((p) => {
    const protocol = str(at(p, 'protocol'), 'TCP');
    const nodePort = num(at(p, 'nodePort'));
    return nodePort > 0 ? `${num(at(p, 'port'))}:${nodePort}/${protocol}` : `${num(at(p, 'port'))}/${protocol}`;
  });
  return none(text.join(','));
}

export const servicePrinter: Printer = {
  columns: [nameColumn(), col('Type'), col('Cluster-IP'), col('External-IP'), col('Port(s)'), col('Age'), wide('Selector')],
  cells: (svc, now) => [
    svc.metadata.name ?? '',
    str(at(svc, 'spec', 'type'), 'ClusterIP'),
    none(str(at(svc, 'spec', 'clusterIP'))),
    externalIp(svc),
    ports(svc),
    age(svc, now),
    formatLabels(at(svc, 'spec', 'selector')),
  ],
};

/** "10.0.0.1:80,10.0.0.2:80 + 3 more...", as kubectl shortens long endpoint lists. */
function formatEndpoints(endpoints: KubeObject): string {
  const all: string[] = [];
  for (const subset of list(at(endpoints, 'subsets'))) {
    const portsOf = list(at(subset, 'ports'));
    for (const address of list(at(subset, 'addresses'))) {
      const ip = str(at(address, 'ip'));
      if (portsOf.length === 0) all.push(ip);
      for (const port of portsOf) all.push(`${ip}:${num(at(port, 'port'))}`);
    }
  }
  if (all.length === 0) return '<none>';
  return all.length > 3 ? `${all.slice(0, 3).join(',')} + ${all.length - 3} more...` : all.join(',');
}

export const endpointsPrinter: Printer = {
  columns: [nameColumn(), col('Endpoints'), col('Age')],
  cells: (ep, now) => [ep.metadata.name ?? '', formatEndpoints(ep), age(ep, now)],
};

export const ingressPrinter: Printer = {
  columns: [nameColumn(), col('Class'), col('Hosts'), col('Address'), col('Ports'), col('Age')],
  cells: (ing, now) => {
    const rules = list(at(ing, 'spec', 'rules'));
    const hosts = rules.map((r) => str(at(r, 'host'))).filter((h) => h !== '');
    const addresses = list(at(ing, 'status', 'loadBalancer', 'ingress')).map((i) => str(at(i, 'ip')) || str(at(i, 'hostname')));
    return [
      ing.metadata.name ?? '',
      none(str(at(ing, 'spec', 'ingressClassName'))),
      hosts.length > 0 ? hosts.join(',') : '*',
      addresses.filter((a) => a !== '').join(','),
      list(at(ing, 'spec', 'tls')).length > 0 ? '80, 443' : '80',
      age(ing, now),
    ];
  },
};
