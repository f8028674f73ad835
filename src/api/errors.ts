/**
 * The error hierarchy of the API, one class per Kubernetes Status reason. Every failure
 * that reaches a client is one of these, so it always turns into a Status object with the
 * code and reason kubectl expects. Adapters translate foreign errors at the boundary.
 */
export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Expired'
  | 'Gone'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'RequestEntityTooLarge'
  | 'TooManyRequests'
  | 'Timeout'
  | 'ServiceUnavailable'
  | 'InternalError';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: StatusReason | string;
  details?: StatusDetails;
  code: number;
}

export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = `StatusError(${reason})`;
  }

  toStatus(): Status {
    const status: Status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) status.details = this.details;
    return status;
  }
}

/** "deployments.apps" for a grouped resource, "pods" for the core group, as Kubernetes prints them. */
export function qualifiedResource(resource: string, group: string): string {
  return group ? `${resource}.${group}` : resource;
}

export const badRequest = (message: string) => new StatusError(400, 'BadRequest', message);

export const unauthorized = (message = 'Unauthorized') => new StatusError(401, 'Unauthorized', message);

export const forbidden = (message: string, details?: StatusDetails) =>
  new StatusError(403, 'Forbidden', message, details);

export const notFound = (resource: string, group: string, name: string) =>
  new StatusError(404, 'NotFound', `${qualifiedResource(resource, group)} "${name}" not found`, {
    name,
    group: group || undefined,
    kind: resource,
  });

export const alreadyExists = (resource: string, group: string, name: string) =>
  new StatusError(409, 'AlreadyExists', `${qualifiedResource(resource, group)} "${name}" already exists`, {
    name,
    group: group || undefined,
    kind: resource,
  });

export const conflict = (resource: string, group: string, name: string, why: string) =>
  new StatusError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(resource, group)} "${name}": ${why}`,
    { name, group: group || undefined, kind: resource },
  );

export const STALE_OBJECT =
  'the object has been modified; please apply your changes to the latest version and try again';

export const expired = (message: string) => new StatusError(410, 'Expired', message);

export const methodNotAllowed = (message: string) => new StatusError(405, 'MethodNotAllowed', message);

export const unsupportedMediaType = (message: string) => new StatusError(415, 'UnsupportedMediaType', message);

export const entityTooLarge = (message: string) => new StatusError(413, 'RequestEntityTooLarge', message);

export const timeout = (message: string) => new StatusError(504, 'Timeout', message);

export const unavailable = (message: string) => new StatusError(503, 'ServiceUnavailable', message);

export const internalError = (message: string, cause?: unknown) =>
  new StatusError(500, 'InternalError', `Internal error occurred: ${message}`, undefined, { cause });

/** One field-level validation failure, as Kubernetes' field.Error. */
export interface FieldError {
  /** FieldValueRequired, FieldValueInvalid, FieldValueNotSupported, FieldValueDuplicate, FieldValueForbidden, FieldValueTooLong, FieldValueTypeInvalid */
  type: string;
  field: string;
  message: string;
}

/** 422 Invalid: `Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be ...`. */
export function invalid(kind: string, group: string, name: string, errors: FieldError[]): StatusError {
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  const summary = errors.map((e) => `${e.field}: ${e.message}`);
  const message =
    summary.length === 1
      ? `${qualifiedKind} "${name}" is invalid: ${summary[0]}`
      : `${qualifiedKind} "${name}" is invalid: [${summary.join(', ')}]`;
  return new StatusError(422, 'Invalid', message, {
    name,
    group: group || undefined,
    kind,
    causes: errors.map((e) => ({ reason: e.type, message: e.message, field: e.field })),
  });
}

/** Anything thrown that is not a StatusError becomes a 500, keeping the original as the cause. */
export function toStatusError(error: unknown): StatusError {
  if (error instanceof StatusError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return internalError(message, error);
}

export function isStatus(value: unknown): value is Status {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'Status';
}

/** Rebuilds the error a Status describes, e.g. on the client side of a transport. */
export function fromStatus(status: Status): StatusError {
  return new StatusError(status.code, (status.reason ?? 'InternalError') as StatusReason, status.message ?? '', status.details);
}
