/**
 * Fuzzing the HTTPS face with malformed requests, as the admin (so authentication and
 * RBAC are not what refuse them): random methods; paths under real prefixes with junk
 * segments, unknown groups, versions and kinds, overlong names, bad escapes; bad query
 * parameters (limit=-1, continue=garbage, resourceVersion=abc, watch=maybe, broken
 * selectors); any Content-Type and Accept; bodies that are truncated JSON, YAML with tabs,
 * JSON of the wrong shape, invalid UTF-8, deeply nested, over 3 MiB; patches of every
 * patch type with garbage. Properties, request by request: the server answers (no
 * hang-up), never with a 5xx (the store is up), every error is a Kubernetes Status whose
 * code is the HTTP code, and a refused request leaves the REGISTRY stream's last sequence
 * where it was. Afterwards the API server still serves. Set FUZZ_SEED to replay a run
 * (FUZZ_RUNS to make it longer, FUZZ_TRACE=1 to print each request as it goes); a
 * failure prints its seed and the request.
 */
import assert from 'node:assert/strict';
import { writeSync } from 'node:fs';
import { Agent } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { KubeObject } from '../../src/api/object.ts';
import { RegistryLog } from '../../streams/registry-log.ts';
import { eventually } from '../support/cluster.ts';
import { startHttpTestCluster, type HttpTestCluster } from '../support/http-cluster.ts';
import { httpsCall, type HttpsAnswer } from '../support/https-call.ts';

const NS = 'fuzz';
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() ^ (Math.random() * 0x7fffffff);
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);

let cluster: HttpTestCluster;
let log: RegistryLog;
let agent: Agent;
const seen = { requests: 0, refused: 0, byCode: new Map<number, number>() };

// ---- what a request is made of --------------------------------------------------------

type BodyKind =
  | { kind: 'none' }
  | { kind: 'text'; text: string }
  | { kind: 'json'; value: unknown }
  | { kind: 'truncated'; cut: number }
  | { kind: 'invalidUtf8' }
  | { kind: 'nested'; depth: number; shape: 'array' | 'object' | 'inObject' }
  | { kind: 'oversized'; bytes: number }
  | { kind: 'protobuf'; bytes: number[] }
  | { kind: 'protobufEnvelope'; typeMeta: [string, string]; raw: ProtoField[]; contentEncoding: string };

/** A protobuf field of any wire type, a length-delimited one possibly a message of its own. */
type ProtoField = { field: number; wire: 0 | 1 | 5; value: number } | { field: number; wire: 2; value: number[] | ProtoField[] };

interface FuzzRequest {
  method: string;
  path: string;
  query: string;
  contentType?: string;
  accept?: string;
  body: BodyKind;
}

const VALID_CONFIGMAP = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'made', namespace: NS }, data: { a: '1' } };

const PREFIXES = [
  '/api/v1',
  `/api/v1/namespaces/${NS}`,
  `/api/v1/namespaces/${NS}/configmaps`,
  `/api/v1/namespaces/${NS}/configmaps/target`,
  `/api/v1/namespaces/${NS}/pods/target`,
  `/api/v1/namespaces/${NS}/services`,
  `/api/v1/namespaces/${NS}/serviceaccounts/default`,
  `/apis/apps/v1/namespaces/${NS}/deployments/target`,
  `/apis/apps/v1/namespaces/${NS}/deployments/target/scale`,
  '/apis/apps/v1',
  `/apis/autoscaling/v1/namespaces/${NS}/horizontalpodautoscalers`,
  `/apis/autoscaling/v2/namespaces/${NS}/horizontalpodautoscalers`,
  '/apis/batch/v1',
  '/apis/rbac.authorization.k8s.io/v1',
  '/apis/authorization.k8s.io/v1',
  '/apis/nope.example.com/v1',
  '/apis/apps/v1beta9',
  '/api/v2',
  '/apis/apps',
  '/apis',
  '/api',
  '/api/v1/watch',
  `/api/v1/watch/namespaces/${NS}`,
  '/openapi/v3',
  '/openapi/v2',
  '/version',
  '/metrics',
  '/healthz',
  '/readyz',
  '/livez',
  '',
];

const JUNK_SEGMENTS = [
  'namespaces', NS, 'default', 'kube-system', 'pods', 'configmaps', 'secrets', 'services', 'deployments', 'nodes', 'serviceaccounts', 'target',
  'widgets', 'status', 'scale', 'log', 'exec', 'attach', 'portforward', 'proxy', 'binding', 'eviction', 'token', 'finalize', 'ephemeralcontainers', 'watch',
  '%ff', '%2e%2e', '%2F', '%00', '..', '.', 'UPPER', 'a'.repeat(300), 'a.'.repeat(130), '-leading', 'trailing-', '%E2%82%AC', '%C3%28', ';', '~', '*', "'", '%20', '%',
];

const segment = fc.oneof(
  { arbitrary: fc.constantFrom(...JUNK_SEGMENTS), weight: 4 },
  { arbitrary: fc.string({ maxLength: 20 }).map(encodeURIComponent), weight: 1 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }).map(encodeURIComponent), weight: 1 },
);

