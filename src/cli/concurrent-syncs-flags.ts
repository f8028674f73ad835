/**
 * kube-controller-manager's --concurrent-*-syncs: how many keys each controller
 * reconciles at once. The defaults (src/controllers/manager.ts) are Kubernetes' own,
 * tuned for an API server answering in milliseconds; when it answers in hundreds (a
 * saturated machine, thousands of nodes) a controller's throughput is workers / latency,
 * and an operator raises them as on kube-controller-manager.
 */
export const CONCURRENT_SYNCS_FLAGS: Readonly<Record<string, string>> = {
  'concurrent-deployment-syncs': 'deployment',
  'concurrent-replicaset-syncs': 'replicaset',
  'concurrent-statefulset-syncs': 'statefulset',
  'concurrent-daemonset-syncs': 'daemonset',
  'concurrent-job-syncs': 'job',
  'concurrent-cron-job-syncs': 'cronjob',
  'concurrent-ttl-after-finished-syncs': 'ttl-after-finished',
  'concurrent-gc-syncs': 'garbage-collector',
  'concurrent-namespace-syncs': 'namespace',
  'concurrent-resource-quota-syncs': 'resourcequota',
  'concurrent-endpoint-syncs': 'endpoints',
  'concurrent-service-endpoint-syncs': 'endpointslice',
  'concurrent-horizontal-pod-autoscaler-syncs': 'horizontal-pod-autoscaler',
};

export const CONCURRENT_SYNCS_OPTIONS = Object.fromEntries(Object.keys(CONCURRENT_SYNCS_FLAGS).map((flag) => [flag, { type: 'string' as const }]));

/** The workers each named controller was given on the command line (a whole number >= 1). */
export function concurrentSyncsFrom(values: Record<string, unknown>): Record<string, number> {
  const workers: Record<string, number> = {};
  for (const [flag, controller] of Object.entries(CONCURRENT_SYNCS_FLAGS)) {
    const value = values[flag];
    if (value === undefined) continue;
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${flag} takes a whole number >= 1, got "${String(value)}"`);
    workers[controller] = n;
  }
  return workers;
}
