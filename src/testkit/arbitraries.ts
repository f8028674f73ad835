/**
 * fast-check arbitraries for API objects that are valid by construction: what the API
 * server's defaulting and validation accept unchanged in meaning (test/unit/testkit-
 * arbitraries.test.ts holds every one to validateObject). Small alphabets and sizes on
 * purpose: collisions (two objects, one name) are what find bugs, and small cases shrink.
 */
import fc from 'fast-check';
import type { KubeObject } from '../api/object.ts';

const LOWER = 'abcdefghijklmnopqrstuvwxyz'.split('');
const ALNUM = [...LOWER, ...'0123456789'.split('')];

/** A DNS-1123 label: lower-case alphanumerics and '-', starting and ending alphanumeric, at most maxLength (63). */
export function dns1123Label(options: { maxLength?: number } = {}): fc.Arbitrary<string> {
  const max = Math.min(63, Math.max(1, options.maxLength ?? 12));
  return fc
    .tuple(fc.constantFrom(...LOWER), fc.array(fc.constantFrom(...ALNUM, '-'), { maxLength: Math.max(0, max - 2) }), fc.constantFrom(...ALNUM))
    .map(([first, middle, last]) => (max === 1 ? first : `${first}${middle.join('')}${last}`));
}

/** A DNS-1123 subdomain (the name of most kinds): dot-separated labels, at most 253 characters. */
export function dns1123Subdomain(options: { maxLabels?: number } = {}): fc.Arbitrary<string> {
  return fc.array(dns1123Label({ maxLength: 10 }), { minLength: 1, maxLength: options.maxLabels ?? 2 }).map((labels) => labels.join('.'));
}

/** A label key: an optional DNS subdomain prefix and '/', then a qualified name. */
export const labelKey: fc.Arbitrary<string> = fc
  .tuple(fc.option(fc.constantFrom('app.kubernetes.io', 'example.com', 'team'), { nil: undefined }), dns1123Label({ maxLength: 10 }))
  .map(([prefix, name]) => (prefix ? `${prefix}/${name}` : name));

/** A label value: empty, or alphanumeric at both ends with '-', '_' and '.' inside, at most 63. */
export const labelValue: fc.Arbitrary<string> = fc.oneof(
  fc.constant(''),
  fc
    .tuple(fc.constantFrom(...ALNUM), fc.array(fc.constantFrom(...ALNUM, '-', '_', '.'), { maxLength: 8 }), fc.constantFrom(...ALNUM))
    .map(([a, m, b]) => `${a}${m.join('')}${b}`),
);

export function labelMap(options: { maxKeys?: number } = {}): fc.Arbitrary<Record<string, string>> {
  return fc.dictionary(labelKey, labelValue, { maxKeys: options.maxKeys ?? 3 });
}

/** CPU quantities as users write them: millicores or cores. */
export const cpuQuantity: fc.Arbitrary<string> = fc.oneof(fc.integer({ min: 1, max: 4000 }).map((m) => `${m}m`), fc.integer({ min: 1, max: 8 }).map(String));

/** Memory quantities: binary suffixes and plain bytes. */
export const memoryQuantity: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: 1, max: 1024 }).map((n) => `${n}Mi`),
  fc.integer({ min: 1, max: 16 }).map((n) => `${n}Gi`),
  fc.integer({ min: 1_000_000, max: 2_000_000_000 }).map(String),
);

/** requests <= limits, as validation demands. */
export const resourceRequirements: fc.Arbitrary<{ requests?: Record<string, string>; limits?: Record<string, string> }> = fc
  .record({ cpu: fc.integer({ min: 1, max: 2000 }), memoryMi: fc.integer({ min: 1, max: 2048 }), headroom: fc.integer({ min: 0, max: 2 }), limited: fc.boolean() })
  .map(({ cpu, memoryMi, headroom, limited }) => ({
    requests: { cpu: `${cpu}m`, memory: `${memoryMi}Mi` },
    ...(limited ? { limits: { cpu: `${cpu * (1 + headroom)}m`, memory: `${memoryMi * (1 + headroom)}Mi` } } : {}),
  }));

export const image: fc.Arbitrary<string> = fc.tuple(fc.constantFrom('nginx', 'busybox', 'registry.local/app'), fc.constantFrom('1', '2', '3', 'latest')).map(([n, t]) => `${n}:${t}`);

export const container: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    name: dns1123Label({ maxLength: 8 }),
    image,
    resources: resourceRequirements,
    port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
  })
  .map(({ name, image, resources, port }) => ({ name, image, resources, ...(port ? { ports: [{ containerPort: port, protocol: 'TCP' }] } : {}) }));

export const toleration = fc.record({ key: labelKey, operator: fc.constant('Exists'), effect: fc.constantFrom('NoSchedule', 'NoExecute', 'PreferNoSchedule') });

