/**
 * get and list of the kinds the API server computes instead of storing: ComponentStatus
 * and metrics.k8s.io's NodeMetrics and PodMetrics (`kubectl top`). Label selectors
 * select by the labels of the node or pod measured, as metrics-server does.
 */
import { badRequest, notFound } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import { matchesLabels, parseLabelSelector } from '../../api/selectors.ts';
import type { ObjectStore } from '../../store/object-store.ts';
import type { ApiReply, ApiRequest } from '../request.ts';
import { componentStatuses, type ComponentProbe } from './component-statuses.ts';
import { nodeMetrics, podMetrics, type NodeUsageStore } from './node-usage-store.ts';

export interface VirtualSources {
  store: Pick<ObjectStore, 'get'>;
  usage: NodeUsageStore;
  probe: ComponentProbe;
}

export const VIRTUAL_RESOURCES = new Set(['componentstatuses', 'nodes.metrics.k8s.io', 'pods.metrics.k8s.io']);

export async function serveVirtual(request: ApiRequest, sources: VirtualSources): Promise<ApiReply> {
  const selector = request.options?.labelSelector ? parseSelector(request.options.labelSelector) : undefined;
  const labelsOf = (resource: string, namespace: string, name: string) => sources.store.get(resource, namespace, name)?.metadata.labels;
  let items: KubeObject[];
  let listKind: string;
  let apiVersion: string;
  let plural: string;
  switch (request.resource) {
    case 'componentstatuses':
      items = await componentStatuses(sources.probe);
      [listKind, apiVersion, plural] = ['ComponentStatusList', 'v1', 'componentstatuses'];
      break;
    case 'nodes.metrics.k8s.io':
      items = nodeMetrics(sources.usage.current()).filter((m) => !selector || matchesLabels(selector, labelsOf('nodes', '', m.metadata.name ?? '')));
      [listKind, apiVersion, plural] = ['NodeMetricsList', 'metrics.k8s.io/v1beta1', 'nodemetrics'];
      break;
    default:
      items = podMetrics(sources.usage.current(), request.namespace).filter(
        (m) => !selector || matchesLabels(selector, labelsOf('pods', m.metadata.namespace ?? '', m.metadata.name ?? '')),
      );
      [listKind, apiVersion, plural] = ['PodMetricsList', 'metrics.k8s.io/v1beta1', 'podmetrics'];
  }
  if (request.verb === 'get') {
    const found = items.find((i) => i.metadata.name === request.name);
    if (!found) throw notFound(plural, apiVersion.includes('/') ? apiVersion.split('/')[0]! : '', request.name ?? '');
    return { ok: true, body: found };
  }
  return { ok: true, body: { kind: listKind, apiVersion, metadata: { resourceVersion: '' }, items } };
}

function parseSelector(text: string) {
  try {
    return parseLabelSelector(text);
  } catch (error) {
    throw badRequest(`unable to parse requirement: ${error instanceof Error ? error.message : String(error)}`);
  }
}