const path = fc
  .tuple(fc.constantFrom(...PREFIXES), fc.array(segment, { maxLength: 3 }), fc.constantFrom('', '', '', '/', '//'))
  .map(([prefix, segments, tail]) => `${prefix}${segments.map((s) => `/${s}`).join('')}${tail}` || '/');

const QUERY_KEYS = [
  'limit', 'continue', 'resourceVersion', 'resourceVersionMatch', 'watch', 'labelSelector', 'fieldSelector', 'timeoutSeconds', 'fieldManager', 'force',
  'dryRun', 'fieldValidation', 'propagationPolicy', 'gracePeriodSeconds', 'orphanDependents', 'includeObject', 'allowWatchBookmarks', 'sendInitialEvents',
  'pretty', 'follow', 'tailLines', 'limitBytes', 'container', 'previous', 'sinceSeconds', 'sinceTime', 'timestamps', 'exclude', 'verbose', 'hash',
];
const QUERY_VALUES = [
  '-1', '0', '1', 'abc', 'maybe', '', '1e9', '99999999999999999999', '9007199254740993', '0x10', ' 5', 'true', 'false', 'True', 'All', 'None', 'Strict',
  'Foreground', 'Sideways', 'NotOlderThan', 'Exact', 'a in (', 'a=b', 'a==b,c!=d', '!a', 'a,,b', 'a=b=c', 'x in (a,b', 'metadata.name=x', 'spec.nodeName=',
  'status.phase!=Running', 'metadata.nope=1', '!!', '=', ',', 'x'.repeat(1000), 'eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MTAsInN0YXJ0IjoiYVx1MDAwMCJ9',
  'bm90IGpzb24=', '%%%', 'Object', 'Metadata', '2024-13-45T99:99:99Z',
];
const query = fc.oneof(
  { arbitrary: fc.constant(''), weight: 2 },
  {
    arbitrary: fc
      .array(fc.tuple(fc.constantFrom(...QUERY_KEYS), fc.oneof({ arbitrary: fc.constantFrom(...QUERY_VALUES), weight: 4 }, { arbitrary: fc.string({ maxLength: 16 }), weight: 1 })), { minLength: 1, maxLength: 4 })
      .map((pairs) => `?${new URLSearchParams(pairs).toString()}`),
    weight: 6,
  },
  { arbitrary: fc.constantFrom('?%zz=%', '?&&&=', '?limit=1&limit=2', '?watch', '?=x', `?${'a=1&'.repeat(500)}`), weight: 1 },
);

const CONTENT_TYPES = [
  'application/json', 'application/yaml', 'application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json',
  'application/apply-patch+yaml', 'application/apply-patch+cbor', 'application/vnd.kubernetes.protobuf', 'application/cbor', 'text/plain', 'garbage', '/',
  'application/json; charset=utf-16', 'application/json;;;', 'multipart/form-data; boundary=x', '*/*',
];
const ACCEPTS = [
  'application/json', 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json', 'application/json;as=Table;v=v9;g=meta.k8s.io',
  'application/vnd.kubernetes.protobuf', 'application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io', 'text/html', '*/*', 'garbage', ',,,',
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList', 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io',
];

