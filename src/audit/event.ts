/**
 * One audit record, as audit.k8s.io/v1 Event at level Metadata and stage ResponseComplete
 * (who did which write to what, and how it ended), plus jetkube's `latencyMs`. Built by a
 * pure function from the request, the answer (or the error) and the two timestamps, so the
 * same request always yields the same record; ids and clocks are arguments.
 *
 * Only writes are audited: create, update, patch, delete, deletecollection (Kubernetes'
 * default policies log reads at level None or not at all, and reads carry most traffic).
 */
import { toStatusError } from '../api/errors.ts';
import { resourceByKey } from '../api/registry.ts';
import type { ApiReply, ApiRequest, Verb } from '../apiserver/request.ts';
import type { UserInfo } from '../auth/attributes.ts';

export const AUDITED_VERBS: ReadonlySet<Verb> = new Set<Verb>(['create', 'update', 'patch', 'delete', 'deletecollection']);

export const isAuditedVerb = (verb: string): boolean => AUDITED_VERBS.has(verb as Verb);

/**
 * Who the NATS face's trusted callers are in the record: the API server's own loopback
 * requests, and anonymous ones on an open (test) server. The components each have a NATS
 * user, which the face maps to their Kubernetes user (src/auth/nats-identity.ts): their
 * records name that.
 */
export const NATS_USER = 'system:nats';

/** A Status message longer than this is cut (a 422 can list many fields). */
const MAX_MESSAGE = 1024;

