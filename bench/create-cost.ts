/**
 * CPU cost of the API server's own work per create and update, without NATS: the
 * managedFields computation (now and as first written, test/support/managed-fields-reference.ts)
 * and the whole pure create step (decode, prepare, default, managed fields, validate).
 * Measures process CPU time (user + system), not wall time, so that other load on the
 * machine counts less; prints the median of several rounds, in µs per operation.
 *
 *   npx tsx bench/create-cost.ts            # default rounds
 *   npx tsx bench/create-cost.ts --quick    # fewer iterations, for a smoke run
 */
import { randomUUID } from 'node:crypto';
import { parse } from 'yaml';
import { applyDefaults } from '../src/api/defaults.ts';
import { prepareCreate, randomNameSuffix } from '../src/api/metadata.ts';
import type { KubeObject } from '../src/api/object.ts';
import { resourceByKey } from '../src/api/registry.ts';
import type { ResourceType } from '../src/api/resource-type.ts';
import { schemaFor } from '../src/api/schema/index.ts';
import { withManagedFields } from '../src/api/managed-fields.ts';
import { appliedCreatorEntries, appliedFields } from '../src/api/server-side-apply.ts';
import { validateObject } from '../src/api/validation.ts';
import { timestamp } from '../src/apiserver/deps.ts';
import { recordWrite } from '../src/apiserver/field-manager.ts';
import { readIncomingObject } from '../src/apiserver/incoming.ts';
import type { ApiRequest } from '../src/apiserver/request.ts';
import { candidateVersion } from '../src/apiserver/verbs/update.ts';
import { referenceAppliedFields, referenceRecordWrite, referenceWithManagers } from '../test/support/managed-fields-reference.ts';
import { nginx } from '../test/support/manifests.ts';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 5;
const ITERATIONS = quick ? 500 : 2_000;
const WARMUP = quick ? 500 : 3_000;

const DEPLOYMENTS = resourceByKey('deployments.apps')!;
const PODS = resourceByKey('pods')!;

const deployment = parse(nginx('web')) as KubeObject;

/** A pod with two containers, env, ports, probes, resources and volumes. */
const pod: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-0', labels: { app: 'web', tier: 'frontend' }, annotations: { 'example.com/owner': 'team-a' } },
  spec: {
    containers: [
      {
        name: 'web',
        image: 'nginx:1.27',
        ports: [
          { containerPort: 80, name: 'http' },
          { containerPort: 443, name: 'https' },
        ],
        env: [
          { name: 'MODE', value: 'production' },
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        ],
        resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
        readinessProbe: { httpGet: { path: '/healthz', port: 80 }, periodSeconds: 5 },
        livenessProbe: { tcpSocket: { port: 80 }, initialDelaySeconds: 10 },
        volumeMounts: [
          { name: 'data', mountPath: '/data' },
          { name: 'config', mountPath: '/etc/web', readOnly: true },
        ],
      },
      {
        name: 'sidecar',
        image: 'busybox:1.36',
        command: ['sh', '-c', 'tail -f /data/log'],
        env: [{ name: 'LEVEL', value: 'debug' }],
        volumeMounts: [{ name: 'data', mountPath: '/data' }],
      },
    ],
    volumes: [
      { name: 'data', emptyDir: {} },
      { name: 'config', configMap: { name: 'web-config' } },
    ],
  },
};

const request = (rt: ResourceType, verb: 'create' | 'update', fieldManager: string): ApiRequest => ({
  verb,
  resource: rt.key,
  namespace: 'default',
  body: undefined,
  options: { fieldManager },
});

const NOW = '2026-01-01T00:00:00Z';
const LATER = '2026-01-01T00:05:00Z';

/** The object a create's field manager sees: decoded, prepared and defaulted. */
function created(rt: ResourceType, body: KubeObject): KubeObject {
  const { object } = readIncomingObject(rt, { ...request(rt, 'create', 'bench'), body });
  return applyDefaults(rt, prepareCreate(rt, object, { now: NOW, uid: randomUUID(), nameSuffix: 'abcde' }));
}

/** The stored object after the create, and the next version after an update of one field by another manager. */
function updated(rt: ResourceType, body: KubeObject, change: (o: KubeObject) => void) {
  const before = recordWrite(rt, undefined, created(rt, body), request(rt, 'create', 'kubectl-create'), NOW);
  const incoming = structuredClone(before);
  change(incoming);
  return { before, after: candidateVersion(rt, before, incoming) };
}

/** The pure part of verbs/create.ts: all of it but the namespace admission and the append. */
function createStep(rt: ResourceType, body: KubeObject, withFields: typeof recordWrite): KubeObject {
  const req = { ...request(rt, 'create', 'bench'), body };
  const { object: incoming } = readIncomingObject(rt, req);
  const now = timestamp(new Date());
  const prepared = prepareCreate(rt, incoming, { now, uid: randomUUID(), nameSuffix: randomNameSuffix(Math.random) });
  const object = withFields(rt, undefined, applyDefaults(rt, prepared), req, now);
  if (validateObject(rt, object).length > 0) throw new Error('invalid');
  return object;
}

const referenceWrite: typeof recordWrite = (rt, before, after, req, now) =>
  referenceRecordWrite(before, after, schemaFor(rt), { manager: req.options?.fieldManager || 'unknown', now, apiVersion: rt.apiVersion });

let sink = 0;
const keep = (value: unknown) => {
  if (value === undefined) sink++;
};

/** CPU µs per call of `fn` (given the call's number): median over rounds, after a warm-up. */
function cpuMicros(fn: (call: number) => unknown): number {
  let call = 0;
  for (let i = 0; i < WARMUP; i++) keep(fn(call++));
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.cpuUsage();
    for (let i = 0; i < ITERATIONS; i++) keep(fn(call++));
    const used = process.cpuUsage(start);
    rounds.push((used.user + used.system) / ITERATIONS);
  }
  rounds.sort((a, b) => a - b);
  return rounds[Math.floor(rounds.length / 2)]!;
}

