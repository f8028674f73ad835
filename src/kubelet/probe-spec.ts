/**
 * A container's probe as the kubelet uses it: the handler and its timing, with
 * Kubernetes' defaults (period 10 s, timeout 1 s, success 1, failure 3; liveness and
 * startup must have successThreshold 1). Pure.
 */
import { isPlainObject } from '../api/object.ts';
import type { ProbeKind, ProbeThresholds } from './probe-tracker.ts';

export type ProbeHandler =
  | { type: 'exec'; command: string[] }
  | { type: 'httpGet'; host?: string; port: number | string; path: string; scheme: 'HTTP' | 'HTTPS'; headers: Array<{ name: string; value: string }> }
  | { type: 'tcpSocket'; host?: string; port: number | string };

export interface ProbeSpec extends ProbeThresholds {
  kind: ProbeKind;
  handler: ProbeHandler;
  initialDelayMs: number;
  periodMs: number;
  timeoutMs: number;
  /** probe.terminationGracePeriodSeconds, when set: the grace of a kill this probe causes. */
  terminationGraceMs?: number;
}

const FIELD: Record<ProbeKind, string> = { startup: 'startupProbe', liveness: 'livenessProbe', readiness: 'readinessProbe' };

const num = (value: unknown, fallback: number) => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);

export function probeSpec(container: Record<string, unknown>, kind: ProbeKind): ProbeSpec | undefined {
  const probe = container[FIELD[kind]];
  if (!isPlainObject(probe)) return undefined;
  const handler = probeHandler(probe);
  if (!handler) return undefined;
  const spec: ProbeSpec = {
    kind,
    handler,
    initialDelayMs: num(probe.initialDelaySeconds, 0) * 1000,
    periodMs: Math.max(1, num(probe.periodSeconds, 10)) * 1000,
    timeoutMs: Math.max(1, num(probe.timeoutSeconds, 1)) * 1000,
    successThreshold: kind === 'readiness' ? Math.max(1, num(probe.successThreshold, 1)) : 1,
    failureThreshold: Math.max(1, num(probe.failureThreshold, 3)),
  };
  if (typeof probe.terminationGracePeriodSeconds === 'number') spec.terminationGraceMs = probe.terminationGracePeriodSeconds * 1000;
  return spec;
}

function probeHandler(probe: Record<string, unknown>): ProbeHandler | undefined {
  if (isPlainObject(probe.exec)) {
    const command = Array.isArray(probe.exec.command) ? probe.exec.command.map(String) : [];
    return { type: 'exec', command };
  }
  if (isPlainObject(probe.httpGet)) {
    const h = probe.httpGet;
    const headers = Array.isArray(h.httpHeaders)
      ? h.httpHeaders.filter(isPlainObject).map((x) => ({ name: String(x.name ?? ''), value: String(x.value ?? '') }))
      : [];
    return {
      type: 'httpGet',
      ...(typeof h.host === 'string' && h.host ? { host: h.host } : {}),
      port: typeof h.port === 'number' || typeof h.port === 'string' ? h.port : 80,
      path: typeof h.path === 'string' && h.path ? h.path : '/',
      scheme: h.scheme === 'HTTPS' ? 'HTTPS' : 'HTTP',
      headers,
    };
  }
  if (isPlainObject(probe.tcpSocket)) {
    const t = probe.tcpSocket;
    return { type: 'tcpSocket', ...(typeof t.host === 'string' && t.host ? { host: t.host } : {}), port: typeof t.port === 'number' || typeof t.port === 'string' ? t.port : 0 };
  }
  return undefined;
}

/** A named port (containers[].ports[].name) resolved to its number. */
export function resolvePort(port: number | string, container: Record<string, unknown>): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const ports = Array.isArray(container.ports) ? container.ports.filter(isPlainObject) : [];
  const named = ports.find((p) => p.name === port);
  return typeof named?.containerPort === 'number' ? named.containerPort : undefined;
}
