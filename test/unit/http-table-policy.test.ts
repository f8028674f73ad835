// Table printers of the policy, autoscaling, discovery, storage and events.k8s.io kinds,
// each checked against the columns and cells Kubernetes' server-side printers give for the
// same object.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/object.ts';
import {
  controllerRevisionPrinter,
  endpointSlicePrinter,
  horizontalPodAutoscalerPrinter,
  ingressClassPrinter,
  limitRangePrinter,
  networkPolicyPrinter,
  podDisruptionBudgetPrinter,
  priorityClassPrinter,
  resourceQuotaPrinter,
} from '../../src/http/print-policy.ts';
import { accessModes, persistentVolumeClaimPrinter, persistentVolumePrinter, storageClassPrinter } from '../../src/http/print-storage.ts';
import { eventPrinter, eventsV1Printer } from '../../src/http/print-cluster.ts';
import type { Printer } from '../../src/http/table-kit.ts';

const NOW = new Date('2026-01-01T12:00:00Z');
const created = '2026-01-01T11:55:00Z'; // five minutes before NOW
const object = (apiVersion: string, kind: string, name: string, rest: Record<string, unknown> = {}, metadata: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, namespace: 'default', creationTimestamp: created, ...metadata },
  ...rest,
});
const headers = (printer: Printer) => printer.columns.map((c) => (c.priority ? `(${c.name})` : c.name));
const cells = (printer: Printer, o: KubeObject) => printer.cells(o, NOW);

describe('policy printers', () => {
  it('PodDisruptionBudget: min available or max unavailable, N/A for the other', () => {
    assert.deepEqual(headers(podDisruptionBudgetPrinter), ['Name', 'Min Available', 'Max Unavailable', 'Allowed Disruptions', 'Age']);
    const min = object('policy/v1', 'PodDisruptionBudget', 'web', { spec: { minAvailable: 1 }, status: { disruptionsAllowed: 2 } });
    assert.deepEqual(cells(podDisruptionBudgetPrinter, min), ['web', '1', 'N/A', 2, '5m']);
    const max = object('policy/v1', 'PodDisruptionBudget', 'db', { spec: { maxUnavailable: '50%' }, status: {} });
    assert.deepEqual(cells(podDisruptionBudgetPrinter, max), ['db', 'N/A', '50%', 0, '5m']);
  });

  it('ResourceQuota: enforced limits with their use, limits.* in their own column, sorted', () => {
    assert.deepEqual(headers(resourceQuotaPrinter), ['Name', 'Age', 'Request', 'Limit']);
    const quota = object('v1', 'ResourceQuota', 'small', {
      spec: { hard: { pods: '2', cpu: '1', 'limits.memory': '2Gi' } },
      status: { hard: { pods: '2', cpu: '1', 'limits.memory': '2Gi' }, used: { pods: '1', 'limits.memory': '512Mi' } },
    });
    assert.deepEqual(cells(resourceQuotaPrinter, quota), ['small', '5m', 'cpu: 0/1, pods: 1/2', 'limits.memory: 512Mi/2Gi']);
    // Before the quota controller has reported, nothing is enforced yet.
    assert.deepEqual(cells(resourceQuotaPrinter, object('v1', 'ResourceQuota', 'new', { spec: { hard: { pods: '2' } } })), ['new', '5m', '', '']);
  });

  it('LimitRange: its creation time', () => {
    assert.deepEqual(headers(limitRangePrinter), ['Name', 'Created At']);
    assert.deepEqual(cells(limitRangePrinter, object('v1', 'LimitRange', 'limits')), ['limits', created]);
  });

  it('HorizontalPodAutoscaler: reference, targets with current values, bounds, replicas', () => {
    assert.deepEqual(headers(horizontalPodAutoscalerPrinter), ['Name', 'Reference', 'Targets', 'MinPods', 'MaxPods', 'Replicas', 'Age']);
    const hpa = object('autoscaling/v2', 'HorizontalPodAutoscaler', 'web', {
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 2,
        maxReplicas: 5,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
          { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } },
          { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } },
        ],
      },
      status: { currentReplicas: 3, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 40 } } }] },
    });
    assert.deepEqual(cells(horizontalPodAutoscalerPrinter, hpa), ['web', 'Deployment/web', 'cpu: 40%/80%, <unknown>/100Mi + 1 more...', '2', 5, 3, '5m']);
    const bare = object('autoscaling/v2', 'HorizontalPodAutoscaler', 'bare', { spec: { scaleTargetRef: { kind: 'Deployment', name: 'x' }, maxReplicas: 3 } });
    assert.deepEqual(cells(horizontalPodAutoscalerPrinter, bare), ['bare', 'Deployment/x', '<none>', '<unset>', 3, 0, '5m']);
  });

  it('PriorityClass: value, global default, preemption policy (defaulted)', () => {
    assert.deepEqual(headers(priorityClassPrinter), ['Name', 'Value', 'Global-Default', 'Age', 'PreemptionPolicy']);
    assert.deepEqual(cells(priorityClassPrinter, object('scheduling.k8s.io/v1', 'PriorityClass', 'high', { value: 1000, globalDefault: true })), [
      'high',
      1000,
      true,
      '5m',
      'PreemptLowerPriority',
    ]);
  });

  it('NetworkPolicy, IngressClass, ControllerRevision, EndpointSlice', () => {
    const np = object('networking.k8s.io/v1', 'NetworkPolicy', 'deny', { spec: { podSelector: { matchLabels: { app: 'web' } } } });
    assert.deepEqual(cells(networkPolicyPrinter, np), ['deny', 'app=web', '5m']);
    assert.deepEqual(cells(networkPolicyPrinter, object('networking.k8s.io/v1', 'NetworkPolicy', 'all', { spec: { podSelector: {} } })), ['all', '<none>', '5m']);

    const ic = object('networking.k8s.io/v1', 'IngressClass', 'nginx', {
      spec: { controller: 'k8s.io/ingress-nginx', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'external' } },
    });
    assert.deepEqual(cells(ingressClassPrinter, ic), ['nginx', 'k8s.io/ingress-nginx', 'IngressParameters.k8s.example.com/external', '5m']);

    const revision = object('apps/v1', 'ControllerRevision', 'web-7c9d', { revision: 3 }, {
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u1', controller: true }],
    });
    assert.deepEqual(headers(controllerRevisionPrinter), ['Name', 'Controller', 'Revision', 'Age']);
    assert.deepEqual(cells(controllerRevisionPrinter, revision), ['web-7c9d', 'statefulset.apps/web', 3, '5m']);

    const slice = object('discovery.k8s.io/v1', 'EndpointSlice', 'web-abc', {
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 80 }],
      endpoints: ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'].map((ip) => ({ addresses: [ip] })),
    });
    assert.deepEqual(cells(endpointSlicePrinter, slice), ['web-abc', 'IPv4', '80', '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...', '5m']);
    assert.deepEqual(cells(endpointSlicePrinter, object('discovery.k8s.io/v1', 'EndpointSlice', 'empty', { addressType: 'IPv4' })), ['empty', 'IPv4', '<unset>', '<unset>', '5m']);
  });
});