/** JSON values of the wrong shape where an object, a patch or DeleteOptions is expected. */
const WRONG_SHAPES: unknown[] = [
  [], [1, 2], 42, null, true, 'str', {},
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: null },
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'target' } },
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'made', namespace: 'default' } },
  { apiVersion: 'v9', kind: 'ConfigMap', metadata: { name: 'made' } },
  { apiVersion: 42, kind: ['ConfigMap'], metadata: { name: 'made' } },
  { ...VALID_CONFIGMAP, metadata: { name: 42 } },
  { ...VALID_CONFIGMAP, metadata: { name: 'made', labels: 'x' } },
  { ...VALID_CONFIGMAP, metadata: { name: 'made', labels: { 'bad key!': 'v', k: 5 } } },
  { ...VALID_CONFIGMAP, metadata: { name: 'made', annotations: [1] } },
  { ...VALID_CONFIGMAP, metadata: { name: 'made', namespace: {} } },
  { ...VALID_CONFIGMAP, metadata: { name: 'made', resourceVersion: 'abc' } },
  { ...VALID_CONFIGMAP, metadata: { name: 'made', resourceVersion: 7 } },
  { ...VALID_CONFIGMAP, metadata: { name: 'made', uid: 5, generation: 'x' } },
  { ...VALID_CONFIGMAP, metadata: { name: 'made', finalizers: 'x' } },
  { ...VALID_CONFIGMAP, metadata: { name: 'made', finalizers: [1, null] } },
  { ...VALID_CONFIGMAP, metadata: { name: 'made', ownerReferences: [{}] } },
  { ...VALID_CONFIGMAP, metadata: { name: 'made', ownerReferences: 'x' } },
  { ...VALID_CONFIGMAP, metadata: { name: 'made', managedFields: 'x' } },
  { ...VALID_CONFIGMAP, metadata: { name: 'made', managedFields: [{ manager: 1, fieldsV1: 'x' }] } },
  { ...VALID_CONFIGMAP, metadata: { name: 'made', creationTimestamp: 'yesterday', deletionTimestamp: 'x', deletionGracePeriodSeconds: -5 } },
  { ...VALID_CONFIGMAP, metadata: { generateName: 42 } },
  { ...VALID_CONFIGMAP, metadata: { generateName: 'x'.repeat(300) } },
  { ...VALID_CONFIGMAP, metadata: { name: 'made', __proto__: { polluted: true } } },
  JSON.parse('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"made"},"__proto__":{"polluted":true}}'),
  { ...VALID_CONFIGMAP, data: [] },
  { ...VALID_CONFIGMAP, data: { a: 1, b: null, c: {} } },
  { ...VALID_CONFIGMAP, binaryData: { a: 'not base64!' } },
  { ...VALID_CONFIGMAP, immutable: 'yes' },
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'made' }, spec: { containers: 'x' } },
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'made' }, spec: { containers: [{ name: 'c', image: 'i', resources: { limits: { cpu: 'lots' } }, ports: [{ containerPort: 'x' }] }] } },
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'made' }, spec: { containers: [{ name: 'c', image: 'i' }], volumes: [{ name: 'v' }], nodeName: 5, tolerations: {} } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'made' }, spec: { ports: [{ port: 99999999 }], clusterIP: 'not-an-ip', type: 'Weird' } },
  { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'made' }, spec: { replicas: 'many', selector: 'x', template: null } },
  { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: -1, audiences: 'x', boundObjectRef: { kind: 'Secret' } } },
  { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'target' }, target: { kind: 'Node', name: 5 } },
  { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'other' }, deleteOptions: 'x' },
  { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'target' }, spec: { replicas: -1 } },
  { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'target', resourceVersion: 'abc' }, spec: { replicas: 'x' } },
  { kind: 'DeleteOptions', gracePeriodSeconds: 'x', propagationPolicy: 'Sideways', preconditions: 'x', dryRun: 'All' },
  { kind: 'DeleteOptions', gracePeriodSeconds: 1.5, preconditions: { uid: 'not-the-uid', resourceVersion: 'abc' } },
  { kind: 'Pod', orphanDependents: 'x', dryRun: ['Nope'] },
  // JSON patches
  [{ op: 'explode' }],
  [{ op: 'add', path: 'no-slash', value: 1 }],
  [{ op: 'remove', path: '/metadata' }],
  [{ op: 'remove', path: '/nothing/here' }],
  [{ op: 'replace', path: '/metadata/name', value: 'other' }],
  [{ op: 'replace', path: '/metadata/uid', value: 'other' }],
  [{ op: 'replace', path: '/kind', value: 'Pod' }],
  [{ op: 'replace', path: '/apiVersion', value: 'v9' }],
  [{ op: 'move', from: '/data', path: '/data/a' }],
  [{ op: 'test', path: '/data/a', value: 'nope' }],
  [{ op: 'copy', from: '/metadata', path: '/data' }],
  [{ op: 'add', path: '/spec/template/spec/containers/99999999', value: {} }],
  [{ op: 'add', path: '/data/~2', value: 'x' }],
  [{ op: 'add', path: '/metadata/finalizers/-', value: 5 }],
  [{ op: 'add', path: '/__proto__/polluted', value: true }],
  [{ op: 'replace', path: '/spec/replicas', value: 'many' }],
  [{ op: 'add' }],
  [null, 1, 'x'],
  { op: 'add', path: '/a', value: 1 },
  // merge patches
  { metadata: { name: 'other' } },
  { metadata: { namespace: 'default' } },
  { metadata: { resourceVersion: 'abc' } },
  { metadata: { resourceVersion: '1' } },
  { metadata: { uid: 'other' } },
  { metadata: { labels: { 'bad key!': 'v' } } },
  { metadata: null },
  { spec: { replicas: 'many' } },
  { spec: { replicas: -3 } },
  { data: { a: 1 } },
  { status: { replicas: 'x' } },
  // strategic merge patches
  { $patch: 'explode' },
  { $patch: 'delete' },
  { spec: { template: { spec: { containers: [{ $patch: 'delete' }] } } } },
  { spec: { template: { spec: { containers: [{ name: 'c', $patch: 'explode' }] } } } },
  { spec: { template: { spec: { containers: 'x' } } } },
  { 'spec': { 'template': { 'spec': { '$setElementOrder/containers': 'x' } } } },
  { spec: { $retainKeys: 5 } },
  { metadata: { '$deleteFromPrimitiveList/finalizers': {} } },
  { metadata: { $patch: 'replace' } },
  { data: { $patch: 'replace', a: 1 } },
];

