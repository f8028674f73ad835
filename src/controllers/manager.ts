/**
 * The controller manager's set of controllers over one connection and one informer
 * factory (so every controller shares each informer): the ReplicaSet and Deployment
 * controllers, the garbage collector, the namespace controller, the ServiceAccounts
 * controller, the node lifecycle controller with its NoExecute taint manager, and the
 * pod garbage collector. Opening connects and builds them (no list or watch yet: each
 * controller's machine starts its informers); closing stops the informers and the
 * client. Only the Lease holder runs a set (actors/controller-manager.machine.ts); a set
 * is built afresh for every term.
 */
import { ApiClient } from '../client/api-client.ts';
import { SharedInformerFactory } from '../informer/informer-factory.ts';
import { stripManagedFields } from '../informer/transforms.ts';
import { componentLogger } from '../log.ts';
import { newDeploymentController } from './deployment/controller.ts';
import { newGarbageCollector } from './garbage-collector/controller.ts';
import { newNamespaceController } from './namespace/controller.ts';
import { newNodeLifecycleController } from './node-lifecycle/controller.ts';
import { newTaintEvictionController } from './node-lifecycle/taint-eviction-controller.ts';
import { newPodGcController } from './podgc/controller.ts';
import { newReplicaSetController } from './replicaset/controller.ts';
import { newStatefulSetController } from './statefulset/controller.ts';
import { newDaemonSetController } from './daemonset/controller.ts';
import { newServiceAccountsController } from './serviceaccount/controller.ts';
import { newRootCaPublisher } from './root-ca-publisher/controller.ts';
import { newJobController } from './job/controller.ts';
import { newCronJobController } from './cronjob/controller.ts';
import { newTtlAfterFinishedController } from './ttl-after-finished/controller.ts';
import { newPersistentVolumeBinder } from './volume/binder-controller.ts';
import { newLocalPathProvisioner } from './volume/provisioner-controller.ts';
import type { Controller } from './runtime/controller.ts';
import type { Registry } from 'prom-client';
import { instrumentQueues } from '../metrics/workqueue-metrics.ts';
import { newHorizontalPodAutoscalerController } from './hpa/controller.ts';
import { newEndpointsController } from './endpoints/controller.ts';
import { newEndpointSliceController } from './endpointslice/controller.ts';
import { newNodeIpamController } from './node-ipam/controller.ts';
import { newServiceAllocationRepairController } from '../apiserver/service-allocation-repair.ts';
import { newResourceQuotaController } from './resourcequota/controller.ts';

const log = componentLogger('controller-manager');

export interface ControllerManagerOptions {
  /** Registry keys the garbage collector watches (default: every collectable resource). */
  gcResources?: string[];
  /** Workers of every controller (tests); otherwise concurrentSyncs, then Kubernetes' defaults. */
  workers?: number;
  /** Workers per controller name (kube-controller-manager's --concurrent-*-syncs). */
  concurrentSyncs?: Readonly<Record<string, number>>;
  /** Without news of a kubelet (Lease or Ready heartbeat) this long, its node turns Unknown (default 40 s). */
  nodeMonitorGracePeriodMs?: number;
  /** How often each node's health is checked (default 5 s). */
  nodeMonitorPeriodMs?: number;
  /** The grace period of a node that never posted a Ready condition (default 60 s). */
  nodeStartupGracePeriodMs?: number;
  /** No evictions while no node at all is Ready (Kubernetes always does this; default off so a one-node cluster evicts). */
  stopEvictionsWhenAllNodesDown?: boolean;
  /** Terminated pods kept before the pod GC deletes the oldest (default 12500; <= 0: never). */
  terminatedPodGCThreshold?: number;
  /** How often the pod GC sweeps (default 20 s). */
  podGCPeriodMs?: number;
  /** How long a node missing from the cache is waited for before its pods count as orphans (default 40 s). */
  podGCQuarantineMs?: number;
  /** The range node IPAM cuts a /16 per Node from (default CLUSTER_POD_CIDR, 127.128.0.0/10). */
  clusterPodCIDR?: string;
  /** How long an allocation record nobody holds is kept before the repair loop deletes it (default 10 s). */
  allocationRepairGraceMs?: number;
  /** A Job's pod creation delay after its first failure, doubling per failure (default 10 s). */
  jobPodFailureBackoffMs?: number;
  /** The cap of that delay (default 6 min). */
  jobPodFailureMaxBackoffMs?: number;
  /** Where the local-path provisioner makes volume directories (default ./data/volumes; `jetkube up` passes <data-dir>/volumes). */
  localPathRoot?: string;
  /** How often each HPA is synced (default 15 s). */
  hpaSyncPeriodMs?: number;
  /** The HPA's scale-down stabilisation window when it has no behaviour (default 300 s). */
  hpaDownscaleStabilizationMs?: number;
  /** --root-ca-file's content: the cluster CA the root CA publisher puts in every namespace's kube-root-ca.crt (default: empty). */
  rootCACert?: string;
  /** Where the controllers' workqueue metrics go (the controller manager's /metrics registry). */
  metricsRegistry?: Registry;
}

/**
 * What the controller manager keeps for its whole life: its connection and its informers.
 * The caches outlive a leadership term (they are what the API says, whoever leads), so
 * leading again after a lost lease re-lists nothing: at 5,000 nodes and 40,000 pods that
 * re-list stalled the cluster for a minute and a half.
 */
export interface ControllerManagerConnection {
  client: ApiClient;
  factory: SharedInformerFactory;
}

