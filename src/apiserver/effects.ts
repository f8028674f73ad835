/**
 * The effects the API server machine invokes, as XState actor logic: connect to NATS and
 * the log, follow the log into the store, serve the API face, close. The machine names
 * them; this file is where they touch the world.
 */
import { admissionChainFor, type AdmissionSelection } from '../admission/plugins.ts';
import { fromCallback, fromPromise, type AnyEventObject } from 'xstate';
import { connectNats, drainNats, type NatsConnection } from '../../streams/connection.ts';
import { ensureRegistryStream } from '../../streams/registry-stream.ts';
import { ensureLogsStream } from '../../streams/logs-stream.ts';
import { RegistryLog } from '../../streams/registry-log.ts';
import { serveApi, type ApiFace } from '../../streams/api-transport.ts';
import { componentLogger, type Logger } from '../log.ts';
import { ObjectStore } from '../store/object-store.ts';
import { WatchCache } from '../store/watch-cache.ts';
import { createApiDeps } from './deps.ts';
import type { OwnWrites } from './own-writes.ts';
import { createPipeline, type Pipeline } from './pipeline.ts';
import { instrumentedPipeline } from './instrumented-pipeline.ts';
import { FairDispatcher } from './flow-control/fair-dispatcher.ts';
import { flowControlledPipeline } from './flow-control/flow-controlled-pipeline.ts';
import { NodeUsageStore } from './virtual/node-usage-store.ts';
import type { VirtualSources } from './virtual/serve.ts';
import { followNodeUsage } from '../../streams/metrics-stream.ts';
import { ApiServerMetrics } from '../metrics/apiserver-metrics.ts';
import { ensureSystemNamespaces as ensureSystemNamespacesIn } from './system-namespaces.ts';
import { ensureBootstrapPolicy } from '../auth/bootstrap-policy.ts';
import { loadSecuritySources } from '../auth/security-sources.ts';
import { SnapshotStore, serveSnapshotRequests } from '../../streams/snapshot-store.ts';
import { firstWholeRevision, startSnapshotWriter } from '../store/snapshot-io.ts';
import { startFromSnapshot } from '../store/snapshot-startup.ts';
import { resolveEncryption } from '../encryption/config-file.ts';
import { RECORD_EVERY_WRITE, type AuditPolicy } from '../audit/policy.ts';
import { readAuditPolicy } from '../audit/policy-file.ts';
import { rewriteSecrets } from '../encryption/rewrite.ts';
import { sealedKeyOfLast, serveEncryptionRewrites } from '../../streams/encryption-rewrite.ts';
import { dirname } from 'node:path';
import { auditPublisher, ensureAuditStream } from '../../streams/audit-stream.ts';
import { auditedPipeline } from '../audit/audited-pipeline.ts';
import { AuditWriter } from '../audit/writer.ts';

export interface ApiServerConnection {
  nc: NatsConnection;
  log: RegistryLog;
  store: ObjectStore;
  watchCache: WatchCache;
  pipeline: Pipeline;
  /** This server's writes not yet seen by its follower (which then needs no decode). */
  ownWrites: OwnWrites;
  logger: Logger;
  /** Prometheus metrics of this API server (requests, watches, store lag). */
  metrics: ApiServerMetrics;
  /** Set while the API face is up, so closing can drain it first. */
  face?: ApiFace;
  /** Stops the face's audit publisher (set with the face). */
  closeAudit?: () => void;
  /** Where snapshots of the store are written and loaded. */
  snapshots: SnapshotStore;
  /** Write a snapshot after at least this many revisions, and as many as the store has objects (0: only on request). */
  snapshotEvery: number;
  /** Which writes both faces record in the audit trail (--audit-policy-file; default: every write). */
  auditPolicy: AuditPolicy;
}

/** Kubernetes has no such knob; 10,000 revisions keeps start-up replay to a few hundred ms. */
export const DEFAULT_SNAPSHOT_EVERY = 10_000;

export type ServeInput = ApiServerConnection;

export type FollowerEvent =
  | { type: 'log.progress'; revision: number; target: number }
  | { type: 'log.caughtUp'; revision: number }
  | { type: 'log.failed'; message: string };

export interface ConnectInput {
  natsUrl: string;
  name: string;
  watchCacheSize?: number;
  watchMaxBuffered?: number;
  /** The cluster PKI (its ServiceAccount key signs TokenRequests); without it serviceaccounts/token is a 404. */
  pkiDir?: string;
  /** Write a snapshot after at least this many revisions (default 10,000; more once the store has more objects; 0: only on request). */
  snapshotEvery?: number;
  /** The EncryptionConfiguration sealing Secrets (default: encryption-config.yaml beside pkiDir, if there). */
  encryptionConfigFile?: string;
  /** Admission plugins turned on or off beyond the defaults. */
  admission?: AdmissionSelection;
  /** Workload requests executing at once before the rest queue fairly (default 100; 0: no flow control). */
  maxRequestsInflight?: number;
  /** An audit.k8s.io/v1 Policy file (kube-apiserver's --audit-policy-file); without one every write is recorded. */
  auditPolicyFile?: string;
}

