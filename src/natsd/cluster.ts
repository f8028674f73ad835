/**
 * A NATS cluster on this machine: N nats-servers from the same configuration, each with
 * its own client port, route port, server name and store dir, routed to each other on
 * loopback, JetStream in cluster mode. jetkube's streams are then kept at R3
 * (streams/replication.ts), so losing any one server loses nothing acknowledged. On real
 * machines the same is one nats.conf per machine with `cluster { routes [...] }` (see
 * docs/architecture.md).
 */
import { join } from 'node:path';
import { StorageType } from 'nats';
import { connectNats, closeNats, type NatsConnection } from '../../streams/connection.ts';
import { natsUrlAs } from './credentials.ts';
import { freePort, startNatsServer, type NatsClusterMembership, type NatsServerProcess, type StartOptions } from './server.ts';

export interface NatsClusterOptions {
  size: number;
  /** Each server's store goes to <storeRoot>/<server name>. */
  storeRoot: string;
  name?: string;
  /** Client ports, one per server (default: free ports). */
  ports?: number[];
  usersFile?: string;
  /** Each server's log goes to <logDir>/<server name>.log (default: discarded). */
  logDir?: string;
  detached?: boolean;
  /** How long the servers may take to route to each other and elect a JetStream meta leader. */
  readyTimeoutMs?: number;
}

export interface NatsClusterMember extends NatsServerProcess {
  readonly serverName: string;
}

export interface NatsCluster {
  /** Every server's client URL, comma-separated: what components connect to. */
  readonly url: string;
  readonly members: NatsClusterMember[];
  /** Start a stopped or killed member again on its port and store dir. */
  restart(serverName: string): Promise<NatsClusterMember>;
  stop(): Promise<void>;
}

export async function startNatsCluster(options: NatsClusterOptions): Promise<NatsCluster> {
  if (!Number.isInteger(options.size) || options.size < 1) throw new Error(`a NATS cluster needs at least one server, not ${options.size}`);
  const name = options.name ?? 'jetkube';
  const ports = options.ports ?? (await Promise.all(Array.from({ length: options.size }, () => freePort())));
  const routePorts = await Promise.all(Array.from({ length: options.size }, () => freePort()));
  const routes = routePorts.map((p) => `nats://127.0.0.1:${p}`);
  const startOptions = (i: number): StartOptions & { cluster: NatsClusterMembership } => {
    const serverName = `${name}-${i + 1}`;
    return {
      port: ports[i],
      storeDir: join(options.storeRoot, serverName),
      ...(options.logDir ? { logFile: join(options.logDir, `${serverName}.log`) } : {}),
      ...(options.usersFile ? { usersFile: options.usersFile } : {}),
      ...(options.detached ? { detached: true } : {}),
      cluster: { name, serverName, routePort: routePorts[i]!, routes },
    };
  };
  const start = async (i: number): Promise<NatsClusterMember> => {
    const opts = startOptions(i);
    return { ...(await startNatsServer(opts)), serverName: opts.cluster.serverName };
  };
  const members = await Promise.all(Array.from({ length: options.size }, (_, i) => start(i)));
  const url = members.map((m) => m.url).join(',');
  // A secured cluster admits only its users: the probe connects as the admin.
  await untilClustered(options.usersFile ? natsUrlAs(url, 'admin') : url, options.size, options.readyTimeoutMs ?? 30_000);
  return {
    url,
    members,
    async restart(serverName) {
      const i = members.findIndex((m) => m.serverName === serverName);
      if (i < 0) throw new Error(`no member ${serverName} in this cluster`);
      members[i] = await start(i);
      return members[i]!;
    },
    async stop() {
      await Promise.all(members.map((m) => m.stop()));
    },
  };
}

/**
 * Until every server routes to the others and JetStream can place a stream on all of them:
 * a meta leader that answers may not yet know every peer, and an R3 stream made then fails
 * with "no suitable peers for placement".
 */
async function untilClustered(url: string, size: number, timeoutMs: number): Promise<void> {
  const nc = await connectNats(url, 'jetkube-cluster-probe');
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const routed = (nc.info?.connect_urls?.length ?? 1) >= size;
      if (routed && (await jetStreamPlacesOnAll(nc, size))) return;
      if (Date.now() > deadline) throw new Error(`the NATS cluster of ${size} did not form within ${timeoutMs} ms (routes or JetStream meta leader missing)`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await closeNats(nc);
  }
}

const PLACEMENT_PROBE = 'JETKUBE_CLUSTER_PROBE';

/** Makes (and removes) a small in-memory stream with one replica per server. */
async function jetStreamPlacesOnAll(nc: NatsConnection, size: number): Promise<boolean> {
  try {
    const jsm = await nc.jetstreamManager({ timeout: 2_000 });
    await jsm.streams.add({ name: PLACEMENT_PROBE, subjects: ['jetkube.cluster-probe'], storage: StorageType.Memory, num_replicas: size, max_msgs: 1 });
    await jsm.streams.delete(PLACEMENT_PROBE).catch(() => false);
    return true;
  } catch {
    return false;
  }
}