export async function connectControllerManager(natsUrl: string): Promise<ControllerManagerConnection> {
  const client = await ApiClient.connect(natsUrl, 'controller-manager', { fieldManager: 'kube-controller-manager' });
  return { client, factory: new SharedInformerFactory(client, { transform: stripManagedFields }) };
}

/**
 * Workers per controller: kube-controller-manager's --concurrent-*-syncs defaults (the
 * others run 2). With 2 each, the ReplicaSet and Deployment controllers waited on the API
 * for most of their time at 5,000 nodes while the machine had CPU to spare.
 */
export const CONCURRENT_SYNCS: Readonly<Record<string, number>> = {
  replicaset: 5,
  deployment: 5,
  statefulset: 5,
  daemonset: 2,
  job: 5,
  cronjob: 5,
  'ttl-after-finished': 5,
  'garbage-collector': 20,
  namespace: 10,
  serviceaccount: 5,
  resourcequota: 5,
  endpoints: 5,
  endpointslice: 5,
  'horizontal-pod-autoscaler': 5,
};

/** One leadership term's controllers, fresh (queues, expectations, node health), over the kept informers. */
export function newControllers({ client, factory }: ControllerManagerConnection, options: ControllerManagerOptions = {}): Controller[] {
  const onError = (controller: string) => (key: string, err: unknown, requeues: number) =>
    log.warn({ controller, key, requeues, err }, 'reconcile failed; retrying with backoff');
  const workersOf = (name: string) => options.workers ?? options.concurrentSyncs?.[name] ?? CONCURRENT_SYNCS[name];
  const controllers = [
    newReplicaSetController(client, factory, { workers: workersOf('replicaset'), onError: onError('replicaset') }).controller,
    newStatefulSetController(client, factory, { workers: workersOf('statefulset'), onError: onError('statefulset') }),
    newDaemonSetController(client, factory, { workers: workersOf('daemonset'), onError: onError('daemonset') }).controller,
    newDeploymentController(client, factory, { workers: workersOf('deployment'), onError: onError('deployment') }),
    newJobController(client, factory, {
      workers: workersOf('job'),
      onError: onError('job'),
      backoff: { baseMs: options.jobPodFailureBackoffMs ?? 10_000, maxMs: options.jobPodFailureMaxBackoffMs ?? 6 * 60_000 },
    }).controller,
    newCronJobController(client, factory, { workers: workersOf('cronjob'), onError: onError('cronjob') }),
    newTtlAfterFinishedController(client, factory, { workers: workersOf('ttl-after-finished'), onError: onError('ttl-after-finished') }),
    newGarbageCollector(client, factory, { workers: workersOf('garbage-collector'), resources: options.gcResources, onError: onError('garbage-collector') }),
    newNamespaceController(client, factory, { workers: workersOf('namespace'), onError: onError('namespace') }),
    newServiceAccountsController(client, factory, { workers: workersOf('serviceaccount'), onError: onError('serviceaccount') }),
    newResourceQuotaController(client, factory, { workers: workersOf('resourcequota'), onError: onError('resourcequota') }),
    newRootCaPublisher(client, factory, { workers: workersOf('root-ca-cert-publisher'), onError: onError('root-ca-cert-publisher'), ...definedOnly({ rootCA: options.rootCACert }) }),
    newNodeLifecycleController(client, factory, {
      workers: workersOf('node-lifecycle'),
      onError: onError('node-lifecycle'),
      stopEvictionsWhenAllNodesDown: options.stopEvictionsWhenAllNodesDown,
      timings: definedOnly({
        gracePeriodMs: options.nodeMonitorGracePeriodMs,
        monitorPeriodMs: options.nodeMonitorPeriodMs,
        startupGracePeriodMs: options.nodeStartupGracePeriodMs,
      }),
    }).controller,
    newTaintEvictionController(client, factory, { workers: workersOf('taint-eviction'), onError: onError('taint-eviction') }).controller,
    newPodGcController(client, factory, {
      onError: onError('pod-gc'),
      ...definedOnly({ terminatedPodThreshold: options.terminatedPodGCThreshold, checkPeriodMs: options.podGCPeriodMs, quarantineMs: options.podGCQuarantineMs }),
    }),
    newEndpointsController(client, factory, { workers: workersOf('endpoints'), onError: onError('endpoints') }),
    newEndpointSliceController(client, factory, { workers: workersOf('endpointslice'), onError: onError('endpointslice') }),
    newNodeIpamController(client, factory, { onError: onError('node-ipam'), ...definedOnly({ clusterCIDR: options.clusterPodCIDR }) }),
    newServiceAllocationRepairController(client, factory, { onError: onError('service-allocation-repair'), ...definedOnly({ graceMs: options.allocationRepairGraceMs }) }),
    newPersistentVolumeBinder(client, factory, { workers: workersOf('persistentvolume-binder'), onError: onError('persistentvolume-binder') }),
    newLocalPathProvisioner(client, factory, { workers: workersOf('local-path-provisioner'), onError: onError('local-path-provisioner'), ...definedOnly({ root: options.localPathRoot }) }),
    newHorizontalPodAutoscalerController(client, factory, {
      workers: workersOf('horizontal-pod-autoscaler'),
      onError: onError('horizontal-pod-autoscaler'),
      ...definedOnly({ syncPeriodMs: options.hpaSyncPeriodMs, downscaleStabilizationMs: options.hpaDownscaleStabilizationMs }),
    }),
  ];
  instrumentQueues(controllers, options.metricsRegistry);
  return controllers;
}

/** The options that were given (an explicit undefined would override a default when spread). */
function definedOnly<T extends Record<string, unknown>>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export async function closeControllerManager(connection: ControllerManagerConnection): Promise<void> {
  connection.factory.shutdown();
  await connection.client.close();
}
