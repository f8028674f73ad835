/**
 * What `jetkube audit` asks for, pure: Go-style durations for --since, the filters the
 * AUDIT subjects cannot express (user, code), and a record as a table row.
 */
import type { AuditEvent } from './event.ts';

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "90s", "1h30m", "500ms", "2d" (kubectl's --since takes Go durations; d is ours) -> milliseconds. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (trimmed === '') throw new Error('empty duration');
  const part = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/y;
  let at = 0;
  let total = 0;
  while (at < trimmed.length) {
    part.lastIndex = at;
    const match = part.exec(trimmed);
    if (!match) throw new Error(`invalid duration "${text}": use e.g. 90s, 15m, 1h30m, 2d`);
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
    at = part.lastIndex;
  }
  return total;
}

/** --code: "403", or a class "4xx". */
export function codeMatcher(text: string): (code: number) => boolean {
  const exact = /^\d{3}$/.exec(text);
  if (exact) return (code) => code === Number(text);
  const klass = /^([1-5])xx$/i.exec(text);
  if (klass) return (code) => Math.floor(code / 100) === Number(klass[1]);
  throw new Error(`invalid --code "${text}": a status code (403) or a class (4xx)`);
}

export interface ClientFilter {
  user?: string;
  code?: (code: number) => boolean;
}

export function matches(event: AuditEvent, filter: ClientFilter): boolean {
  if (filter.user !== undefined && (event.user.username ?? '') !== filter.user) return false;
  if (filter.code && !filter.code(event.responseStatus.code)) return false;
  return true;
}

export const AUDIT_COLUMNS = ['TIME', 'USER', 'VERB', 'RESOURCE', 'NAME', 'CODE', 'LATENCY'];

export function auditRow(event: AuditEvent): string[] {
  const ref = event.objectRef;
  const resource = ref ? `${ref.resource}${ref.apiGroup ? `.${ref.apiGroup}` : ''}${ref.subresource ? `/${ref.subresource}` : ''}` : '-';
  const name = ref?.name ? (ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name) : ref?.namespace ? `${ref.namespace}/*` : '-';
  return [
    event.requestReceivedTimestamp.replace(/(\.\d{3})\d*Z$/, '$1Z'),
    event.user.username || '(unauthenticated)',
    event.verb,
    resource,
    name,
    String(event.responseStatus.code),
    formatLatency(event.latencyMs),
  ];
}

export function formatLatency(ms: number): string {
  if (ms < 10) return `${ms.toFixed(2)}ms`;
  if (ms < 1000) return `${ms.toFixed(1)}ms`;
  return `${(ms / 1000).toFixed(2)}s`;
}