/**
 * Seats for workload requests per API server (kube-apiserver's --max-requests-inflight,
 * 400 there, plus 200 mutating). Each request here costs more CPU than in Go, and one
 * Node.js process runs one core: 100 in flight keep both cores busy while a queued
 * request waits its turn instead of slowing all others down.
 */
export const DEFAULT_MAX_REQUESTS_INFLIGHT = 100;
/** Requests one flow may have waiting before it gets 429 (Kubernetes: 50 per queue, 128 queues). */
export const FLOW_QUEUE_LIMIT = 1_000;

export const connectToLog = fromPromise<ApiServerConnection, ConnectInput>(async ({ input }) => {
  const logger = componentLogger('apiserver', { name: input.name });
  // A policy that does not read is a start-up error naming the file, before anything connects.
  const auditPolicy = input.auditPolicyFile ? await readAuditPolicy(input.auditPolicyFile) : RECORD_EVERY_WRITE;
  if (input.auditPolicyFile) logger.info({ file: input.auditPolicyFile, rules: auditPolicy.rules.length }, 'audit policy read');
  const nc = await connectNats(input.natsUrl, input.name);
  try {
    await ensureRegistryStream(nc);
    await ensureLogsStream(nc);
    await ensureAuditStream(nc);
    const { encryption, path: encryptionPath } = await resolveEncryption({
      ...(input.encryptionConfigFile ? { configFile: input.encryptionConfigFile } : {}),
      ...(input.pkiDir ? { dataDir: dirname(input.pkiDir) } : {}),
    });
    if (encryption) logger.info({ config: encryptionPath, writeKey: encryption.writeKey?.name ?? 'identity' }, 'Secrets are encrypted at rest');
    else logger.warn('no encryption config: Secrets are stored in plaintext in the log (give --encryption-provider-config)');
    const log = new RegistryLog(nc, undefined, encryption);
    const store = new ObjectStore();
    const snapshots = await SnapshotStore.open(nc);
    // Before the watch cache exists: its floor is the store's revision when it is made.
    await startFromSnapshot(store, snapshots, (range) => log.read(range), await log.bounds(), { logger, ...(encryption ? { encryption } : {}) });
    const watchCache = new WatchCache(store, {
      capacity: input.watchCacheSize,
      maxBuffered: input.watchMaxBuffered,
      readHistory: (range) => log.read(range),
      // History before the compaction point is not whole: a watch from there is 410 Expired.
      bounds: async () => {
        const [bounds, compaction] = await Promise.all([log.bounds(), snapshots.compaction()]);
        return { firstSeq: firstWholeRevision(bounds.firstSeq, compaction), lastSeq: bounds.lastSeq };
      },
    });
    const deps = createApiDeps({ log, store, watchCache, logger, admission: admissionChainFor(input.admission) });
    const metrics = new ApiServerMetrics({
      get revision() {
        return store.revision;
      },
      lastSeq: async () => (await log.bounds()).lastSeq,
      newestSnapshot: async () => {
        const newest = (await snapshots.list()).at(-1);
        return newest && { revision: newest.revision, storedAt: new Date(newest.mtime) };
      },
    });
    const usage = new NodeUsageStore();
    followNodeUsage(nc, (report) => usage.record(report));
    const virtual: VirtualSources = {
      store,
      usage,
      probe: {
        lease: (namespace, name) => store.get('leases.coordination.k8s.io', namespace, name),
        logAnswers: async () => void (await log.bounds()),
        now: () => new Date(),
      },
    };
    const security = input.pkiDir ? await loadSecuritySources(input.pkiDir) : {};
    const inflight = input.maxRequestsInflight ?? DEFAULT_MAX_REQUESTS_INFLIGHT;
    const core = createPipeline(deps, virtual, security);
    // Queue time counts in apiserver_request_duration_seconds, as in Kubernetes.
    const pipeline = instrumentedPipeline(inflight > 0 ? flowControlledPipeline(core, metrics.flowControl(new FairDispatcher(inflight, FLOW_QUEUE_LIMIT)), metrics) : core, metrics);
    logger.info({ natsUrl: input.natsUrl }, 'connected to NATS');
    const snapshotEvery = input.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY;
    return { nc, log, store, watchCache, pipeline, ownWrites: deps.ownWrites, logger, metrics, snapshots, snapshotEvery, auditPolicy };
  } catch (error) {
    await drainNats(nc).catch(() => {});
    throw error;
  }
});

const PROGRESS_EVERY_MS = 1_000;

/**
 * Replays the log into the store from its start, reports progress, says when the store
 * has reached the revision the log had when replay began, and keeps following after.
 */
