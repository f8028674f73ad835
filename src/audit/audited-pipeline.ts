/**
 * The pipeline with every write audited: create, update, patch, delete and
 * deletecollection, allowed or refused (403 by RBAC, 4xx from admission and validation,
 * 409 conflicts, 5xx), each one record when its answer is known. Reads and watches pass
 * through untouched, at no cost. The record goes to the sink, which never blocks: the
 * answer is returned to the caller whatever becomes of its audit record.
 *
 * A face wraps the pipeline it serves; the HTTP face also notes each request's origin
 * (src/audit/origin.ts), so its records carry source IPs, user agent and arrival time.
 */
import { randomUUID } from 'node:crypto';
import type { Pipeline } from '../apiserver/pipeline.ts';
import type { ApiReply, ApiRequest } from '../apiserver/request.ts';
import type { Logger } from '../log.ts';
import { resourceByKey } from '../api/registry.ts';
import { NATS_USER, auditEvent, isAuditedVerb } from './event.ts';
import { RECORD_EVERY_WRITE, auditLevel, type AuditAttributes, type AuditPolicy } from './policy.ts';
import { originOf } from './origin.ts';
import type { AuditSink } from './writer.ts';

export interface AuditedPipelineOptions {
  newAuditId?: () => string;
  now?: () => Date;
  logger?: Logger;
  /** Which writes are recorded (default: every one, at Metadata). */
  policy?: AuditPolicy;
}

/** The policy's view of a request: who, which verb, on what. */
export function auditAttributes(request: ApiRequest): AuditAttributes {
  const rt = resourceByKey(request.resource);
  return {
    user: request.user?.name ?? NATS_USER,
    groups: request.user?.groups ?? [NATS_USER],
    verb: request.verb,
    apiGroup: rt?.group ?? '',
    resource: rt?.plural ?? request.resource,
    ...(request.subresource ? { subresource: request.subresource } : {}),
    namespace: request.namespace ?? '',
    ...(request.name ? { name: request.name } : {}),
  };
}

export function auditedPipeline(pipeline: Pipeline, sink: AuditSink, options: AuditedPipelineOptions = {}): Pipeline {
  const newAuditId = options.newAuditId ?? randomUUID;
  const now = options.now ?? (() => new Date());
  const policy = options.policy ?? RECORD_EVERY_WRITE;
  // The default keeps every write: no attributes to build on each one.
  const recorded = (request: ApiRequest) => policy === RECORD_EVERY_WRITE || auditLevel(policy, auditAttributes(request)) !== 'None';

  const emit = (request: ApiRequest, outcome: { reply: ApiReply } | { error: unknown }, receivedAt: Date, startedPerf: number) => {
    try {
      const origin = originOf(request);
      const event = auditEvent({
        auditID: newAuditId(),
        request,
        outcome,
        receivedAt: origin?.receivedAt ?? receivedAt,
        completedAt: now(),
        latencyMs: performance.now() - (origin?.receivedPerf ?? startedPerf),
        ...(origin ? { origin } : {}),
      });
      sink.record(event, request.resource);
    } catch (error) {
      // An audit record that cannot be built must not turn an answered write into a failure.
      options.logger?.error({ err: error, verb: request.verb, resource: request.resource }, 'could not audit a request');
    }
  };

  return {
    async handle(request) {
      if (!isAuditedVerb(request.verb) || !recorded(request)) return pipeline.handle(request);
      const receivedAt = now();
      const startedPerf = performance.now();
      let reply: ApiReply;
      try {
        reply = await pipeline.handle(request);
      } catch (error) {
        emit(request, { error }, receivedAt, startedPerf);
        throw error;
      }
      emit(request, { reply }, receivedAt, startedPerf);
      return reply;
    },
    watch: (request, send, ended) => pipeline.watch(request, send, ended),
  };
}
