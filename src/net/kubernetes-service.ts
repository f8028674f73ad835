/**
 * The `kubernetes` Service in `default`, as kube-apiserver's kubernetes-service
 * controller and endpoint reconciler keep it: ClusterIP 127.96.0.1 (the first address of
 * the Service range), port 443 named https targeting the API server's HTTPS port, no
 * selector; its Endpoints and its EndpointSlice (also named `kubernetes`, labeled with
 * the service name but not managed by the EndpointSlice controller) list the API
 * servers' HTTPS addresses. ensureKubernetesService is idempotent: run it when an API
 * server starts serving HTTPS; desired* are pure.
 */
import { StatusError } from '../api/errors.ts';
import type { KubeObject } from '../api/object.ts';
import type { ApiClient } from '../client/api-client.ts';
import { KUBERNETES_SERVICE_IP } from './cluster-network.ts';

export const KUBERNETES_SERVICE = 'kubernetes';
const NS = 'default';

export interface ApiServerEndpoint {
  /** The HTTPS address clients reach the API server on (an IPv4 address). */
  address: string;
  port: number;
}

export function desiredKubernetesService(endpoint: ApiServerEndpoint): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: KUBERNETES_SERVICE, namespace: NS, labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', clusterIP: KUBERNETES_SERVICE_IP, sessionAffinity: 'None', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: endpoint.port }] },
  };
}

export function desiredKubernetesEndpoints(endpoints: readonly ApiServerEndpoint[]): KubeObject {
  const port = endpoints[0]?.port ?? 443;
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: KUBERNETES_SERVICE, namespace: NS, labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: endpoints.length === 0 ? [] : [{ addresses: [...new Set(endpoints.map((e) => e.address))].sort().map((ip) => ({ ip })), ports: [{ name: 'https', port, protocol: 'TCP' }] }],
  };
}

export function desiredKubernetesSlice(endpoints: readonly ApiServerEndpoint[]): KubeObject {
  const port = endpoints[0]?.port ?? 443;
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: KUBERNETES_SERVICE, namespace: NS, labels: { 'kubernetes.io/service-name': KUBERNETES_SERVICE } },
    addressType: 'IPv4',
    endpoints: [...new Set(endpoints.map((e) => e.address))].sort().map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
    ports: [{ name: 'https', port, protocol: 'TCP' }],
  };
}

const isCode = (error: unknown, code: number) => error instanceof StatusError && error.code === code;

/** Creates what is missing and brings the endpoints to `endpoint` (one API server's view: its own address). */
export async function ensureKubernetesService(client: ApiClient, endpoint: ApiServerEndpoint): Promise<void> {
  const exists = () => client.get('services', NS, KUBERNETES_SERVICE).then(() => true, (error) => (isCode(error, 404) ? false : Promise.reject(error)));
  if (!(await exists())) {
    try {
      await client.create('services', desiredKubernetesService(endpoint));
    } catch (error) {
      // Another API server created it first (its address allocation or its name won).
      if (!((isCode(error, 409) || isCode(error, 422)) && (await exists()))) throw error;
    }
  }
  await upsert(client, 'endpoints', desiredKubernetesEndpoints([endpoint]), (o) => o.subsets);
  await upsert(client, 'endpointslices.discovery.k8s.io', desiredKubernetesSlice([endpoint]), (o) => [o.endpoints, o.ports]);
}

async function upsert(client: ApiClient, resource: string, desired: KubeObject, content: (o: KubeObject) => unknown): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    let current: KubeObject | undefined;
    try {
      current = await client.get(resource, NS, desired.metadata.name!);
    } catch (error) {
      if (!isCode(error, 404)) throw error;
    }
    try {
      if (!current) await client.create(resource, desired);
      else if (JSON.stringify(content(current)) !== JSON.stringify(content(desired))) await client.update(resource, { ...current, ...desired, metadata: { ...current.metadata, labels: desired.metadata.labels } });
      return;
    } catch (error) {
      if (!isCode(error, 409)) throw error;
    }
  }
}
