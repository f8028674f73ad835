import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyDefaults } from '../../src/api/defaults.ts';
import { defaultPullPolicy } from '../../src/api/defaults/pod.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { resourceByKey } from '../../src/api/registry.ts';

const defaulted = (key: string, body: Record<string, unknown>): any =>
  applyDefaults(resourceByKey(key)!, { metadata: { name: 'x', namespace: 'default' }, ...body } as KubeObject);

describe('Pod defaults', () => {
  const pod = defaulted('pods', {
    spec: {
      containers: [
        {
          name: 'web',
          image: 'nginx',
          ports: [{ containerPort: 80 }],
          livenessProbe: { httpGet: { port: 80 } },
          resources: { limits: { cpu: '1' } },
        },
      ],
      volumes: [{ name: 'scratch' }, { name: 'conf', configMap: { name: 'c' } }],
    },
  });

  it('fills the pod spec', () => {
    const { spec } = pod;
    assert.equal(spec.restartPolicy, 'Always');
    assert.equal(spec.dnsPolicy, 'ClusterFirst');
    assert.equal(spec.schedulerName, 'default-scheduler');
    assert.equal(spec.terminationGracePeriodSeconds, 30);
    assert.deepEqual(spec.securityContext, {});
    assert.equal(spec.enableServiceLinks, true);
    assert.equal(spec.serviceAccountName, undefined, 'the ServiceAccount admission sets it, not defaults');
  });

  it('fills containers, ports and probes', () => {
    const [c] = pod.spec.containers;
    assert.equal(c.terminationMessagePath, '/dev/termination-log');
    assert.equal(c.terminationMessagePolicy, 'File');
    assert.equal(c.imagePullPolicy, 'Always');
    assert.equal(c.ports[0].protocol, 'TCP');
    assert.deepEqual(c.livenessProbe, {
      httpGet: { port: 80, path: '/', scheme: 'HTTP' },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
  });

  it('requests what a container limits', () => {
    assert.deepEqual(pod.spec.containers[0].resources, { limits: { cpu: '1' }, requests: { cpu: '1' } });
  });

  it('gives a sourceless volume an emptyDir and projected files mode 0644', () => {
    assert.deepEqual(pod.spec.volumes[0], { name: 'scratch', emptyDir: {} });
    assert.equal(pod.spec.volumes[1].configMap.defaultMode, 420);
  });

  it('chooses the pull policy from the tag', () => {
    assert.equal(defaultPullPolicy('nginx'), 'Always');
    assert.equal(defaultPullPolicy('nginx:latest'), 'Always');
    assert.equal(defaultPullPolicy('nginx:1.25'), 'IfNotPresent');
    assert.equal(defaultPullPolicy('localhost:5000/app'), 'Always');
    assert.equal(defaultPullPolicy('nginx@sha256:abc'), 'IfNotPresent');
  });

  it('keeps what the user set and does not touch the input', () => {
    const input = { metadata: { name: 'p', namespace: 'd' }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x:1', imagePullPolicy: 'Never' }] } };
    const out: any = applyDefaults(resourceByKey('pods')!, input as unknown as KubeObject);
    assert.equal(out.spec.restartPolicy, 'Never');
    assert.equal(out.spec.containers[0].imagePullPolicy, 'Never');
    assert.equal((input.spec as any).dnsPolicy, undefined);
  });

  it('does not default Pod-only fields in templates', () => {
    const deployment = defaulted('deployments.apps', { spec: { template: { spec: { containers: [{ name: 'c', image: 'x', resources: { limits: { cpu: '1' } } }] } } } });
    assert.equal(deployment.spec.template.spec.enableServiceLinks, undefined);
    assert.equal(deployment.spec.template.spec.containers[0].resources.requests, undefined);
    assert.equal(deployment.spec.template.spec.restartPolicy, 'Always');
  });
});

describe('workload defaults', () => {
  it('Deployment', () => {
    const { spec } = defaulted('deployments.apps', { spec: { template: { spec: { containers: [] } } } });
    assert.equal(spec.replicas, 1);
    assert.deepEqual(spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
    assert.equal(spec.revisionHistoryLimit, 10);
    assert.equal(spec.progressDeadlineSeconds, 600);
  });

  it('Deployment with Recreate gets no rollingUpdate', () => {
    assert.deepEqual(defaulted('deployments.apps', { spec: { strategy: { type: 'Recreate' } } }).spec.strategy, { type: 'Recreate' });
  });

  it('StatefulSet', () => {
    const { spec } = defaulted('statefulsets.apps', { spec: { volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: {} }] } });
    assert.equal(spec.podManagementPolicy, 'OrderedReady');
    assert.deepEqual(spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
    assert.equal(spec.replicas, 1);
    assert.equal(spec.revisionHistoryLimit, 10);
    assert.deepEqual(spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
    assert.deepEqual(spec.volumeClaimTemplates[0], {
      metadata: { name: 'data' },
      spec: { volumeMode: 'Filesystem' },
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      status: { phase: 'Pending' },
    });
  });

  it('DaemonSet', () => {
    const { spec } = defaulted('daemonsets.apps', { spec: {} });
    assert.deepEqual(spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    assert.equal(spec.revisionHistoryLimit, 10);
  });

  it('Job', () => {
    const job = defaulted('jobs.batch', { spec: { template: { metadata: { labels: { app: 'pi' } }, spec: { restartPolicy: 'Never', containers: [] } } } });
    assert.equal(job.spec.completions, 1);
    assert.equal(job.spec.parallelism, 1);
    assert.equal(job.spec.backoffLimit, 6);
    assert.equal(job.spec.completionMode, 'NonIndexed');
    assert.equal(job.spec.suspend, false);
    assert.equal(job.spec.template.spec.restartPolicy, 'Never');
    assert.deepEqual(job.metadata.labels, { app: 'pi' });
  });

  it('Job: a work queue (parallelism only) keeps completions unset', () => {
    const job = defaulted('jobs.batch', { spec: { parallelism: 3 } });
    assert.equal(job.spec.completions, undefined);
    assert.equal(job.spec.parallelism, 3);
  });

  it('CronJob', () => {
    const { spec } = defaulted('cronjobs.batch', { spec: { schedule: '@daily', jobTemplate: { spec: { template: { spec: { containers: [] } } } } } });
    assert.equal(spec.concurrencyPolicy, 'Allow');
    assert.equal(spec.suspend, false);
    assert.equal(spec.successfulJobsHistoryLimit, 3);
    assert.equal(spec.failedJobsHistoryLimit, 1);
    assert.equal(spec.jobTemplate.spec.template.spec.dnsPolicy, 'ClusterFirst');
  });
});

describe('Service and other core defaults', () => {
  it('Service of type ClusterIP', () => {
    const { spec } = defaulted('services', { spec: { ports: [{ port: 80 }] } });
    assert.equal(spec.type, 'ClusterIP');
    assert.equal(spec.sessionAffinity, 'None');
    assert.deepEqual(spec.ports, [{ port: 80, protocol: 'TCP', targetPort: 80 }]);
    assert.equal(spec.internalTrafficPolicy, 'Cluster');
    assert.equal(spec.externalTrafficPolicy, undefined);
    assert.equal(spec.ipFamilyPolicy, 'SingleStack');
    assert.deepEqual(spec.ipFamilies, ['IPv4']);
  });

  it('Service of type NodePort gets an externalTrafficPolicy, ExternalName no IP families', () => {
    assert.equal(defaulted('services', { spec: { type: 'NodePort', ports: [{ port: 80 }] } }).spec.externalTrafficPolicy, 'Cluster');
    const external = defaulted('services', { spec: { type: 'ExternalName', externalName: 'x.io' } }).spec;
    assert.equal(external.ipFamilies, undefined);
    assert.equal(external.internalTrafficPolicy, undefined);
  });

  it('Secret, Namespace, PV, PVC, Node', () => {
    assert.equal(defaulted('secrets', {}).type, 'Opaque');
    const ns = defaulted('namespaces', { metadata: { name: 'team' } });
    assert.equal(ns.status.phase, 'Active');
    assert.equal(ns.metadata.labels['kubernetes.io/metadata.name'], 'team');
    const pvc = defaulted('persistentvolumeclaims', { spec: {} });
    assert.equal(pvc.spec.volumeMode, 'Filesystem');
    assert.equal(pvc.status.phase, 'Pending');
    const pv = defaulted('persistentvolumes', { spec: {} });
    assert.equal(pv.spec.persistentVolumeReclaimPolicy, 'Retain');
    assert.equal(pv.spec.volumeMode, 'Filesystem');
    assert.deepEqual(defaulted('nodes', { status: { capacity: { cpu: '4' } } }).status.allocatable, { cpu: '4' });
  });

  it('RBAC subjects and roleRef get their API group', () => {
    const binding = defaulted('rolebindings.rbac.authorization.k8s.io', {
      roleRef: { kind: 'Role', name: 'r' },
      subjects: [{ kind: 'User', name: 'a' }, { kind: 'ServiceAccount', name: 'b' }],
    });
    assert.equal(binding.roleRef.apiGroup, 'rbac.authorization.k8s.io');
    assert.equal(binding.subjects[0].apiGroup, 'rbac.authorization.k8s.io');
    assert.equal(binding.subjects[1].apiGroup, '');
  });

  it('HPA defaults to 80% CPU and one replica', () => {
    const { spec } = defaulted('horizontalpodautoscalers.autoscaling', { spec: { maxReplicas: 3 } });
    assert.equal(spec.minReplicas, 1);
    assert.deepEqual(spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
  });

  it('drops nulls and leaves ill-typed fields to validation', () => {
    const out = defaulted('deployments.apps', { spec: { replicas: null, strategy: 'fast' } });
    assert.equal(out.spec.replicas, 1);
    assert.equal(out.spec.strategy, 'fast');
  });
});
