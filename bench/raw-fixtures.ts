/**
 * Pod-like objects of about 1 KB of msgpack, the payload every jetkube benchmark uses, so
 * raw NATS figures and store figures measure the same bytes.
 */
import type { NatsConnection } from '../streams/connection.ts';
import { rawAckedPublish, rawCorePublish, rawStreamMessages } from '../streams/raw.ts';
import { encodeRecord } from '../streams/record-codec.ts';
import { registrySubject, type RegistryNames } from '../streams/subjects.ts';
import type { KubeObject } from '../src/api/object.ts';

export function podLike(i: number, subjects: number, generation = 0): KubeObject {
  const n = i % subjects;
  const ns = `ns-${n % 20}`;
  const name = `pod-${n}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: ns,
      uid: `5f0c7e2a-0000-4000-8000-${String(n).padStart(12, '0')}`,
      generation: 1,
      creationTimestamp: '2024-05-01T12:00:00Z',
      labels: { app: `app-${n % 50}`, tier: 'backend', 'pod-template-hash': '7d9f8b6c5d' },
      annotations: { 'jetkube.io/generation': String(generation) },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `rs-${n % 50}`, uid: 'a1b2c3d4-0000-4000-8000-000000000001', controller: true, blockOwnerDeletion: true },
      ],
    },
    spec: {
      nodeName: `node-${n % 100}`,
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      containers: [
        {
          name: 'app',
          image: 'registry.example.com/team/app:1.2.3',
          imagePullPolicy: 'IfNotPresent',
          ports: [{ containerPort: 8080, protocol: 'TCP', name: 'http' }],
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
        },
      ],
    },
    status: {
      phase: 'Running',
      podIP: `10.0.${(n >> 8) & 255}.${n & 255}`,
      hostIP: `192.168.0.${n % 100}`,
      startTime: '2024-05-01T12:00:01Z',
      conditions: [
        { type: 'Initialized', status: 'True', lastTransitionTime: '2024-05-01T12:00:01Z' },
        { type: 'Ready', status: 'True', lastTransitionTime: '2024-05-01T12:00:05Z' },
      ],
      containerStatuses: [
        { name: 'app', ready: true, restartCount: generation % 3, image: 'registry.example.com/team/app:1.2.3', imageID: 'sha256:0123456789abcdef', started: true, state: { running: { startedAt: '2024-05-01T12:00:04Z' } } },
      ],
    },
  };
}

/**
 * Fill a registry-shaped stream with `count` change records over `subjects` Pods: the
 * first time a Pod appears it is ADDED, later MODIFIED. Core publishes with a flush every
 * few thousand (the server's own ingest rate, ~5x acked publish), then waits until the
 * stream holds them all; what the server did not take is topped up with acked publishes.
 */
export async function fillRegistry(nc: NatsConnection, names: RegistryNames, count: number, subjects: number): Promise<void> {
  const subjectOf = (i: number) =>
    registrySubject({ resource: 'pods', namespace: `ns-${(i % subjects) % 20}`, name: `pod-${i % subjects}` }, names);
  const bodyOf = (i: number) => encodeRecord({ type: i < subjects ? 'ADDED' : 'MODIFIED', object: podLike(i, subjects, i) });
  const base = (await rawStreamMessages(nc, names.stream)).messages;
  await rawCorePublish(nc, subjectOf, bodyOf, 0, count);
  const deadline = Date.now() + 60_000;
  let stored = 0;
  for (;;) {
    stored = (await rawStreamMessages(nc, names.stream)).messages - base;
    if (stored >= count || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (stored < count) await rawAckedPublish(nc, (i) => subjectOf(stored + i), (i) => bodyOf(stored + i), count - stored, 256);
}