describe('storage printers', () => {
  it('access modes in Kubernetes’ order, abbreviated', () => {
    assert.equal(accessModes(['ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod']), 'RWO,RWX,RWOP');
    assert.equal(accessModes(undefined), '');
  });

  it('StorageClass: the default class is marked, unset policies take their defaults', () => {
    assert.deepEqual(headers(storageClassPrinter), ['Name', 'Provisioner', 'ReclaimPolicy', 'VolumeBindingMode', 'AllowVolumeExpansion', 'Age']);
    const sc = object('storage.k8s.io/v1', 'StorageClass', 'standard', { provisioner: 'rancher.io/local-path' }, {
      annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
    });
    assert.deepEqual(cells(storageClassPrinter, sc), ['standard (default)', 'rancher.io/local-path', 'Delete', 'Immediate', false, '5m']);
  });

  it('PersistentVolume and a claim, unbound then bound', () => {
    assert.deepEqual(headers(persistentVolumePrinter), [
      'Name', 'Capacity', 'Access Modes', 'Reclaim Policy', 'Status', 'Claim', 'StorageClass', 'VolumeAttributesClass', 'Reason', 'Age', '(VolumeMode)',
    ]);
    const pv = object('v1', 'PersistentVolume', 'pv1', {
      spec: { capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', storageClassName: 'standard', claimRef: { namespace: 'default', name: 'data' }, volumeMode: 'Filesystem' },
      status: { phase: 'Bound' },
    });
    assert.deepEqual(cells(persistentVolumePrinter, pv), ['pv1', '10Gi', 'RWO', 'Retain', 'Bound', 'default/data', 'standard', '<unset>', '', '5m', 'Filesystem']);

    assert.deepEqual(headers(persistentVolumeClaimPrinter), ['Name', 'Status', 'Volume', 'Capacity', 'Access Modes', 'StorageClass', 'VolumeAttributesClass', 'Age', '(VolumeMode)']);
    const pending = object('v1', 'PersistentVolumeClaim', 'data', { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'standard' }, status: { phase: 'Pending' } });
    assert.deepEqual(cells(persistentVolumeClaimPrinter, pending), ['data', 'Pending', '', '', '', 'standard', '<unset>', '5m', '<unset>']);
    const bound = object('v1', 'PersistentVolumeClaim', 'data', {
      spec: { volumeName: 'pv1', storageClassName: 'standard', volumeMode: 'Filesystem' },
      status: { phase: 'Bound', capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'] },
    }, { deletionTimestamp: created });
    assert.deepEqual(cells(persistentVolumeClaimPrinter, bound), ['data', 'Terminating', 'pv1', '10Gi', 'RWO', 'standard', '<unset>', '5m', 'Filesystem']);
  });
});

describe('events.k8s.io printer', () => {
  it('prints an events.k8s.io/v1 Event as kubectl prints the same core Event', () => {
    const core = object('v1', 'Event', 'web.1', {
      involvedObject: { kind: 'Pod', name: 'web', fieldPath: 'spec.containers{nginx}' },
      reason: 'Pulled',
      message: 'Container image pulled',
      type: 'Normal',
      source: { component: 'kubelet', host: 'node-1' },
      firstTimestamp: '2026-01-01T11:50:00Z',
      lastTimestamp: '2026-01-01T11:58:00Z',
      count: 3,
    });
    const v1 = object('events.k8s.io/v1', 'Event', 'web.1', {
      regarding: { kind: 'Pod', name: 'web', fieldPath: 'spec.containers{nginx}' },
      reason: 'Pulled',
      note: 'Container image pulled',
      type: 'Normal',
      deprecatedSource: { component: 'kubelet', host: 'node-1' },
      deprecatedFirstTimestamp: '2026-01-01T11:50:00Z',
      deprecatedLastTimestamp: '2026-01-01T11:58:00Z',
      deprecatedCount: 3,
    });
    assert.deepEqual(headers(eventsV1Printer), headers(eventPrinter));
    assert.deepEqual(cells(eventsV1Printer, v1), cells(eventPrinter, core));
    assert.deepEqual(cells(eventsV1Printer, v1).slice(0, 4), ['2m', 'Normal', 'Pulled', 'pod/web']);
  });
});
