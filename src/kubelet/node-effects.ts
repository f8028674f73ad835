/**
 * The kubelet's writes for its Node and its Lease. Every write is pinned to the
 * resourceVersion read and retried after a fresh read on 409, as kubelet's node status
 * and nodelease controllers do; the decisions are node-status.ts and node-lease.ts.
 */
import { StatusError } from '../api/errors.ts';
import type { KubeObject } from '../api/object.ts';
import type { ApiClient } from '../client/api-client.ts';
import { labelsToAdd, newNode, nodeStatus, type NodeConfig } from './node-status.ts';
import { NODE_LEASE_NAMESPACE, newNodeLease, renewedNodeLease } from './node-lease.ts';
import { LEASES } from '../controllers/leader-election/effects.ts';

const ATTEMPTS = 5;
const isCode = (error: unknown, code: number) => error instanceof StatusError && error.code === code;

/** Creates the Node, or brings an existing one's labels and status up to date. Returns the Node as stored. */
export async function registerNode(client: ApiClient, config: NodeConfig, now: number): Promise<KubeObject> {
  for (let attempt = 1; ; attempt++) {
    let existing: KubeObject | undefined;
    try {
      existing = await client.get('nodes', undefined, config.nodeName);
    } catch (error) {
      if (!isCode(error, 404)) throw error;
    }
    try {
      if (!existing) {
        const desired = newNode(config, now);
        const created = await client.create('nodes', desired);
        // create ignores status: post it through the subresource.
        return await client.update('nodes', { ...created, status: desired.status }, { subresource: 'status' });
      }
      let node = existing;
      const labels = labelsToAdd(config, node);
      if (labels) node = await client.update('nodes', { ...node, metadata: { ...node.metadata, labels: { ...node.metadata.labels, ...labels } } });
      return await client.update('nodes', { ...node, status: nodeStatus(config, node, now) }, { subresource: 'status' });
    } catch (error) {
      if (!(isCode(error, 409) && attempt < ATTEMPTS)) throw error;
    }
  }
}

/** Posts the node's status (heartbeat or change), pinned, re-read on conflict. */
export async function postNodeStatus(client: ApiClient, config: NodeConfig, node: KubeObject, now: number): Promise<KubeObject> {
  let current = node;
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.update('nodes', { ...current, status: nodeStatus(config, current, now) }, { subresource: 'status' });
    } catch (error) {
      if (isCode(error, 404)) return registerNode(client, config, now);
      if (!(isCode(error, 409) && attempt < ATTEMPTS)) throw error;
      current = await client.get('nodes', undefined, config.nodeName);
    }
  }
}

/** Renews (or creates) kube-node-lease/<node>; `known` is the Lease from the previous renewal. */
export async function renewNodeLease(client: ApiClient, node: KubeObject, known: KubeObject | undefined, now: number): Promise<KubeObject> {
  let lease = known;
  for (let attempt = 1; ; attempt++) {
    try {
      if (!lease) {
        try {
          lease = await client.get(LEASES, NODE_LEASE_NAMESPACE, node.metadata.name!);
        } catch (error) {
          if (!isCode(error, 404)) throw error;
          return await client.create(LEASES, newNodeLease(node, now));
        }
      }
      return await client.update(LEASES, renewedNodeLease(lease, node, now));
    } catch (error) {
      const retry = (isCode(error, 409) || isCode(error, 404)) && attempt < ATTEMPTS;
      if (!retry) throw error;
      lease = undefined;
    }
  }
}

/** How long a kubelet started without a podCIDR waits for the node IPAM controller before it falls back to its default range. */
export const POD_CIDR_WAIT_MS = 60_000;
const POD_CIDR_POLL_MS = 250;
const POD_CIDR_LOG_EVERY_MS = 5_000;

/**
 * The Node's spec.podCIDR once a controller has set it: the kubelet registered without
 * one and starts no pod before it has a range (Kubernetes' kubelet reports the network
 * not ready until then). Polls the Node; logs while it waits; gives up after timeoutMs.
 */
export async function waitForPodCIDR(
  client: ApiClient,
  nodeName: string,
  options: { timeoutMs?: number; pollMs?: number; signal?: AbortSignal; log?: { info(o: object, m: string): void } } = {},
): Promise<string> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? POD_CIDR_WAIT_MS;
  let lastLog = -Infinity;
  for (;;) {
    if (options.signal?.aborted) throw new Error('stopped while waiting for a pod CIDR');
    try {
      const node = await client.get('nodes', undefined, nodeName);
      const cidr = (node.spec as { podCIDR?: unknown } | undefined)?.podCIDR;
      if (typeof cidr === 'string' && cidr !== '') return cidr;
    } catch (error) {
      if (!isCode(error, 404)) throw error;
    }
    const waited = Date.now() - started;
    if (waited >= timeoutMs) throw new Error(`node ${nodeName} got no spec.podCIDR within ${timeoutMs} ms (is the node IPAM controller running?)`);
    if (waited - lastLog >= POD_CIDR_LOG_EVERY_MS) {
      lastLog = waited;
      options.log?.info({ node: nodeName, waitedMs: waited }, 'waiting for the node IPAM controller to assign spec.podCIDR before starting pods');
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? POD_CIDR_POLL_MS));
  }
}