const TEXT_BODIES = [
  '',
  '   ',
  'apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: tabs\n',
  'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [unclosed\n',
  '---\n---\n',
  'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n',
  'a: &a [*a]\n',
  'a: !!binary not-base64\n',
  `a: ${'['.repeat(2000)}`,
  `a: ${'['.repeat(1500)}1${']'.repeat(1500)}`,
  `a: ${'{a: '.repeat(999)}1${'}'.repeat(999)}`,
  Array.from({ length: 1200 }, (_, i) => `${'  '.repeat(i)}a${i}:`).join('\n') + ' 1\n',
  // Billion laughs: aliases that expand exponentially.
  ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`)].join('\n'),
  'x: 1\nx: 2\n',
  '{"a":1,"a":2}',
  '{"apiVersion":"v1",}',
  '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"made"}} trailing',
  'NaN',
  '{"a":1e999999}',
  '\u0000\u0001\u0002',
  '\ufeff{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"bom"}}',
  '[{"op":"add","path":"/data/x","value":"y"}',
];

const { message: protoMessage } = fc.letrec<{ message: ProtoField[]; field: ProtoField }>((tie) => ({
  message: fc.array(tie('field'), { maxLength: 6 }),
  field: fc.oneof(
    { depthSize: 'small' },
    fc.record({ field: fc.integer({ min: 1, max: 20 }), wire: fc.constantFrom(0 as const, 1 as const, 5 as const), value: fc.integer({ min: 0, max: 2 ** 31 }) }),
    fc.record({ field: fc.integer({ min: 1, max: 20 }), wire: fc.constant(2 as const), value: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 12 }) }),
    fc.record({ field: fc.integer({ min: 1, max: 20 }), wire: fc.constant(2 as const), value: tie('message') as fc.Arbitrary<ProtoField[]> }),
  ),
}));

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  do {
    const low = v % 128;
    v = Math.floor(v / 128);
    out.push(v > 0 ? low | 0x80 : low);
  } while (v > 0);
  return out;
}

function encodeProto(fields: ProtoField[]): number[] {
  return fields.flatMap((f) => {
    const tag = varint(f.field * 8 + f.wire);
    if (f.wire !== 2) return f.wire === 0 ? [...tag, ...varint(f.value)] : [...tag, ...new Array<number>(f.wire === 1 ? 8 : 4).fill(f.value & 0xff)];
    const payload = f.value.length > 0 && typeof f.value[0] === 'object' ? encodeProto(f.value as ProtoField[]) : (f.value as number[]);
    return [...tag, ...varint(payload.length), ...payload];
  });
}

const protoString = (field: number, text: string) => {
  const bytes = [...Buffer.from(text)];
  return [...varint(field * 8 + 2), ...varint(bytes.length), ...bytes];
};

/** A well-formed envelope around a kind (known or not) and a random message, well-formed protobuf or not. */
const protobufEnvelope: fc.Arbitrary<BodyKind> = fc
  .record({
    typeMeta: fc.constantFrom<[string, string]>(['v1', 'ConfigMap'], ['v1', 'Namespace'], ['v1', 'Service'], ['v1', 'Secret'], ['apps/v1', 'Deployment'], ['batch/v1', 'Job'], ['v1', 'Binding'], ['v1', 'Pod'], ['', ''], ['v1', 'x'.repeat(300)]),
    raw: protoMessage,
    contentEncoding: fc.constantFrom('', '', '', '', 'gzip', 'junk'),
  })
  .map((e): BodyKind => ({ kind: 'protobufEnvelope', ...e }));

const body: fc.Arbitrary<BodyKind> = fc.oneof(
  { arbitrary: fc.constant<BodyKind>({ kind: 'none' }), weight: 2 },
  { arbitrary: fc.constantFrom(...TEXT_BODIES).map((text): BodyKind => ({ kind: 'text', text })), weight: 3 },
  { arbitrary: fc.constantFrom(...WRONG_SHAPES).map((value): BodyKind => ({ kind: 'json', value })), weight: 8 },
  { arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value): BodyKind => ({ kind: 'json', value })), weight: 2 },
  {
    arbitrary: fc.record({ path: fc.constantFrom('metadata', 'data', 'spec', 'status', 'kind', 'apiVersion', 'metadata.name', 'metadata.labels', 'data.a'), value: fc.jsonValue({ maxDepth: 2 }) }).map(
      ({ path, value }): BodyKind => ({ kind: 'json', value: setPath(structuredClone(VALID_CONFIGMAP), path, value) }),
    ),
    weight: 3,
  },
  { arbitrary: fc.integer({ min: 1, max: 80 }).map((cut): BodyKind => ({ kind: 'truncated', cut })), weight: 2 },
  { arbitrary: fc.constant<BodyKind>({ kind: 'invalidUtf8' }), weight: 1 },
  {
    arbitrary: fc.record({ depth: fc.constantFrom(100, 998, 999, 1000, 1001, 10_000, 100_000), shape: fc.constantFrom('array' as const, 'object' as const, 'inObject' as const) }).map(
      ({ depth, shape }): BodyKind => ({ kind: 'nested', depth, shape }),
    ),
    weight: 2,
  },
  { arbitrary: fc.constantFrom(1024 * 1024 + 10, 1536 * 1024 + 10, 3 * 1024 * 1024 + 1, 4 * 1024 * 1024).map((bytes): BodyKind => ({ kind: 'oversized', bytes })), weight: 1 },
  { arbitrary: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 40 }).map((bytes): BodyKind => ({ kind: 'protobuf', bytes })), weight: 1 },
  { arbitrary: protobufEnvelope, weight: 2 },
);

function setPath(object: Record<string, unknown>, dotted: string, value: unknown): Record<string, unknown> {
  const keys = dotted.split('.');
  let at: Record<string, unknown> = object;
  for (const key of keys.slice(0, -1)) {
    if (typeof at[key] !== 'object' || at[key] === null) at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
  at[keys.at(-1)!] = value;
  return object;
}

function materialize(b: BodyKind): string | Buffer | undefined {
  switch (b.kind) {
    case 'none':
      return undefined;
    case 'text':
      return b.text;
    case 'json':
      return JSON.stringify(b.value) ?? 'undefined';
    case 'truncated':
      return JSON.stringify(VALID_CONFIGMAP).slice(0, b.cut);
    case 'invalidUtf8':
      return Buffer.concat([Buffer.from('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"'), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]), Buffer.from('"},"data":{"k":"\xff"}}', 'latin1')]);
    case 'nested': {
      const open = b.shape === 'array' ? '[' : '{"a":';
      const close = b.shape === 'array' ? ']' : '}';
      const deep = `${open.repeat(b.depth)}1${close.repeat(b.depth)}`;
      return b.shape === 'inObject' ? `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep","annotations":{"a":"x"}},"data":{"a":"1"},"extra":${deep}}` : deep;
    }
    case 'oversized':
      return `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big"},"data":{"a":"${'x'.repeat(b.bytes)}"}}`;
    case 'protobuf':
      return Buffer.concat([Buffer.from('k8s\0'), Buffer.from(b.bytes)]);
    case 'protobufEnvelope': {
      const typeMeta = [...protoString(1, b.typeMeta[0]), ...protoString(2, b.typeMeta[1])];
      const raw = encodeProto(b.raw);
      const envelope = [...varint(1 * 8 + 2), ...varint(typeMeta.length), ...typeMeta, ...varint(2 * 8 + 2), ...varint(raw.length), ...raw, ...(b.contentEncoding ? protoString(3, b.contentEncoding) : [])];
      return Buffer.concat([Buffer.from('k8s\0'), Buffer.from(envelope)]);
    }
  }
}

