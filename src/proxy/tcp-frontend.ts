/**
 * One TCP listener of the proxy (a ClusterIP:port, externalIP:port or node address:
 * nodePort) and the connections it relays. Each accepted connection is spliced to one
 * backend its Service port's Balancer picks; the client's bytes wait (unread) until that
 * backend has accepted, so a refused or timed-out dial moves on to the next ready backend
 * without losing anything. With no backend left the client gets a reset at once, the
 * REJECT of iptables mode: never a connection left hanging. Half-closes pass through
 * (an HTTP/1.0 client may shut its side down and still read the answer); a reset on one
 * side resets the other. Established connections are independent of the listener: a
 * changed backend list or a closed listener leaves them running, only close({ drop })
 * (the proxy stopping) ends them. A ClusterIP connection from a loopback client reaches
 * the backend from the client's own address (sourceAddressFor), as iptables' DNAT keeps
 * the pod's source IP; NodePort and externalIP traffic arrives from the proxy, as
 * kube-proxy masquerades it (externalTrafficPolicy Cluster).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { Logger } from '../log.ts';
import type { Balancer } from './balancer.ts';
import type { FrontendPlan } from './desired-state.ts';
import { backendKey } from './endpoints.ts';

export interface FrontendDeps {
  /** The balancing group of the frontend's Service port right now (it may be replaced by a sync). */
  balancerFor(servicePortKey: string): Balancer | undefined;
  now(): number;
  log: Logger;
}

/**
 * The address a relayed flow leaves from: the client's own for ClusterIP traffic from
 * a loopback address (any 127/8 address is local, so the proxy may bind it), else the
 * kernel's choice.
 */
export function sourceAddressFor(plan: FrontendPlan, clientIP: string): string | undefined {
  return plan.kind === 'ClusterIP' && clientIP.startsWith('127.') ? clientIP : undefined;
}

export interface TcpFrontendOptions {
  connectTimeoutMs: number;
}

export interface FrontendStats {
  accepted: number;
  /** Connections reset because no backend was ready (or every one failed to answer). */
  rejected: number;
  /** Dials to a backend that failed (refused, reset, timed out) before another was tried. */
  failedDials: number;
  open: number;
}

export class TcpFrontend {
  readonly stats: FrontendStats = { accepted: 0, rejected: 0, failedDials: 0, open: 0 };
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;

  private constructor(
    public plan: FrontendPlan,
    private readonly deps: FrontendDeps,
    private readonly options: TcpFrontendOptions,
  ) {
    this.server = createServer({ allowHalfOpen: true }, (client) => this.relay(client));
  }

  /** Listens on the plan's address; rejects with the listen error (EADDRINUSE, ...). */
  static async open(plan: FrontendPlan, deps: FrontendDeps, options: TcpFrontendOptions): Promise<TcpFrontend> {
    const frontend = new TcpFrontend(plan, deps, options);
    await new Promise<void>((resolve, reject) => {
      frontend.server.once('error', reject);
      frontend.server.listen({ host: plan.ip, port: plan.port, exclusive: true }, () => {
        frontend.server.off('error', reject);
        resolve();
      });
    });
    frontend.server.on('error', (err) => deps.log.warn({ err, frontend: plan.key }, 'listener error'));
    return frontend;
  }

  /** Stops listening at once (the port is free when this resolves); drop also ends every relayed connection. */
  async close(options: { drop: boolean }): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (!options.drop) return;
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  private relay(client: Socket): void {
    this.stats.accepted++;
    this.stats.open++;
    this.track(client);
    client.setNoDelay(true);
    const clientIP = client.remoteAddress ?? '';
    const tried = new Set<string>();
    let upstream: Socket | undefined;
    let spliced = false;
    client.on('error', () => reset(upstream));
    client.once('close', () => {
      this.stats.open--;
      if (upstream && !upstream.destroyed) upstream.destroy();
    });

    const dial = () => {
      if (client.destroyed) return;
      const backend = this.deps.balancerFor(this.plan.servicePortKey)?.pick(clientIP, this.deps.now(), tried);
      if (!backend) {
        this.stats.rejected++;
        reset(client);
        return;
      }
      const localAddress = sourceAddressFor(this.plan, clientIP);
      const socket = connect({ host: backend.ip, port: backend.port, allowHalfOpen: true, ...(localAddress ? { localAddress } : {}) });
      upstream = socket;
      this.track(socket);
      const timer = setTimeout(() => socket.destroy(new Error(`connect to ${backendKey(backend)} timed out`)), this.options.connectTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        spliced = true;
        socket.setNoDelay(true);
        client.pipe(socket);
        socket.pipe(client);
      });
      socket.on('error', (err) => {
        clearTimeout(timer);
        if (spliced) {
          reset(client);
          return;
        }
        this.stats.failedDials++;
        tried.add(backendKey(backend));
        this.deps.log.debug({ err, frontend: this.plan.key, backend: backendKey(backend) }, 'backend did not accept, trying another');
        socket.destroy();
        dial();
      });
    };
    dial();
  }
}

/** Ends a socket with a TCP reset (the peer sees ECONNRESET), or just destroys it if it never connected. */
function reset(socket: Socket | undefined): void {
  if (!socket || socket.destroyed) return;
  if (socket.connecting || socket.readyState === 'closed') socket.destroy();
  else socket.resetAndDestroy();
}
