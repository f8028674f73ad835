/**
 * What the face that received a request knows about where it came from (source address,
 * user agent, URI, arrival time) and the pipeline does not need: kept beside the request
 * object, not in it, so it never travels over NATS and no NATS caller can forge it. The
 * HTTP face notes it; the audit wrapper reads it for the same request object.
 */
import type { ApiRequest } from '../apiserver/request.ts';
import type { RequestOrigin } from './event.ts';

export interface FaceOrigin extends RequestOrigin {
  receivedAt: Date;
  /** performance.now() at arrival, for a latency finer than milliseconds. */
  receivedPerf: number;
}

const origins = new WeakMap<ApiRequest, FaceOrigin>();

export function noteOrigin(request: ApiRequest, origin: FaceOrigin): void {
  origins.set(request, origin);
}

export function originOf(request: ApiRequest): FaceOrigin | undefined {
  return origins.get(request);
}