/** Valid objects of the kinds the targets take, for mutation: one wrong field deep inside an otherwise good body. */
const BASES: Record<string, Record<string, unknown>> = {
  configmap: VALID_CONFIGMAP,
  pod: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'made', namespace: NS }, spec: { containers: [{ name: 'c', image: 'busybox', ports: [{ containerPort: 80 }] }] } },
  service: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'made', namespace: NS }, spec: { selector: { app: 'a' }, ports: [{ port: 80, targetPort: 8080 }] } },
  deployment: {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'made', namespace: NS },
    spec: { replicas: 1, selector: { matchLabels: { app: 'm' } }, template: { metadata: { labels: { app: 'm' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
  },
  namespace: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'made' } },
  binding: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'target', namespace: NS }, target: { apiVersion: 'v1', kind: 'Node', name: 'nowhere' } },
  eviction: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'target', namespace: NS }, deleteOptions: { dryRun: ['All'] } },
  token: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: ['a'], expirationSeconds: 600 } },
  review: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: 'get', resource: 'pods', namespace: NS } } },
  sar: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: 'u', resourceAttributes: { verb: 'get', resource: 'pods' } } },
  clusterrole: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'made' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] },
  scale: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'target', namespace: NS }, spec: { replicas: 2 } },
  finalize: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS }, spec: { finalizers: ['kubernetes'] } },
  hpa: {
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'made', namespace: NS },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'target' }, minReplicas: 1, maxReplicas: 3, targetCPUUtilizationPercentage: 50 },
  },
  deleteOptions: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' },
};

