/**
 * The HTTP face's part of auditing: where a request came from (X-Forwarded-For, then the
 * peer address, as kube-apiserver lists sourceIPs), its user agent and URI, and the
 * record of a write refused before the pipeline for want of valid credentials (401).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { resourceFor } from '../api/registry.ts';
import type { Route } from '../http/route.ts';
import { rejectedEvent, writeVerbOf, type AuditObjectRef } from './event.ts';
import type { FaceOrigin } from './origin.ts';
import type { AuditSink } from './writer.ts';

export interface Arrival {
  at: Date;
  perf: number;
}

export const arrivalNow = (): Arrival => ({ at: new Date(), perf: performance.now() });

export function httpOrigin(req: IncomingMessage, arrived: Arrival): FaceOrigin {
  const sourceIPs: string[] = [];
  const forwarded = req.headers['x-forwarded-for'];
  for (const part of (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',')) {
    const ip = part.trim();
    if (ip && !sourceIPs.includes(ip)) sourceIPs.push(ip);
  }
  const peer = req.socket?.remoteAddress;
  if (peer && !sourceIPs.includes(peer)) sourceIPs.push(peer);
  const userAgent = req.headers['user-agent'];
  return {
    receivedAt: arrived.at,
    receivedPerf: arrived.perf,
    ...(sourceIPs.length ? { sourceIPs } : {}),
    ...(userAgent ? { userAgent } : {}),
    ...(req.url ? { requestURI: req.url } : {}),
  };
}

/** A write on a resource path without valid credentials: audited with an empty user. Reads are not. */
export function auditUnauthenticated(sink: AuditSink, req: IncomingMessage, route: Route, arrived: Arrival): void {
  if (route.kind !== 'resource') return;
  const verb = writeVerbOf(req.method ?? 'GET', route.name !== undefined);
  if (!verb) return;
  const rt = resourceFor(route.group, route.version, route.plural);
  const objectRef: AuditObjectRef = { resource: route.plural, apiGroup: route.group, apiVersion: route.version };
  if (route.subresource) objectRef.subresource = route.subresource;
  if (route.namespace) objectRef.namespace = route.namespace;
  if (route.name) objectRef.name = route.name;
  const event = rejectedEvent({
    auditID: randomUUID(),
    verb,
    objectRef,
    code: 401,
    reason: 'Unauthorized',
    message: 'Unauthorized',
    receivedAt: arrived.at,
    completedAt: new Date(),
    origin: httpOrigin(req, arrived),
  });
  sink.record(event, rt?.key ?? route.plural);
}
