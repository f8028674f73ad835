/**
 * The one way jetkube connects to NATS. A component's connection is named (it shows in
 * the server's connz), retries its first connect a few times and then reconnects
 * forever: a restarted nats-server must never kill a component, only pause it. JetStream
 * consumers in this folder re-establish themselves after a reconnect.
 *
 * This folder is the only one that imports `nats`; the types others need pass through here.
 */
import { connect, type ConnectionOptions, type NatsConnection } from 'nats';

export type { NatsConnection, ConnectionOptions };
export type { Msg, Subscription, Status as NatsStatus } from 'nats';

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

export async function connectNats(
  url: string,
  name: string,
  options: Partial<ConnectionOptions> = {},
): Promise<NatsConnection> {
  return connect({
    servers: url.split(',').map((s) => s.trim()).filter(Boolean),
    name,
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    reconnectJitter: 100,
    pingInterval: 10_000,
    maxPingOut: 3,
    waitOnFirstConnect: false,
    timeout: 5_000,
    // Async traces cost an Error (a stack capture) per request and per publish: ~10% of
    // the API server's CPU under load, for nicer stacks on timeouts we translate anyway.
    noAsyncTraces: true,
    ...options,
  });
}

/** Drain (finish in-flight work, then close); closing an already closed connection is fine. */
export async function drainNats(nc: NatsConnection): Promise<void> {
  if (nc.isClosed()) return;
  try {
    await nc.drain();
  } catch (error) {
    if (!nc.isClosed()) await nc.close();
    else if (!isClosedError(error)) throw error;
  }
}

export async function closeNats(nc: NatsConnection): Promise<void> {
  if (!nc.isClosed()) await nc.close();
}

function isClosedError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'CONNECTION_CLOSED';
}