const TARGETS: { method: string; path: string; base: keyof typeof BASES; query?: string }[] = [
  { method: 'POST', path: `/api/v1/namespaces/${NS}/configmaps`, base: 'configmap' },
  { method: 'POST', path: `/api/v1/namespaces/${NS}/pods`, base: 'pod' },
  { method: 'POST', path: `/api/v1/namespaces/${NS}/services`, base: 'service' },
  { method: 'POST', path: `/apis/apps/v1/namespaces/${NS}/deployments`, base: 'deployment' },
  { method: 'POST', path: '/api/v1/namespaces', base: 'namespace' },
  { method: 'POST', path: `/api/v1/namespaces/${NS}/pods/target/binding`, base: 'binding' },
  { method: 'POST', path: `/api/v1/namespaces/${NS}/pods/target/eviction`, base: 'eviction' },
  { method: 'POST', path: `/api/v1/namespaces/${NS}/serviceaccounts/default/token`, base: 'token' },
  { method: 'POST', path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', base: 'review' },
  { method: 'POST', path: '/apis/authorization.k8s.io/v1/subjectaccessreviews', base: 'sar' },
  { method: 'POST', path: '/apis/rbac.authorization.k8s.io/v1/clusterroles', base: 'clusterrole' },
  { method: 'POST', path: `/apis/autoscaling/v1/namespaces/${NS}/horizontalpodautoscalers`, base: 'hpa' },
  { method: 'PUT', path: `/api/v1/namespaces/${NS}/configmaps/target`, base: 'configmap' },
  { method: 'PUT', path: `/api/v1/namespaces/${NS}/pods/target/status`, base: 'pod' },
  { method: 'PUT', path: `/apis/apps/v1/namespaces/${NS}/deployments/target`, base: 'deployment' },
  { method: 'PUT', path: `/apis/apps/v1/namespaces/${NS}/deployments/target/scale`, base: 'scale' },
  { method: 'PUT', path: `/api/v1/namespaces/${NS}/finalize`, base: 'finalize' },
  // Deletes as dry runs, so a DeleteOptions that happens to be good does not take the targets away.
  { method: 'DELETE', path: `/api/v1/namespaces/${NS}/configmaps/target`, base: 'deleteOptions', query: '?dryRun=All' },
  { method: 'DELETE', path: `/api/v1/namespaces/${NS}/pods`, base: 'deleteOptions', query: '?dryRun=All' },
];

/** A PUT's body names the object of its path (Kubernetes refuses a mismatch, which would hide the field under test). */
function named(object: Record<string, unknown>, target: { method: string; path: string }): Record<string, unknown> {
  const name = /\/(?:configmaps|pods|deployments)\/([^/]+)/.exec(target.path)?.[1];
  if (target.method === 'PUT' && name && typeof object.metadata === 'object') (object.metadata as Record<string, unknown>).name = name;
  return object;
}

const MUTATED_PATHS = [
  'metadata', 'metadata.name', 'metadata.namespace', 'metadata.labels', 'metadata.annotations', 'metadata.finalizers', 'metadata.ownerReferences',
  'metadata.resourceVersion', 'metadata.generateName', 'metadata.managedFields', 'spec', 'spec.replicas', 'spec.containers', 'spec.ports', 'spec.selector',
  'spec.template', 'spec.template.spec.containers', 'spec.resourceAttributes', 'spec.scaleTargetRef', 'spec.maxReplicas', 'spec.targetCPUUtilizationPercentage', 'spec.expirationSeconds', 'spec.finalizers', 'data', 'rules', 'target',
  'deleteOptions', 'status', 'kind', 'apiVersion', 'propagationPolicy', 'gracePeriodSeconds', 'preconditions', 'dryRun',
];

const targeted: fc.Arbitrary<FuzzRequest> = fc
  .record({
    target: fc.constantFrom(...TARGETS),
    contentType: fc.oneof({ arbitrary: fc.constant('application/json'), weight: 8 }, fc.constantFrom('application/yaml', 'application/vnd.kubernetes.protobuf', 'text/plain')),
    query: fc.oneof({ arbitrary: fc.constant(''), weight: 6 }, fc.constantFrom('?fieldValidation=Strict', '?fieldManager=fuzz', '?dryRun=All', '?fieldValidation=Nope', '?dryRun=Sometimes')),
    body: fc.oneof(
      { arbitrary: body, weight: 2 },
      {
        arbitrary: fc.record({ path: fc.constantFrom(...MUTATED_PATHS), value: fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom(null, '', -1, 'x'.repeat(300), [], {}, 1e308, 'ä')) }),
        weight: 3,
      },
    ),
  })
  .map(({ target, contentType, query, body: b }): FuzzRequest => ({
    method: target.method,
    path: target.path,
    query: `${target.query ?? ''}${query === '' ? '' : target.query ? `&${query.slice(1)}` : query}`,
    contentType,
    body: 'kind' in b ? b : { kind: 'json', value: setPath(named(structuredClone(BASES[target.base]!), target), b.path, b.value) },
  }));

const request: fc.Arbitrary<FuzzRequest> = fc.record(
  {
    method: fc.constantFrom('GET', 'GET', 'HEAD', 'POST', 'POST', 'PUT', 'PUT', 'PATCH', 'PATCH', 'PATCH', 'DELETE', 'OPTIONS'),
    path,
    query,
    contentType: fc.constantFrom(...CONTENT_TYPES),
    accept: fc.constantFrom(...ACCEPTS),
    body,
  },
  { requiredKeys: ['method', 'path', 'query', 'body'] },
);

// ---- the properties --------------------------------------------------------------------

const lastSeq = async () => (await log.bounds()).lastSeq;

function describeRequest(r: FuzzRequest): string {
  const b = materialize(r.body);
  const shown = b === undefined ? '(none)' : b.length > 300 ? `${b.slice(0, 300).toString()}... (${b.length} bytes)` : b.toString();
  return `${r.method} ${r.path}${r.query} content-type=${r.contentType ?? '-'} accept=${r.accept ?? '-'} body=${shown}`;
}