export const followLog = fromCallback<AnyEventObject, ApiServerConnection>(({ input, sendBack }) => {
  const { log, store, logger, ownWrites } = input;
  let stopped = false;
  let follower: { stop(): Promise<void> } | undefined;
  const started = Date.now();

  void (async () => {
    const { lastSeq: target } = await log.bounds();
    logger.info({ target }, target > 0 ? 'replaying the log' : 'the log is empty');
    let caughtUp = false;
    let lastProgress = Date.now();
    const checkCaughtUp = () => {
      if (caughtUp || store.revision < target) return;
      caughtUp = true;
      const seconds = (Date.now() - started) / 1000;
      logger.info({ revision: store.revision, objects: store.size, seconds }, 'store replayed; serving');
      sendBack({ type: 'log.caughtUp', revision: store.revision });
    };
    if (stopped) return;
    follower = log.follow(
      { fromSeq: store.revision + 1, known: (seq) => ownWrites.take(seq) },
      (entry) => {
        store.apply(entry); // the watch cache hears of the change from the store
        if (!caughtUp) {
          if (Date.now() - lastProgress > PROGRESS_EVERY_MS) {
            lastProgress = Date.now();
            logger.info({ revision: store.revision, target, percent: Math.floor((100 * store.revision) / target) }, 'replaying');
            sendBack({ type: 'log.progress', revision: store.revision, target });
          }
          checkCaughtUp();
        }
      },
      (error) => {
        logger.error({ err: error }, 'following the log failed; rebuilding the store');
        sendBack({ type: 'log.failed', message: error instanceof Error ? error.message : String(error) });
      },
    );
    checkCaughtUp();
  })().catch((error: unknown) => {
    logger.error({ err: error }, 'could not start following the log');
    sendBack({ type: 'log.failed', message: error instanceof Error ? error.message : String(error) });
  });

  return () => {
    stopped = true;
    void follower?.stop();
  };
});

/**
 * Opens the API's NATS face and resolves once nats-server has its subscription, so a
 * request sent after this API server reports serving never finds no responder.
 */
export const openApiFace = fromPromise<void, ServeInput>(async ({ input }) => {
  // Writes over NATS are audited too, under the caller's Kubernetes user (system:nats for
  // trusted loopback/open-server callers), with the field manager as user agent.
  const publisher = auditPublisher(input.nc);
  const audit = new AuditWriter((event, key, settled) => publisher.publish(event, key, settled), { logger: input.logger, registry: input.metrics.registry });
  input.face = serveApi(input.nc, auditedPipeline(input.pipeline, audit, { logger: input.logger, policy: input.auditPolicy }), input.logger);
  input.closeAudit = () => publisher.close();
  await input.nc.flush();
  input.logger.info('serving the API on NATS');
});

/** While serving: owns the face openApiFace opened, and drains it when serving ends. */
export const serveApiFace = fromCallback<AnyEventObject, ServeInput>(({ input }) => {
  return () => {
    void input.face?.drain();
    input.closeAudit?.();
  };
});

/** While serving: periodic snapshots (src/store/snapshot-schedule.ts), and one whenever asked on NATS. */
export const writeSnapshots = fromCallback<AnyEventObject, ApiServerConnection>(({ input }) => {
  const { store, snapshots, snapshotEvery, logger, nc } = input;
  if (!snapshots) return; // a connection without a bucket (a test's fake) writes none
  const writer = startSnapshotWriter(store, snapshots, snapshotEvery > 0 ? snapshotEvery : Number.MAX_SAFE_INTEGER, logger, input.log.encryption);
  const requests = serveSnapshotRequests(nc, () => writer.take());
  return () => {
    requests.stop();
    writer.stop();
  };
});

/** While serving: `jetkube encryption rewrite` seals every Secret again with the current key. */
export const serveEncryptionRewrite = fromCallback<AnyEventObject, ApiServerConnection>(({ input }) => {
  const { log, store, nc, logger } = input;
  if (!log.encryption) return; // nothing to seal with; the request finds no server to answer it
  const requests = serveEncryptionRewrites(nc, async () => {
    const report = await rewriteSecrets({
      encryption: log.encryption,
      secrets: () => store.list('secrets').items,
      sealedWith: (key) => sealedKeyOfLast(nc, key, log.names),
      append: (key, record, options) => log.append(key, record, options),
    });
    logger.info(report, 'rewrote the Secrets with the current encryption key');
    return report;
  });
  return () => requests.stop();
});

export const ensureSystemNamespaces = fromPromise<void, ApiServerConnection>(async ({ input }) => {
  try {
    const created = await ensureSystemNamespacesIn(input.pipeline);
    if (created.length > 0) input.logger.info({ created }, 'created the system namespaces');
    const policy = await ensureBootstrapPolicy(input.pipeline);
    if (policy.length > 0) input.logger.info({ created: policy }, 'created the bootstrap RBAC policy');
  } catch (error) {
    input.logger.error({ err: error }, 'could not create the system namespaces; create them with `jetkube apply` or restart');
  }
});

export const closeConnection = fromPromise<void, ApiServerConnection | undefined>(async ({ input }) => {
  if (!input) return;
  await input.face?.drain();
  input.closeAudit?.();
  input.watchCache.close();
  await drainNats(input.nc);
  input.logger.info('disconnected');
});
