/**
 * The API server's Prometheus metrics, with the names and labels Kubernetes users
 * query: apiserver_request_total and apiserver_request_duration_seconds (by verb,
 * group, version, resource, subresource, scope, code), apiserver_longrunning_requests
 * (open watches), and jetkube's own: the store's revision and how far it lags the log.
 * One registry per API server (several run in one process in tests); process metrics
 * (CPU, memory, event-loop lag) from prom-client's defaults.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { resourceByKey } from '../api/registry.ts';
import type { ApiRequest } from '../apiserver/request.ts';
import type { FairDispatcher } from '../apiserver/flow-control/fair-dispatcher.ts';

/** Kubernetes' buckets for apiserver_request_duration_seconds. */
const DURATION_BUCKETS = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

/** From 0.25 ms (a local JetStream ack) to 10 s. */
const LOG_APPEND_BUCKETS = [0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const LABELS = ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component', 'code'] as const;
type Labels = Record<(typeof LABELS)[number], string>;

export interface StoreView {
  revision: number;
  lastSeq(): Promise<number>;
  /** The newest snapshot in the bucket (its revision and when it was stored), if any. */
  newestSnapshot?(): Promise<{ revision: number; storedAt: Date } | undefined>;
}

export class ApiServerMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<(typeof LABELS)[number]>;
  private readonly durations: Histogram<Exclude<(typeof LABELS)[number], 'code'>>;
  private readonly longRunning: Gauge<'verb' | 'resource' | 'group' | 'scope'>;
  private readonly logAppends: Histogram<'result'>;
  private flowRejections: Counter<'priority_level' | 'flow_schema' | 'reason'> | undefined;

  constructor(store?: StoreView) {
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({ name: 'apiserver_request_total', help: 'Counter of apiserver requests broken out for each verb, group, version, resource, scope, component, and HTTP response code.', labelNames: LABELS, registers: [this.registry] });
    this.durations = new Histogram({
      name: 'apiserver_request_duration_seconds',
      help: 'Response latency distribution in seconds for each verb, group, version, resource, subresource, scope and component.',
      labelNames: LABELS.filter((l) => l !== 'code'),
      buckets: DURATION_BUCKETS,
      registers: [this.registry],
    });
    this.logAppends = new Histogram({
      name: 'jetkube_log_append_duration_seconds',
      help: 'Latency of one append to the REGISTRY event log (publish to JetStream acknowledgement), by result (ok, conflict for a failed expected-sequence check, error).',
      labelNames: ['result'],
      buckets: LOG_APPEND_BUCKETS,
      registers: [this.registry],
    });
    this.longRunning = new Gauge({ name: 'apiserver_longrunning_requests', help: 'Gauge of all active long-running apiserver requests (watches).', labelNames: ['verb', 'resource', 'group', 'scope'], registers: [this.registry] });
    if (store) {
      new Gauge({ name: 'jetkube_store_revision', help: 'The last log sequence the API server store has applied.', registers: [this.registry], collect() { this.set(store.revision); } });
      new Gauge({
        name: 'jetkube_store_replay_lag',
        help: 'Log messages the store has not applied yet (log last sequence minus store revision).',
        registers: [this.registry],
        async collect() {
          this.set(Math.max(0, (await store.lastSeq().catch(() => store.revision)) - store.revision));
        },
      });
      const newestSnapshot = store.newestSnapshot?.bind(store);
      if (newestSnapshot) {
        // How stale a restart would start: seconds since the newest snapshot, and revisions it lacks.
        // Both gauges of one scrape share the listing of the snapshot bucket that is in flight.
        let inFlight: Promise<{ revision: number; storedAt: Date } | undefined> | undefined;
        const newest = () =>
          (inFlight ??= newestSnapshot()
            .catch(() => undefined)
            .finally(() => {
              inFlight = undefined;
            }));
        new Gauge({
          name: 'jetkube_snapshot_age_seconds',
          help: 'Seconds since the newest snapshot of the store was written (NaN: no snapshot yet).',
          registers: [this.registry],
          async collect() {
            const snapshot = await newest();
            this.set(snapshot ? Math.max(0, (Date.now() - snapshot.storedAt.getTime()) / 1000) : Number.NaN);
          },
        });
        new Gauge({
          name: 'jetkube_snapshot_revisions_behind',
          help: 'Revisions the store has applied since the newest snapshot (what a restart replays from the log).',
          registers: [this.registry],
          async collect() {
            const snapshot = await newest();
            this.set(Math.max(0, store.revision - (snapshot?.revision ?? 0)));
          },
        });
      }
    }
  }

  /** Call when a request starts; call the returned function with its code when it ends. */
  begin(request: ApiRequest, component: string): (code: number) => void {
    const started = performance.now();
    const labels = labelsOf(request, component);
    return (code) => {
      const { code: _c, ...withoutCode } = labels;
      this.durations.observe(withoutCode, (performance.now() - started) / 1000);
      this.requests.inc({ ...labels, code: String(code) });
    };
  }

  /**
   * API Priority and Fairness, with Kubernetes' metric names: requests executing and
   * waiting in the workload level (read at scrape), and those refused with 429. Returns the
   * dispatcher; the returned object is also the pipeline's rejection hook.
   */
  flowControl(dispatcher: FairDispatcher): FairDispatcher {
    const labelNames = ['priority_level', 'flow_schema'] as const;
    const labels = { priority_level: 'workload', flow_schema: 'workload' };
    new Gauge({ name: 'apiserver_flowcontrol_current_executing_requests', help: 'Number of requests in initial (for a WATCH) or any (for a non-WATCH) execution stage in the API Priority and Fairness subsystem', labelNames, registers: [this.registry], collect() { this.set(labels, dispatcher.counts().executing); } });
    new Gauge({ name: 'apiserver_flowcontrol_current_inqueue_requests', help: 'Number of requests currently pending in queues of the API Priority and Fairness subsystem', labelNames, registers: [this.registry], collect() { this.set(labels, dispatcher.counts().waiting); } });
    this.flowRejections = new Counter({ name: 'apiserver_flowcontrol_rejected_requests_total', help: 'Number of requests rejected by API Priority and Fairness subsystem', labelNames: [...labelNames, 'reason'], registers: [this.registry] });
    return dispatcher;
  }

  /** A request refused with 429 because its flow's queue was full. */
  rejected(classification: { level: string }): void {
    this.flowRejections?.inc({ priority_level: classification.level, flow_schema: classification.level, reason: 'queue-full' });
  }

  watchOpened(request: ApiRequest): () => void {
    const { verb, resource, group, scope } = labelsOf(request, '');
    const labels = { verb, resource, group, scope };
    this.longRunning.inc(labels);
    let open = true;
    return () => {
      if (open) this.longRunning.dec(labels);
      open = false;
    };
  }

  /**
   * Times every append of the log's write path: wraps log.append in place (two
   * performance.now() calls and one histogram observe per write, well under a microsecond
   * against a JetStream round trip of hundreds). Returns the same log.
   */
  timeLogAppends<L extends { append: (...args: never[]) => Promise<unknown> }>(log: L): L {
    const append = log.append.bind(log) as (...args: unknown[]) => Promise<unknown>;
    const histogram = this.logAppends;
    (log as { append: unknown }).append = async (...args: unknown[]) => {
      const started = performance.now();
      try {
        const result = await append(...args);
        histogram.observe({ result: 'ok' }, (performance.now() - started) / 1000);
        return result;
      } catch (err) {
        histogram.observe({ result: (err as { code?: number }).code === 409 ? 'conflict' : 'error' }, (performance.now() - started) / 1000);
        throw err;
      }
    };
    return log;
  }

  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

const VERBS: Record<string, string> = {
  get: 'GET',
  list: 'LIST',
  watch: 'WATCH',
  create: 'POST',
  update: 'PUT',
  patch: 'PATCH',
  delete: 'DELETE',
  deletecollection: 'DELETE',
};

function labelsOf(request: ApiRequest, component: string): Labels {
  const rt = resourceByKey(request.resource);
  const verb = request.verb === 'patch' && request.patchType === 'apply' ? 'APPLY' : (VERBS[request.verb] ?? request.verb.toUpperCase());
  const scope = request.name !== undefined && request.verb !== 'list' ? 'resource' : request.namespace ? 'namespace' : 'cluster';
  return {
    verb,
    group: rt?.group ?? '',
    version: rt?.version ?? '',
    resource: rt?.plural ?? request.resource,
    subresource: request.subresource ?? '',
    scope,
    component,
    code: '',
  };
}