async function send(r: FuzzRequest): Promise<HttpsAnswer> {
  const payload = materialize(r.body);
  const headers: Record<string, string> = {};
  if (r.contentType !== undefined) headers['content-type'] = r.contentType;
  if (r.accept !== undefined) headers.accept = r.accept;
  return httpsCall(cluster.url, r.method, `${r.path}${r.query}`, {
    ca: cluster.pki.caCert,
    cert: cluster.pki.adminCert,
    key: cluster.pki.adminKey,
    headers,
    ...(payload !== undefined ? { body: payload } : {}),
    // Watches and log follows that happen to be valid stream forever: their headers are the answer.
    cutSuccess: true,
    agent,
    timeoutMs: 15_000,
  });
}

/** The health checks answer in text (as kube-apiserver's do), errors included. */
const isHealthPath = (p: string) => /^\/(healthz|livez|readyz)(\/|$)/.test(p);

async function checkOne(r: FuzzRequest): Promise<void> {
  // FUZZ_TRACE=1: each request on stderr before it is sent, for a crash that takes the process down.
  if (process.env.FUZZ_TRACE) writeSync(2, `fuzz> ${describeRequest(r)}\n`);
  const before = await lastSeq();
  let answer: HttpsAnswer;
  try {
    answer = await send(r);
  } catch (error) {
    assert.fail(`no answer (${(error as Error).message})`);
  }
  if (process.env.FUZZ_TRACE) writeSync(2, `fuzz< ${answer.code} ${answer.text().slice(0, 160)}\n`);
  seen.requests++;
  seen.byCode.set(answer.code, (seen.byCode.get(answer.code) ?? 0) + 1);
  assert.ok(answer.code >= 200 && answer.code < 500, `answered ${answer.code}: ${answer.text().slice(0, 500)}`);
  if (answer.code < 400) return;
  seen.refused++;
  if (r.method !== 'HEAD' && !isHealthPath(r.path)) {
    let status: { kind?: string; apiVersion?: string; code?: number; status?: string };
    try {
      status = JSON.parse(answer.text());
    } catch {
      assert.fail(`a ${answer.code} whose body is not JSON: ${answer.text().slice(0, 300)}`);
    }
    assert.deepEqual([status.kind, status.apiVersion, status.code, status.status], ['Status', 'v1', answer.code, 'Failure'], `the ${answer.code}'s body: ${answer.text().slice(0, 300)}`);
    assert.match(String(answer.headers['content-type']), /^application\/json/);
  }
  assert.equal(await lastSeq(), before, `a refused request (${answer.code}: ${answer.text().slice(0, 200)}) wrote to the log`);
}

async function runProperty(name: string, arbitrary: fc.Arbitrary<FuzzRequest>, numRuns: number): Promise<void> {
  const seed = SEED ^ [...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) | 0, 0);
  const result = await fc.check(
    fc.asyncProperty(arbitrary, async (r) => {
      try {
        await checkOne(r);
      } catch (error) {
        throw new Error(`${(error as Error).message}\n  request: ${describeRequest(r)}`, { cause: error });
      }
    }),
    { seed, numRuns, endOnFailure: false, interruptAfterTimeLimit: 20_000 },
  );
  if (result.failed) {
    const detail = fc.defaultReportMessage(result);
    assert.fail(`${name}: FUZZ_SEED=${SEED} (property seed ${seed}) failed:\n${detail ?? ''}\n${String((result.errorInstance as Error | undefined)?.message ?? '')}`);
  }
}