export interface AuditUser {
  /** Empty when authentication failed (Kubernetes records `user: {}` then). */
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface AuditObjectRef {
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  apiGroup?: string;
  apiVersion?: string;
  /** The revision the write stored (the answer's resourceVersion): `replay history` names the user by it. */
  resourceVersion?: string;
}

export interface AuditResponseStatus {
  code: number;
  status?: 'Success' | 'Failure';
  reason?: string;
  message?: string;
}

export interface AuditEvent {
  kind: 'Event';
  apiVersion: 'audit.k8s.io/v1';
  level: 'Metadata';
  auditID: string;
  stage: 'ResponseComplete';
  requestURI?: string;
  verb: string;
  user: AuditUser;
  sourceIPs?: string[];
  userAgent?: string;
  objectRef?: AuditObjectRef;
  responseStatus: AuditResponseStatus;
  /** RFC 3339 with microseconds, as Kubernetes' MicroTime. */
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  /** jetkube: stageTimestamp - requestReceivedTimestamp, in milliseconds (sub-ms precision). */
  latencyMs: number;
}

/** What only the face that received the request knows. */
export interface RequestOrigin {
  sourceIPs?: string[];
  userAgent?: string;
  requestURI?: string;
}

export interface AuditInput {
  auditID: string;
  request: ApiRequest;
  /** The pipeline's answer, or what it threw. */
  outcome: { reply: ApiReply } | { error: unknown };
  receivedAt: Date;
  completedAt: Date;
  /** performance.now() difference when known (finer than the two Dates). */
  latencyMs?: number;
  origin?: RequestOrigin;
}

export function auditEvent(input: AuditInput): AuditEvent {
  const { request, origin } = input;
  const latencyMs = input.latencyMs ?? input.completedAt.getTime() - input.receivedAt.getTime();
  // Over NATS (no origin) the field manager names the component, as a user agent would.
  const userAgent = origin ? origin.userAgent : request.options?.fieldManager;
  return {
    ...envelope(input.auditID, origin, userAgent),
    verb: request.verb,
    user: auditUser(request.user),
    objectRef: objectRef(request, 'reply' in input.outcome ? input.outcome.reply : undefined),
    responseStatus: responseStatus(input.outcome),
    requestReceivedTimestamp: microTime(input.receivedAt),
    stageTimestamp: microTime(input.completedAt),
    latencyMs: Math.round(latencyMs * 1000) / 1000,
  };
}

/**
 * A request turned away before it reached the pipeline: bad or missing credentials (401).
 * Kubernetes audits these too (failed authentication), with an empty user.
 */
export interface RejectedInput {
  auditID: string;
  verb: string;
  objectRef?: AuditObjectRef;
  code: number;
  reason: string;
  message: string;
  receivedAt: Date;
  completedAt: Date;
  origin?: RequestOrigin;
}

/** What every record starts with: the kind, level and stage, and where the request came from. */
function envelope(auditID: string, origin: RequestOrigin | undefined, userAgent: string | undefined) {
  return {
    kind: 'Event' as const,
    apiVersion: 'audit.k8s.io/v1' as const,
    level: 'Metadata' as const,
    auditID,
    stage: 'ResponseComplete' as const,
    ...(origin?.requestURI ? { requestURI: origin.requestURI } : {}),
    ...(origin?.sourceIPs?.length ? { sourceIPs: origin.sourceIPs } : {}),
    ...(userAgent ? { userAgent } : {}),
  };
}

export function rejectedEvent(input: RejectedInput): AuditEvent {
  const { origin } = input;
  return {
    ...envelope(input.auditID, origin, origin?.userAgent),
    verb: input.verb,
    user: {},
    ...(input.objectRef ? { objectRef: input.objectRef } : {}),
    responseStatus: { code: input.code, status: 'Failure', reason: input.reason, message: cut(input.message) },
    requestReceivedTimestamp: microTime(input.receivedAt),
    stageTimestamp: microTime(input.completedAt),
    latencyMs: input.completedAt.getTime() - input.receivedAt.getTime(),
  };
}

/** The HTTP method of a write on a resource path, as the verb Kubernetes records; undefined for reads. */
export function writeVerbOf(method: string, named: boolean): Verb | undefined {
  switch (method) {
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return undefined;
  }
}

function auditUser(user: UserInfo | undefined): AuditUser {
  if (!user) return { username: NATS_USER, groups: [NATS_USER] };
  return {
    username: user.name,
    ...(user.uid ? { uid: user.uid } : {}),
    groups: user.groups,
    ...(user.extra ? { extra: user.extra } : {}),
  };
}

function objectRef(request: ApiRequest, reply: ApiReply | undefined): AuditObjectRef {
  const rt = resourceByKey(request.resource);
  const ref: AuditObjectRef = { resource: rt?.plural ?? request.resource };
  if (request.subresource) ref.subresource = request.subresource;
  // A create names its object in the body (or gets a generated name): take it from the answer when there is one.
  const stored = reply?.ok && request.verb === 'create' && !request.subresource ? (reply.body as { metadata?: { name?: string; namespace?: string } }).metadata : undefined;
  const namespace = request.namespace ?? stored?.namespace;
  const name = request.name ?? stored?.name ?? (request.verb === 'create' ? bodyName(request.body) : undefined);
  if (namespace) ref.namespace = namespace;
  if (name) ref.name = name;
  if (rt) {
    ref.apiGroup = rt.group;
    ref.apiVersion = rt.version;
  }
  const written = reply?.ok ? (reply.body as { metadata?: { resourceVersion?: unknown } } | undefined)?.metadata?.resourceVersion : undefined;
  if (typeof written === 'string' && written !== '') ref.resourceVersion = written;
  return ref;
}

function bodyName(body: unknown): string | undefined {
  const metadata = (body as { metadata?: { name?: unknown } } | undefined)?.metadata;
  return typeof metadata?.name === 'string' && metadata.name !== '' ? metadata.name : undefined;
}

function responseStatus(outcome: AuditInput['outcome']): AuditResponseStatus {
  if ('reply' in outcome) {
    const { reply } = outcome;
    if (reply.ok) return { code: reply.code ?? 200 };
    const { code, reason, message } = reply.status;
    return { code, status: 'Failure', ...(reason ? { reason } : {}), ...(message ? { message: cut(message) } : {}) };
  }
  const error = toStatusError(outcome.error);
  return { code: error.code, status: 'Failure', reason: error.reason, message: cut(error.message) };
}

function cut(message: string): string {
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}…` : message;
}

/** RFC 3339 with microseconds ("2026-11-25T21:59:13.123000Z"), Kubernetes' MicroTime format. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