/** A pod spec: 1-3 containers with distinct names. */
export function podSpec(options: { restartPolicy?: 'Always' | 'OnFailure' | 'Never' } = {}): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record({
      containers: fc.uniqueArray(container, { minLength: 1, maxLength: 3, selector: (c) => c.name }),
      restartPolicy: options.restartPolicy ? fc.constant(options.restartPolicy) : fc.constantFrom('Always', 'OnFailure', 'Never'),
      tolerations: fc.array(toleration, { maxLength: 2 }),
      nodeSelector: fc.option(labelMap({ maxKeys: 1 }), { nil: undefined }),
    })
    .map(({ tolerations, nodeSelector, ...rest }) => ({ ...rest, ...(tolerations.length ? { tolerations } : {}), ...(nodeSelector ? { nodeSelector } : {}) }));
}

/** A pod template whose labels include `selector` (so the owner's selector matches it). */
export function podTemplate(selector: Record<string, string>, options: { restartPolicy?: 'Always' | 'OnFailure' | 'Never' } = {}) {
  return fc.record({ extra: labelMap({ maxKeys: 2 }), spec: podSpec(options) }).map(({ extra, spec }) => ({ metadata: { labels: { ...extra, ...selector } }, spec }));
}

export interface ObjectOptions {
  namespace?: string;
  /** A fixed name; default: a generated DNS-1123 name. */
  name?: string;
}

const nameOf = (options: ObjectOptions) => (options.name !== undefined ? fc.constant(options.name) : dns1123Label({ maxLength: 10 }));
const meta = (name: string, options: ObjectOptions, labels?: Record<string, string>) => ({ name, namespace: options.namespace ?? 'default', ...(labels ? { labels } : {}) });

export function pod(options: ObjectOptions = {}): fc.Arbitrary<KubeObject> {
  return fc.record({ name: nameOf(options), labels: labelMap(), spec: podSpec() }).map(({ name, labels, spec }) => ({ apiVersion: 'v1', kind: 'Pod', metadata: meta(name, options, labels), spec }));
}

const intOrPercent = fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constantFrom('25%', '50%', '100%'));

/** A Deployment with selector app=<name>; maxSurge and maxUnavailable never both 0. */
export function deployment(options: ObjectOptions & { maxReplicas?: number } = {}): fc.Arbitrary<KubeObject> {
  return nameOf(options).chain((name) =>
    fc
      .record({
        replicas: fc.integer({ min: 0, max: options.maxReplicas ?? 5 }),
        template: podTemplate({ app: name }, { restartPolicy: 'Always' }),
        recreate: fc.boolean(),
        maxSurge: intOrPercent,
        maxUnavailable: intOrPercent,
      })
      .map(({ replicas, template, recreate, maxSurge, maxUnavailable }) => ({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: meta(name, options),
        spec: {
          replicas,
          selector: { matchLabels: { app: name } },
          template,
          strategy: recreate
            ? { type: 'Recreate' }
            : { type: 'RollingUpdate', rollingUpdate: maxSurge === 0 && maxUnavailable === 0 ? { maxSurge: 1, maxUnavailable: 0 } : { maxSurge, maxUnavailable } },
        },
      })),
  );
}

export function replicaSet(options: ObjectOptions & { maxReplicas?: number } = {}): fc.Arbitrary<KubeObject> {
  return nameOf(options).chain((name) =>
    fc.record({ replicas: fc.integer({ min: 0, max: options.maxReplicas ?? 5 }), template: podTemplate({ app: name }, { restartPolicy: 'Always' }) }).map(({ replicas, template }) => ({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: meta(name, options),
      spec: { replicas, selector: { matchLabels: { app: name } }, template },
    })),
  );
}

/** A Job (its selector is the API server's to generate, as in Kubernetes). */
export function job(options: ObjectOptions = {}): fc.Arbitrary<KubeObject> {
  return nameOf(options).chain((name) =>
    fc
      .record({
        completions: fc.integer({ min: 1, max: 5 }),
        parallelism: fc.integer({ min: 1, max: 3 }),
        backoffLimit: fc.integer({ min: 0, max: 6 }),
        template: podTemplate({ job: name }, { restartPolicy: 'Never' }),
      })
      .map(({ template, ...spec }) => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: meta(name, options), spec: { ...spec, template } })),
  );
}

export const taint = fc.record({ key: labelKey, value: fc.constantFrom('', 'a', 'b'), effect: fc.constantFrom('NoSchedule', 'PreferNoSchedule', 'NoExecute') }).map(({ value, ...t }) => (value ? { ...t, value } : t));

/** A Ready node with capacity (cpu, memory, pods), allocatable = capacity, and maybe taints. */
export function node(options: { name?: string } = {}): fc.Arbitrary<KubeObject> {
  return fc
    .record({
      name: options.name !== undefined ? fc.constant(options.name) : dns1123Label({ maxLength: 10 }),
      cpu: fc.integer({ min: 1, max: 64 }),
      memoryGi: fc.integer({ min: 1, max: 256 }),
      pods: fc.integer({ min: 1, max: 110 }),
      taints: fc.uniqueArray(taint, { maxLength: 2, selector: (t) => `${t.key}:${t.effect}` }),
    })
    .map(({ name, cpu, memoryGi, pods, taints }) => {
      const capacity = { cpu: String(cpu), memory: `${memoryGi}Gi`, pods: String(pods) };
      return {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name, labels: { 'kubernetes.io/hostname': name } },
        spec: taints.length ? { taints } : {},
        status: { capacity, allocatable: capacity, conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }] },
      };
    });
}
