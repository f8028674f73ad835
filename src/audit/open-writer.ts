/**
 * An API server's audit writer over its NATS connection: ensures the AUDIT stream, then
 * publishes to it. A stream that cannot be made (no permission, JetStream down) does not
 * stop the API: the failure is logged and each lost record is counted by the writer.
 * close() stops the acknowledgement timer (it also stops by itself once the connection closes).
 */
import type { NatsConnection } from '../../streams/connection.ts';
import type { Registry } from 'prom-client';
import { auditPublisher, ensureAuditStream } from '../../streams/audit-stream.ts';
import type { Logger } from '../log.ts';
import { AuditWriter } from './writer.ts';

export async function openAuditWriter(nc: NatsConnection, logger: Logger, registry?: Registry): Promise<{ writer: AuditWriter; close(): void }> {
  try {
    await ensureAuditStream(nc);
  } catch (error) {
    logger.error({ err: error }, 'could not create the AUDIT stream; audit records will be lost until it exists');
  }
  const publisher = auditPublisher(nc);
  const writer = new AuditWriter((event, key, settled) => publisher.publish(event, key, settled), { logger, ...(registry ? { registry } : {}) });
  return { writer, close: () => publisher.close() };
}
