/**
 * One API request and its answer, independent of the face it came through. The NATS face
 * carries these as msgpack; the HTTP face (a later issue) parses URLs into the same shape,
 * so both run one pipeline.
 */
import type { Status } from '../api/errors.ts';
import type { KubeObject } from '../api/object.ts';
import type { UserInfo } from '../auth/attributes.ts';

/**
 * The subresources the pipeline itself serves (scale is served by the HTTP face over get
 * and patch; log is read from the LOGS stream). binding and eviction are creates.
 */
export type Subresource = UpdateSubresource | CreateSubresource;
/** Subresources written by update and patch. */
export type UpdateSubresource = 'status' | 'finalize';
/** Subresources written by create: a Binding or an Eviction posted to a pod. */
export type CreateSubresource = 'binding' | 'eviction' | 'token';

export type Verb = 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection' | 'watch';

export const VERBS: readonly Verb[] = ['get', 'list', 'create', 'update', 'patch', 'delete', 'deletecollection', 'watch'];

/** JSON merge patch, JSON patch, strategic merge patch (kubectl's default), or server-side apply. */
export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface RequestOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  dryRun?: boolean;
  fieldValidation?: FieldValidation;
  propagationPolicy?: PropagationPolicy;
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  /** Who writes, for managedFields: required for apply; otherwise defaulted (user agent). */
  fieldManager?: string;
  /** Server-side apply takes fields owned by other managers instead of failing with a 409. */
  force?: boolean;
}

export interface ApiRequest {
  verb: Verb;
  /** The registry key of the resource: "pods", "deployments.apps". */
  resource: string;
  /** status writes only .status; finalize (namespaces, update only) may move spec.finalizers. */
  subresource?: Subresource;
  namespace?: string;
  name?: string;
  /** The object (create, update) or the patch document (patch). */
  body?: unknown;
  patchType?: PatchType;
  options?: RequestOptions;
  /** Same id on every retry of one logical write, so the log applies it once. */
  requestId?: string;
  /**
   * Who asks; RBAC then decides. The HTTP face sets the user it authenticated, the NATS
   * face the one its subject names (src/auth/nats-identity.ts). Only the API server's own
   * loopback requests and an open NATS server's anonymous ones come without one: trusted.
   */
  user?: UserInfo;
}

export interface ObjectList {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: KubeObject[];
}

/** 200 unless said otherwise: 201 for a created object, 202 for a delete that only marked it. */
export type SuccessCode = 200 | 201 | 202;

export type ApiReply =
  | { ok: true; body: KubeObject | ObjectList; code?: SuccessCode; warnings?: string[] }
  | { ok: false; status: Status };

export type WatchEventKind = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** A watch event as Kubernetes sends it; ERROR carries a Status (410 Expired tells the client to re-list). */
export interface WatchEvent {
  type: WatchEventKind;
  object: KubeObject | Status;
}

/** A running watch as the pipeline hands it to a face. */
export interface WatchSession {
  stop(): void;
}
