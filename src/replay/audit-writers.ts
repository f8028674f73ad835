/**
 * Who made each change of one object, from the audit trail: every successful write's
 * audit record names the revision it stored (objectRef.resourceVersion), so a step of the
 * object's history at that revision was made by that record's user. Pure: the caller
 * reads the records (the live AUDIT stream; an export file has none).
 */
import type { AuditEvent } from '../audit/event.ts';

export interface AuditedWriter {
  user: string;
  verb: string;
  subresource?: string;
  userAgent?: string;
}

export function auditedWriters(events: Iterable<AuditEvent>, name: string): Map<number, AuditedWriter> {
  const byRevision = new Map<number, AuditedWriter>();
  for (const event of events) {
    const ref = event.objectRef;
    const code = event.responseStatus?.code ?? 0;
    if (ref?.name !== name || code < 200 || code >= 300) continue;
    const revision = Number(ref.resourceVersion);
    if (!Number.isSafeInteger(revision) || revision <= 0) continue;
    byRevision.set(revision, {
      user: event.user?.username ?? '?',
      verb: event.verb,
      ...(ref.subresource ? { subresource: ref.subresource } : {}),
      ...(event.userAgent ? { userAgent: event.userAgent } : {}),
    });
  }
  return byRevision;
}

/** ", user dev (patch)" for a step the audit trail knows, "" otherwise. */
export function formatAuditedWriter(writer: AuditedWriter | undefined): string {
  if (!writer) return '';
  return `; audit: user ${writer.user} (${writer.verb}${writer.subresource ? ` ${writer.subresource}` : ''})`;
}
