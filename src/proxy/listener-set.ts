/**
 * The effect layer of kube-proxy: makes the real sockets match a ProxyPlan. apply()
 * first hands every balancing group its new backends (so traffic shifts before any
 * socket work), then closes the frontends the plan dropped (a deleted Service or
 * removed port; their established connections stay), then opens the new ones.
 * A frontend that cannot listen (a port another process holds, an address that is not
 * local) is reported, not thrown: apply() tries it again on every call, and the caller
 * hears about each failure once, when it starts or its cause changes. apply() calls must
 * not overlap (the machine runs one at a time); close() waits for one in flight.
 */
import type { Logger } from '../log.ts';
import { Balancer } from './balancer.ts';
import type { FrontendPlan, ProxyPlan } from './desired-state.ts';
import { TcpFrontend, type FrontendDeps } from './tcp-frontend.ts';
import { UdpFrontend } from './udp-frontend.ts';

export interface ListenerSetOptions {
  now(): number;
  log: Logger;
  connectTimeoutMs: number;
  udpIdleTimeoutMs: number;
}

export interface ListenerFailure {
  frontend: FrontendPlan;
  code: string;
  /** What happened and what to do about it, for an Event and the log. */
  message: string;
}

export interface ApplyReport {
  listening: number;
  opened: string[];
  closed: string[];
  failing: ListenerFailure[];
  /** Failures not reported by an earlier apply (or whose cause changed). */
  newlyFailing: ListenerFailure[];
}

type Frontend = TcpFrontend | UdpFrontend;

export class ListenerSet {
  private readonly balancers = new Map<string, Balancer>();
  private readonly frontends = new Map<string, Frontend>();
  private readonly failing = new Map<string, string>();
  private readonly deps: FrontendDeps;
  private inFlight: Promise<ApplyReport> | undefined;
  private closed = false;

  constructor(private readonly options: ListenerSetOptions) {
    this.deps = { balancerFor: (key) => this.balancers.get(key), now: options.now, log: options.log };
  }

  /** The frontends listening now, by key `protocol/ip:port`. */
  listening(): Map<string, Frontend> {
    return new Map(this.frontends);
  }

  balancerFor(servicePortKey: string): Balancer | undefined {
    return this.balancers.get(servicePortKey);
  }

  apply(plan: ProxyPlan): Promise<ApplyReport> {
    if (this.closed) return Promise.reject(new Error('the listener set is closed'));
    const run = this.reconcile(plan);
    this.inFlight = run;
    return run.finally(() => {
      if (this.inFlight === run) this.inFlight = undefined;
    });
  }

  /** Stops every listener and ends every relayed connection (the proxy is stopping). */
  async close(): Promise<void> {
    this.closed = true;
    await this.inFlight?.catch(() => undefined);
    const all = [...this.frontends.values()];
    this.frontends.clear();
    await Promise.all(all.map((f) => (f instanceof TcpFrontend ? f.close({ drop: true }) : f.close())));
  }

  private async reconcile(plan: ProxyPlan): Promise<ApplyReport> {
    const wantedGroups = new Set<string>();
    for (const group of plan.servicePorts) {
      wantedGroups.add(group.key);
      const balancer = this.balancers.get(group.key);
      if (balancer) balancer.update(group.backends, group.affinityTimeoutMs);
      else this.balancers.set(group.key, new Balancer(group.backends, group.affinityTimeoutMs));
    }
    for (const key of this.balancers.keys()) if (!wantedGroups.has(key)) this.balancers.delete(key);

    const wanted = new Map(plan.frontends.map((f) => [f.key, f]));
    const closed: string[] = [];
    for (const [key, frontend] of this.frontends) {
      if (wanted.has(key)) continue;
      this.frontends.delete(key);
      closed.push(key);
      await (frontend instanceof TcpFrontend ? frontend.close({ drop: false }) : frontend.close());
    }
    for (const key of this.failing.keys()) if (!wanted.has(key)) this.failing.delete(key);

    const toOpen: FrontendPlan[] = [];
    for (const [key, plannedFrontend] of wanted) {
      const open = this.frontends.get(key);
      if (!open) {
        toOpen.push(plannedFrontend);
        continue;
      }
      open.plan = plannedFrontend;
      if (open instanceof UdpFrontend) open.pruneAssociations();
    }

    const opened: string[] = [];
    const failing: ListenerFailure[] = [];
    const newlyFailing: ListenerFailure[] = [];
    await Promise.all(
      toOpen.map(async (frontendPlan) => {
        try {
          const frontend = await this.open(frontendPlan);
          if (this.closed) {
            await (frontend instanceof TcpFrontend ? frontend.close({ drop: true }) : frontend.close());
            return;
          }
          this.frontends.set(frontendPlan.key, frontend);
          this.failing.delete(frontendPlan.key);
          opened.push(frontendPlan.key);
        } catch (err) {
          const failure = describeListenFailure(frontendPlan, err);
          failing.push(failure);
          if (this.failing.get(frontendPlan.key) !== failure.code) newlyFailing.push(failure);
          this.failing.set(frontendPlan.key, failure.code);
        }
      }),
    );
    return { listening: this.frontends.size, opened: opened.sort(), closed, failing, newlyFailing };
  }

  private open(plan: FrontendPlan): Promise<Frontend> {
    if (plan.protocol === 'UDP') return UdpFrontend.open(plan, this.deps, { idleTimeoutMs: this.options.udpIdleTimeoutMs });
    return TcpFrontend.open(plan, this.deps, { connectTimeoutMs: this.options.connectTimeoutMs });
  }
}

/** The listen error in words an operator can act on. */
export function describeListenFailure(frontend: FrontendPlan, err: unknown): ListenerFailure {
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? 'UNKNOWN';
  const where = `${frontend.ip}:${frontend.port}/${frontend.protocol}`;
  const portField = frontend.kind === 'NodePort' ? 'spec.ports[].nodePort' : 'spec.ports[].port';
  let message: string;
  switch (code) {
    case 'EADDRINUSE':
      message =
        `can't open ${frontend.kind} ${where}: another process holds the port. ` +
        `Stop it (\`ss -lnp 'sport = :${frontend.port}'\` names it) or change the Service's ${portField}; kube-proxy keeps retrying`;
      break;
    case 'EADDRNOTAVAIL':
      message = `can't open ${frontend.kind} ${where}: ${frontend.ip} is not an address of this host`;
      break;
    case 'EACCES':
      message = `can't open ${frontend.kind} ${where}: ports below 1024 need root or CAP_NET_BIND_SERVICE`;
      break;
    default:
      message = `can't open ${frontend.kind} ${where}: ${err instanceof Error ? err.message : String(err)}`;
  }
  return { frontend, code, message };
}