type Case = { name: string; now: (call: number) => unknown; reference: (call: number) => unknown };

/**
 * Copies of a stored object, one per call: as decoded from the log (after a restart, or
 * written by another API server), not the objects the previous write built.
 */
const decodedCopies = (object: KubeObject) => Array.from({ length: WARMUP + ROUNDS * ITERATIONS }, () => structuredClone(object));

const deploymentCreated = created(DEPLOYMENTS, deployment);
const podCreated = created(PODS, pod);
const scaled = updated(DEPLOYMENTS, deployment, (o) => ((o.spec as { replicas: number }).replicas = 5));
const relabelled = updated(PODS, pod, (o) => (o.metadata.labels!.tier = 'backend'));
const edit = (rt: ResourceType) => request(rt, 'update', 'kubectl-edit');
const applyCtx = { manager: 'kubectl', now: NOW, apiVersion: 'v1' };
const relabelledDecoded = decodedCopies(relabelled.before);

const cases: Case[] = [
  {
    name: '(a) managedFields of a create: Deployment',
    now: () => recordWrite(DEPLOYMENTS, undefined, deploymentCreated, request(DEPLOYMENTS, 'create', 'bench'), NOW),
    reference: () => referenceWrite(DEPLOYMENTS, undefined, deploymentCreated, request(DEPLOYMENTS, 'create', 'bench'), NOW),
  },
  {
    name: '(a) managedFields of a create: Pod',
    now: () => recordWrite(PODS, undefined, podCreated, request(PODS, 'create', 'bench'), NOW),
    reference: () => referenceWrite(PODS, undefined, podCreated, request(PODS, 'create', 'bench'), NOW),
  },
  {
    name: '(a) managedFields of a server-side apply create: Pod',
    now: () => withManagedFields(podCreated, appliedCreatorEntries(pod, schemaFor(PODS), applyCtx)),
    reference: () => referenceWithManagers(podCreated, [{ ...applyCtx, operation: 'Apply', time: NOW, fields: referenceAppliedFields(pod, schemaFor(PODS)) }]),
  },
  {
    name: '(a) applied field set (server-side apply): Pod',
    now: () => appliedFields(pod, schemaFor(PODS)),
    reference: () => referenceAppliedFields(pod, schemaFor(PODS)),
  },
  {
    name: '(b) managedFields of an update of one field: Deployment replicas',
    now: () => recordWrite(DEPLOYMENTS, scaled.before, scaled.after, edit(DEPLOYMENTS), LATER),
    reference: () => referenceWrite(DEPLOYMENTS, scaled.before, scaled.after, edit(DEPLOYMENTS), LATER),
  },
  {
    name: '(b) managedFields of an update of one field: Pod label',
    now: () => recordWrite(PODS, relabelled.before, relabelled.after, edit(PODS), LATER),
    reference: () => referenceWrite(PODS, relabelled.before, relabelled.after, edit(PODS), LATER),
  },
  {
    name: '(b) ... Pod label, the stored entries decoded from the log',
    now: (call) => recordWrite(PODS, relabelledDecoded[call]!, relabelled.after, edit(PODS), LATER),
    reference: (call) => referenceWrite(PODS, relabelledDecoded[call]!, relabelled.after, edit(PODS), LATER),
  },
  {
    name: '(c) pure create step: Deployment',
    now: () => createStep(DEPLOYMENTS, deployment, recordWrite),
    reference: () => createStep(DEPLOYMENTS, deployment, referenceWrite),
  },
  {
    name: '(c) pure create step: Pod',
    now: () => createStep(PODS, pod, recordWrite),
    reference: () => createStep(PODS, pod, referenceWrite),
  },
];

/** The steps of (c) one by one, for the Pod: where the rest of a create's CPU goes. */
const podRequest = { ...request(PODS, 'create', 'bench'), body: pod };
const podIncoming = readIncomingObject(PODS, podRequest).object;
const podPrepared = prepareCreate(PODS, podIncoming, { now: NOW, uid: randomUUID(), nameSuffix: 'abcde' });
const podStored = recordWrite(PODS, undefined, applyDefaults(PODS, podPrepared), podRequest, NOW);
const steps: [string, () => unknown][] = [
  ['(d) step: decode (readIncomingObject)', () => readIncomingObject(PODS, podRequest)],
  ['(d) step: prepareCreate', () => prepareCreate(PODS, podIncoming, { now: NOW, uid: randomUUID(), nameSuffix: 'abcde' })],
  ['(d) step: applyDefaults', () => applyDefaults(PODS, podPrepared)],
  ['(d) step: managedFields (recordWrite)', () => recordWrite(PODS, undefined, podCreated, podRequest, NOW)],
  ['(d) step: validateObject', () => validateObject(PODS, podStored)],
];

console.log(`CPU µs per operation (median of ${ROUNDS} rounds of ${ITERATIONS}; process.cpuUsage)`);
console.log(`${'case'.padEnd(66)} ${'now'.padStart(8)} ${'reference'.padStart(10)} ${'ratio'.padStart(6)}`);
for (const c of cases) {
  const reference = cpuMicros(c.reference);
  const now = cpuMicros(c.now);
  console.log(`${c.name.padEnd(66)} ${now.toFixed(1).padStart(8)} ${reference.toFixed(1).padStart(10)} ${(now / reference).toFixed(2).padStart(6)}`);
}
for (const [name, step] of steps) console.log(`${name.padEnd(66)} ${cpuMicros(step).toFixed(1).padStart(8)}`);
if (sink < 0) console.log(sink);
