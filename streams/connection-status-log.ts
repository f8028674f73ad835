/**
 * What happens to a component's NATS connection, in its log: a lost connection, a stale
 * one (pings unanswered), the reconnect, lame duck mode and the server's async errors.
 * Without it a component that lost its connection for a moment showed only the
 * consequences (every watch at once re-listing after a gap, a late lease renewal).
 * nats-server closes a client that did not read its socket for write_deadline (10 s):
 * a disconnect here after a stall says the process blocked its event loop that long.
 */
import type { NatsConnection } from 'nats';
import { componentLogger } from '../src/log.ts';

const log = componentLogger('nats');

export function logConnectionStatus(nc: NatsConnection, connection: string): void {
  void (async () => {
    for await (const status of nc.status()) {
      const server = typeof status.data === 'string' ? status.data : undefined;
      switch (status.type) {
        case 'disconnect':
          log.warn({ connection, server }, 'disconnected from NATS: reconnecting (a stall of this process past the server\'s write_deadline also ends here)');
          break;
        case 'staleConnection':
          log.warn({ connection }, 'the NATS connection went stale (pings unanswered): reconnecting');
          break;
        case 'reconnect':
          log.info({ connection, server }, 'reconnected to NATS');
          break;
        case 'ldm':
          log.warn({ connection, server }, 'the NATS server is entering lame duck mode: this connection will move to another server');
          break;
        case 'error':
          log.warn({ connection, err: status.data }, 'NATS reported an error on this connection');
          break;
      }
    }
  })().catch(() => undefined);
}
