import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/object.ts';
import { resourceByKey } from '../../src/api/registry.ts';
import { podStatus } from '../../src/http/print-pods.ts';
import { tableOfList, tableOfObject } from '../../src/http/table.ts';

const NOW = new Date('2026-01-01T12:00:00Z');
const created = '2026-01-01T11:55:00Z'; // five minutes before NOW
const rt = (key: string) => resourceByKey(key)!;
const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: created, resourceVersion: '7', ...extra });

function headers(key: string): string[] {
  return tableOfList(rt(key), { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '1' }, items: [] }, { now: NOW }).columnDefinitions.map(
    (c) => (c.priority ? `(${c.name})` : c.name),
  );
}

function row(key: string, object: KubeObject) {
  return tableOfObject(rt(key), object, { now: NOW }).rows[0]!.cells;
}

describe('Table columns per kind', () => {
  it('match what kubectl shows', () => {
    assert.deepEqual(headers('pods'), ['Name', 'Ready', 'Status', 'Restarts', 'Age', '(IP)', '(Node)', '(Nominated Node)', '(Readiness Gates)']);
    assert.deepEqual(headers('deployments.apps'), ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', '(Containers)', '(Images)', '(Selector)']);
    assert.deepEqual(headers('services'), ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', '(Selector)']);
    assert.deepEqual(headers('namespaces'), ['Name', 'Status', 'Age']);
    assert.deepEqual(headers('configmaps'), ['Name', 'Data', 'Age']);
    assert.deepEqual(headers('secrets'), ['Name', 'Type', 'Data', 'Age']);
    assert.deepEqual(headers('replicasets.apps'), ['Name', 'Desired', 'Current', 'Ready', 'Age', '(Containers)', '(Images)', '(Selector)']);
    assert.deepEqual(headers('jobs.batch'), ['Name', 'Status', 'Completions', 'Duration', 'Age', '(Containers)', '(Images)', '(Selector)']);
    assert.deepEqual(headers('leases.coordination.k8s.io'), ['Name', 'Holder', 'Age']);
    // A kind with no printer of its own (a custom resource, say) gets NAME and AGE.
    const widgets = { ...rt('configmaps'), group: 'example.com', kind: 'Widget', plural: 'widgets', key: 'widgets.example.com', apiVersion: 'example.com/v1' };
    const table = tableOfList(widgets, { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '1' }, items: [] }, { now: NOW });
    assert.deepEqual(table.columnDefinitions.map((c) => c.name), ['Name', 'Age']);
  });
});

describe('Table rows', () => {
  it('a running pod, with its metadata as PartialObjectMetadata', () => {
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta('web-1', { labels: { app: 'web' } }),
      spec: { nodeName: 'node-1', containers: [{ name: 'main', image: 'busybox' }] },
      status: {
        phase: 'Running',
        podIP: '10.0.0.7',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [{ name: 'main', ready: true, restartCount: 0, state: { running: { startedAt: created } } }],
      },
    };
    const table = tableOfObject(rt('pods'), pod, { now: NOW });
    assert.equal(table.kind, 'Table');
    assert.equal(table.apiVersion, 'meta.k8s.io/v1');
    assert.deepEqual(table.rows[0]!.cells, ['web-1', '1/1', 'Running', '0', '5m', '10.0.0.7', 'node-1', '<none>', '<none>']);
    assert.deepEqual(table.rows[0]!.object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: pod.metadata });
  });

  it('pod STATUS follows waiting reasons, init containers, restarts and deletion', () => {
    const pod = (status: Record<string, unknown>, spec: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta('p', extra),
      spec: { containers: [{ name: 'a' }], ...spec },
      status,
    });
    assert.equal(podStatus(pod({ phase: 'Pending', containerStatuses: [{ name: 'a', state: { waiting: { reason: 'ContainerCreating' } } }] })).status, 'ContainerCreating');
    assert.equal(
      podStatus(pod({ phase: 'Pending', initContainerStatuses: [{ name: 'i', state: { waiting: { reason: 'PodInitializing' } } }] }, { initContainers: [{ name: 'i' }] })).status,
      'Init:0/1',
    );
    assert.equal(
      podStatus(pod({ phase: 'Running', containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 2 } } }] })).status,
      'ExitCode:2',
    );
    assert.equal(podStatus(pod({ phase: 'Running' }, {}, { deletionTimestamp: created })).status, 'Terminating');
    const restarted = pod({
      phase: 'Running',
      containerStatuses: [{ name: 'a', ready: true, restartCount: 3, state: { running: {} }, lastState: { terminated: { finishedAt: '2026-01-01T11:58:00Z' } } }],
    });
    assert.deepEqual(row('pods', restarted).slice(1, 4), ['1/1', 'Running', '3 (2m ago)']);
  });

  it('deployments, services, secrets, configmaps, namespaces, jobs', () => {
    const deployment: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('web'),
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: { spec: { containers: [{ name: 'web', image: 'nginx:1' }, { name: 'log', image: 'busybox' }] } },
      },
      status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    };
    assert.deepEqual(row('deployments.apps', deployment), ['web', '2/3', 3, 2, '5m', 'web,log', 'nginx:1,busybox', 'app=web']);

    const service: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('web'),
      spec: { type: 'NodePort', clusterIP: '10.96.0.10', selector: { app: 'web' }, ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] },
    };
    assert.deepEqual(row('services', service), ['web', 'NodePort', '10.96.0.10', '<none>', '80:30080/TCP,53/UDP', '5m', 'app=web']);

    assert.deepEqual(row('secrets', { apiVersion: 'v1', kind: 'Secret', metadata: meta('s'), type: 'kubernetes.io/tls', data: { a: 'eA==', b: 'eQ==' } }), [
      's',
      'kubernetes.io/tls',
      2,
      '5m',
    ]);
    assert.deepEqual(row('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('c'), data: { a: '1' } }), ['c', 1, '5m']);
    assert.deepEqual(row('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: meta('n'), status: { phase: 'Active' } }), ['n', 'Active', '5m']);

    const job: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: meta('j'),
      spec: { completions: 2, template: { spec: { containers: [{ name: 'c', image: 'i' }] } }, selector: { matchLabels: { 'job-name': 'j' } } },
      status: { succeeded: 2, startTime: created, completionTime: '2026-01-01T11:56:30Z', conditions: [{ type: 'Complete', status: 'True' }] },
    };
    assert.deepEqual(row('jobs.batch', job).slice(0, 5), ['j', 'Complete', '2/2', '90s', '5m']);
  });

  it('a list Table keeps the list metadata, and includeObject chooses what rows carry', () => {
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('c') };
    const list = { apiVersion: 'v1', kind: 'ConfigMapList', metadata: { resourceVersion: '9', continue: 'tok', remainingItemCount: 4 }, items: [cm] };
    const table = tableOfList(rt('configmaps'), list, { now: NOW, version: 'v1beta1', includeObject: 'None' });
    assert.equal(table.apiVersion, 'meta.k8s.io/v1beta1');
    assert.deepEqual(table.metadata, { resourceVersion: '9', continue: 'tok', remainingItemCount: 4 });
    assert.equal(table.rows[0]!.object, undefined);
    assert.equal(tableOfList(rt('configmaps'), list, { now: NOW, includeObject: 'Object' }).rows[0]!.object, cm);
  });
});
