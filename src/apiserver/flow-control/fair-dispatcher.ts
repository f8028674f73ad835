/**
 * Fair queuing of requests for a fixed number of seats, the core of Kubernetes' API
 * Priority and Fairness (APF) for one priority level in one API server.
 *
 * - At most `seats` requests execute at once; the rest wait in one FIFO queue per flow
 *   (a flow is one client: a user, or a connection for callers without one).
 * - A freed seat goes to the next flow in turn (round robin over the flows that wait), so
 *   a client that sends one request at a time waits behind at most one request of each
 *   other client, however many a flooding client has queued. That is what keeps a
 *   kubectl get fast while a controller creates thousands of pods.
 * - A flow with `queueLimit` requests waiting is refused (the caller answers 429 with
 *   Retry-After, and clients back off): memory stays bounded under any load.
 *
 * No I/O and no timers: the caller holds a seat from acquire() until it calls release.
 */
export type Release = () => void;

interface Waiting {
  grant: (release: Release) => void;
}

export interface DispatcherCounts {
  executing: number;
  waiting: number;
  flowsWaiting: number;
}

export class FairDispatcher {
  private executing = 0;
  private waiting = 0;
  /** Flows with waiting requests, in turn order: the first is served next, then moves to the back. */
  private readonly queues = new Map<string, Waiting[]>();

  constructor(
    readonly seats: number,
    readonly queueLimit: number,
  ) {
    if (!(seats >= 1) || !(queueLimit >= 0)) throw new Error(`a dispatcher needs at least one seat (got ${seats}) and a queue limit >= 0 (got ${queueLimit})`);
  }

  /**
   * A seat for one request of `flow`: a promise of its release function, or undefined
   * when the flow already has queueLimit requests waiting (refuse it with 429).
   */
  acquire(flow: string): Promise<Release> | undefined {
    if (this.executing < this.seats && this.waiting === 0) {
      this.executing++;
      return Promise.resolve(this.releaser());
    }
    let queue = this.queues.get(flow);
    if ((queue?.length ?? 0) >= this.queueLimit) return undefined;
    if (!queue) this.queues.set(flow, (queue = []));
    const granted = new Promise<Release>((grant) => queue.push({ grant }));
    this.waiting++;
    this.dispatch();
    return granted;
  }

  counts(): DispatcherCounts {
    return { executing: this.executing, waiting: this.waiting, flowsWaiting: this.queues.size };
  }

  private releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.executing--;
      this.dispatch();
    };
  }

  private dispatch(): void {
    while (this.executing < this.seats && this.waiting > 0) {
      const [flow, queue] = this.queues.entries().next().value as [string, Waiting[]];
      const next = queue.shift()!;
      this.queues.delete(flow);
      if (queue.length > 0) this.queues.set(flow, queue); // to the back of the turn order
      this.waiting--;
      this.executing++;
      next.grant(this.releaser());
    }
  }
}
