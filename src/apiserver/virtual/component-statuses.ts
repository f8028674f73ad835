/**
 * ComponentStatus (`kubectl get componentstatuses`), computed on read, never stored: the
 * scheduler and the controller manager are healthy while their leader holds its Lease
 * (renewed within its duration: what their /healthz would say of the one that works),
 * and the store is healthy while JetStream answers for the REGISTRY stream (etcd-0's
 * role, so it is named jetstream-0).
 */
import type { KubeObject } from '../../api/object.ts';

interface LeaseView {
  spec?: { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number };
}

export interface ComponentProbe {
  lease(namespace: string, name: string): KubeObject | undefined;
  /** Resolves when the log answers; rejects with the reason otherwise. */
  logAnswers(): Promise<void>;
  now(): Date;
}

const LEASED: Array<[component: string, lease: string]> = [
  ['scheduler', 'kube-scheduler'],
  ['controller-manager', 'kube-controller-manager'],
];

export async function componentStatuses(probe: ComponentProbe): Promise<KubeObject[]> {
  const statuses = LEASED.map(([component, lease]) => status(component, leaseHealth(probe.lease('kube-system', lease) as LeaseView | undefined, lease, probe.now())));
  let store: Health = { healthy: true, message: '{"health":"true","reason":""}' };
  try {
    await probe.logAnswers();
  } catch (error) {
    store = { healthy: false, error: `JetStream does not answer: ${error instanceof Error ? error.message : String(error)}` };
  }
  return [...statuses, status('jetstream-0', store)];
}

type Health = { healthy: true; message: string } | { healthy: false; error: string };

export function leaseHealth(lease: LeaseView | undefined, name: string, now: Date): Health {
  const holder = lease?.spec?.holderIdentity;
  const renewed = lease?.spec?.renewTime ? Date.parse(lease.spec.renewTime) : NaN;
  if (!lease || !holder || Number.isNaN(renewed)) return { healthy: false, error: `no leader: nobody holds the Lease kube-system/${name}` };
  const duration = (lease.spec?.leaseDurationSeconds ?? 15) * 1000;
  const silent = now.getTime() - renewed;
  if (silent > duration) return { healthy: false, error: `the leader ${holder} has not renewed the Lease kube-system/${name} for ${Math.round(silent / 1000)}s` };
  return { healthy: true, message: 'ok' };
}

function status(name: string, health: Health): KubeObject {
  const condition = health.healthy
    ? { type: 'Healthy', status: 'True', message: health.message, error: '' }
    : { type: 'Healthy', status: 'False', message: '', error: health.error };
  return { kind: 'ComponentStatus', apiVersion: 'v1', metadata: { name }, conditions: [condition] } as KubeObject;
}
