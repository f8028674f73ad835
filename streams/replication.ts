/**
 * How many copies of each stream to keep: 1 on a single nats-server, 3 on a NATS cluster
 * of three or more (Kubernetes runs etcd as 3 or 5 members; R3 survives losing any one
 * server). The cluster is read from the server's INFO, whose connect_urls list every
 * server of the cluster, the connected one included. JETKUBE_STREAM_REPLICAS overrides.
 * A stream's replicas are only ever raised, never lowered: an API server that starts
 * while one of three servers is down must not shrink the log's replication.
 */
import type { NatsConnection } from 'nats';

export const CLUSTER_REPLICAS = 3;

export function replicasFor(nc: NatsConnection): number {
  const forced = Number(process.env.JETKUBE_STREAM_REPLICAS);
  if (Number.isInteger(forced) && forced >= 1) return forced;
  const info = nc.info;
  if (!info?.cluster) return 1;
  return (info.connect_urls?.length ?? 1) >= CLUSTER_REPLICAS ? CLUSTER_REPLICAS : 1;
}

/** What to ask of a stream that may already exist with more copies. */
export function replicasToKeep(existing: number | undefined, wanted: number): number {
  return Math.max(existing ?? 1, wanted);
}
