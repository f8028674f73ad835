/**
 * The pipeline behind API Priority and Fairness: each request is classified
 * (classify.ts); workload requests take a seat of the API server's FairDispatcher before
 * they run, and a flow whose queue is full gets 429 TooManyRequests with Retry-After, as
 * kube-apiserver answers. Watches are long-running and never take a seat (as in
 * Kubernetes). Both faces serve this pipeline, inside the audit wrapper, so a 429 is
 * audited like any refusal.
 *
 * Which connection sent a request is known only to the NATS face; it notes it beside the
 * request object (never in it: no caller can forge another's flow).
 */
import { StatusError } from '../../api/errors.ts';
import type { Pipeline } from '../pipeline.ts';
import type { ApiReply, ApiRequest } from '../request.ts';
import { classifyRequest, type Classification } from './classify.ts';
import type { FairDispatcher } from './fair-dispatcher.ts';

const connections = new WeakMap<ApiRequest, string>();

/** The NATS face: this request came over that connection (its reply inbox's prefix). */
export function noteConnection(request: ApiRequest, connection: string): void {
  connections.set(request, connection);
}

export function connectionOf(request: ApiRequest): string | undefined {
  return connections.get(request);
}

export const RETRY_AFTER_SECONDS = 1;

export function tooManyRequests(): StatusError {
  return new StatusError(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds: RETRY_AFTER_SECONDS });
}

export interface FlowControlHooks {
  rejected?(classification: Classification): void;
}

export function flowControlledPipeline(pipeline: Pipeline, dispatcher: FairDispatcher, hooks: FlowControlHooks = {}): Pipeline {
  return {
    async handle(request: ApiRequest): Promise<ApiReply> {
      const classification = classifyRequest(request, connectionOf(request));
      if (classification.level !== 'workload') return pipeline.handle(request);
      const seat = dispatcher.acquire(classification.flow);
      if (!seat) {
        hooks.rejected?.(classification);
        return { ok: false, status: tooManyRequests().toStatus() };
      }
      const release = await seat;
      try {
        return await pipeline.handle(request);
      } finally {
        release();
      }
    },
    watch: (request, send, ended) => pipeline.watch(request, send, ended),
  };
}