before(async () => {
  cluster = await startHttpTestCluster();
  log = new RegistryLog(cluster.client.nc);
  agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const port = Number(new URL(cluster.url).port);
  // The face's own start-up writes (bootstrap policy, the kubernetes Service) are done before the fuzz.
  await eventually(
    async () => {
      const slice = await cluster.client.get('endpointslices.discovery.k8s.io', 'default', 'kubernetes').catch(() => undefined);
      return (slice as (KubeObject & { ports?: { port: number }[] }) | undefined)?.ports?.[0]?.port === port;
    },
    15_000,
    'the kubernetes EndpointSlice',
  );
  await cluster.client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  await cluster.client.create('serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: NS } });
  await cluster.client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'target', namespace: NS }, data: { a: '1' } });
  await cluster.client.create('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'target', namespace: NS }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  await cluster.client.create('deployments.apps', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'target', namespace: NS },
    spec: { replicas: 1, selector: { matchLabels: { app: 'target' } }, template: { metadata: { labels: { app: 'target' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
  });
});

after(async () => {
  agent?.destroy();
  await cluster?.dispose();
  process.stderr.write(`http fuzz: seed ${SEED}, ${seen.requests} requests, ${seen.refused} refused, codes ${JSON.stringify(Object.fromEntries([...seen.byCode].sort((a, b) => a[0] - b[0])))}\n`);
});

describe('the HTTPS face under malformed requests', { timeout: 120_000 }, () => {
  it('answers junk paths, methods and query parameters with a Status, never a 5xx, writing nothing', async () => {
    const noBody = fc.record({ method: fc.constantFrom('GET', 'HEAD', 'DELETE', 'OPTIONS'), path, query, accept: fc.constantFrom(...ACCEPTS), body: fc.constant<BodyKind>({ kind: 'none' }) }, { requiredKeys: ['method', 'path', 'query', 'body'] });
    await runProperty('paths', noBody, RUNS);
  });

  it('answers malformed bodies of every media type with a Status, never a 5xx, writing nothing it refused', async () => {
    await runProperty('bodies', request, RUNS * 2);
  });

  it('answers near-valid writes (one field wrong, or a bad body) to real targets the same way', async () => {
    await runProperty('targeted', targeted, RUNS * 2);
  });

  it('answers protobuf bodies, well-formed envelopes around random messages, the same way', async () => {
    const protobuf = fc
      .record({ target: fc.constantFrom(...TARGETS.filter((t) => t.method !== 'DELETE')), body: protobufEnvelope })
      .map(({ target, body: b }): FuzzRequest => ({ method: target.method, path: target.path, query: target.query ?? '', contentType: 'application/vnd.kubernetes.protobuf', body: b }));
    await runProperty('protobuf', protobuf, RUNS);
  });

  it('answers garbage patches of every patch type on existing objects the same way', async () => {
    const patch = fc.record({
      method: fc.constant('PATCH'),
      path: fc.constantFrom(`/api/v1/namespaces/${NS}/configmaps/target`, `/api/v1/namespaces/${NS}/pods/target`, `/api/v1/namespaces/${NS}/pods/target/status`, `/apis/apps/v1/namespaces/${NS}/deployments/target`, `/apis/apps/v1/namespaces/${NS}/deployments/target/scale`, `/apis/apps/v1/namespaces/${NS}/deployments/target/status`, `/api/v1/namespaces/${NS}`),
      query: fc.constantFrom('', '?fieldManager=fuzz', '?fieldManager=fuzz&force=true', '?dryRun=All', '?fieldValidation=Strict', '?fieldManager=' + 'm'.repeat(200)),
      contentType: fc.constantFrom('application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'),
      body,
    });
    await runProperty('patches', patch, RUNS);
  });

  it('survives clients that hang up mid-body, mid-headers or mid-watch', async () => {
    const before = await lastSeq();
    const hangUps = [
      `POST /api/v1/namespaces/${NS}/configmaps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"apiVersion":"v1",`,
      `PATCH /api/v1/namespaces/${NS}/configmaps/target HTTP/1.1\r\nHost: x\r\nContent-Type: application/merge-patch+json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"dat`,
      `GET /api/v1/namespaces/${NS}/configmaps HTTP/1.1\r\nHost: x\r\nAccept: appl`,
      `GET /api/v1/namespaces/${NS}/configmaps?watch=true HTTP/1.1\r\nHost: x\r\n\r\n`,
    ];
    for (const text of hangUps) {
      await new Promise<void>((resolve, reject) => {
        const socket = tlsConnect({ host: '127.0.0.1', port: Number(new URL(cluster.url).port), ca: cluster.pki.caCert, cert: cluster.pki.adminCert, key: cluster.pki.adminKey, servername: 'localhost' }, () => {
          socket.write(text, () => {
            // Long enough for the server to be mid-read (or mid-watch), then gone.
            setImmediate(() => {
              socket.destroy();
              resolve();
            });
          });
        });
        socket.on('error', reject);
      });
    }
    const list = await httpsCall(cluster.url, 'GET', `/api/v1/namespaces/${NS}/configmaps`, { ca: cluster.pki.caCert, cert: cluster.pki.adminCert, key: cluster.pki.adminKey });
    assert.equal(list.code, 200, list.text());
    assert.equal(await lastSeq(), before, 'a request cut short wrote nothing');
  });

  it('still serves afterwards: the API server is up and answers reads and writes', async () => {
    assert.ok(seen.requests >= RUNS, `only ${seen.requests} requests were made`);
    assert.ok(seen.refused > seen.requests / 2, `most fuzzed requests should be refused: ${seen.refused} of ${seen.requests}`);
    assert.ok(cluster.apiserver.getSnapshot().matches({ online: 'serving' }), 'the API server machine is still serving');
    const ready = await httpsCall(cluster.url, 'GET', '/readyz', { ca: cluster.pki.caCert });
    assert.deepEqual([ready.code, ready.text()], [200, 'ok']);
    // In a namespace of its own: the fuzz may well have deleted its own.
    await cluster.client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'after-fuzz' } });
    const created = await httpsCall(cluster.url, 'POST', '/api/v1/namespaces/after-fuzz/configmaps', {
      ca: cluster.pki.caCert,
      cert: cluster.pki.adminCert,
      key: cluster.pki.adminKey,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'after-fuzz-' }, data: { ok: 'yes' } }),
    });
    assert.equal(created.code, 201, created.text());
    const got = await cluster.client.get('configmaps', 'after-fuzz', created.json().metadata.name);
    assert.deepEqual(got.data, { ok: 'yes' });
  });
});
