/**
 * One UDP listener of the proxy. UDP has no connection, so the proxy keeps an
 * association per client address:port (conntrack's role): the first datagram picks a
 * backend and opens an upstream socket for that client; later datagrams follow it, and
 * the backend's replies go back to the client from the frontend's address, as if the
 * Service had answered. An association idle for idleTimeoutMs is closed (conntrack's
 * UDP timeout); one whose backend left the ready set is closed at the next sync, as
 * kube-proxy clears the conntrack entries of a removed UDP endpoint. As for TCP, a
 * ClusterIP flow from a loopback client leaves from the client's address. A datagram with no
 * ready backend is dropped (iptables REJECTs it with an ICMP error a userspace proxy
 * cannot send).
 */
import { createSocket, type Socket } from 'node:dgram';
import type { FrontendPlan } from './desired-state.ts';
import { backendKey, type Backend } from './endpoints.ts';
import { sourceAddressFor, type FrontendDeps } from './tcp-frontend.ts';

export interface UdpFrontendOptions {
  idleTimeoutMs: number;
}

interface Association {
  backend: Backend;
  upstream: Socket;
  idle: NodeJS.Timeout;
}

export interface UdpStats {
  datagrams: number;
  dropped: number;
  associations: number;
}

export class UdpFrontend {
  private readonly associations = new Map<string, Association>();
  private readonly counters = { datagrams: 0, dropped: 0 };

  private constructor(
    public plan: FrontendPlan,
    private readonly socket: Socket,
    private readonly deps: FrontendDeps,
    private readonly options: UdpFrontendOptions,
  ) {
    socket.on('message', (message, client) => this.forward(message, client.address, client.port));
    socket.on('error', (err) => deps.log.warn({ err, frontend: plan.key }, 'udp listener error'));
  }

  static async open(plan: FrontendPlan, deps: FrontendDeps, options: UdpFrontendOptions): Promise<UdpFrontend> {
    const socket = createSocket({ type: 'udp4' });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: plan.ip, port: plan.port, exclusive: true }, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new UdpFrontend(plan, socket, deps, options);
  }

  get stats(): UdpStats {
    return { ...this.counters, associations: this.associations.size };
  }

  /** Closes the associations whose backend is no longer ready (after a sync changed the balancer). */
  pruneAssociations(): void {
    const balancer = this.deps.balancerFor(this.plan.servicePortKey);
    for (const [client, association] of this.associations) {
      if (!balancer?.has(association.backend)) this.end(client, association);
    }
  }

  async close(): Promise<void> {
    for (const [client, association] of this.associations) this.end(client, association);
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  private forward(message: Buffer, address: string, port: number): void {
    this.counters.datagrams++;
    const client = `${address}:${port}`;
    let association = this.associations.get(client);
    if (!association) {
      const backend = this.deps.balancerFor(this.plan.servicePortKey)?.pick(address, this.deps.now());
      if (!backend) {
        this.counters.dropped++;
        return;
      }
      association = this.associate(client, address, port, backend);
    }
    association.idle.refresh();
    association.upstream.send(message, association.backend.port, association.backend.ip);
  }

  private associate(client: string, address: string, port: number, backend: Backend): Association {
    const upstream = createSocket({ type: 'udp4' });
    const localAddress = sourceAddressFor(this.plan, address);
    // Datagrams sent while the bind is under way wait for it.
    if (localAddress) upstream.bind({ address: localAddress, port: 0 });
    const association: Association = {
      backend,
      upstream,
      idle: setTimeout(() => this.end(client, association), this.options.idleTimeoutMs),
    };
    association.idle.unref();
    upstream.on('message', (reply) => {
      association.idle.refresh();
      this.socket.send(reply, port, address);
    });
    upstream.on('error', (err) => {
      this.deps.log.debug({ err, frontend: this.plan.key, backend: backendKey(backend) }, 'udp backend error, association closed');
      this.end(client, association);
    });
    this.associations.set(client, association);
    return association;
  }

  private end(client: string, association: Association): void {
    clearTimeout(association.idle);
    if (this.associations.get(client) === association) this.associations.delete(client);
    try {
      association.upstream.close();
    } catch {
      // already closed
    }
  }
}
