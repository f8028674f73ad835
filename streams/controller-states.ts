/**
 * The controller manager's machines as others may see them: each manager publishes its
 * own state and every controller machine's state on `controllers.states.<identity>` over
 * core NATS, on every change and every few seconds (so a reader that starts later learns
 * them soon). Nothing is stored: it is a view of live actors, as the metrics are; the
 * dashboard keeps the latest report per manager and forgets a silent one.
 */
import type { NatsConnection, Subscription } from 'nats';
import { encodeToken } from './token.ts';

export const CONTROLLER_STATES_PREFIX = 'controllers.states';

export interface ControllerStatesReport {
  /** The manager's holderIdentity (hostname_uuid), or its name without leader election. */
  identity: string;
  /** The manager machine's state ("running", "standby", ...). */
  manager: string;
  /** Each controller machine's state, dotted ("running.syncing"). */
  controllers: { name: string; state: string }[];
  /** When it was published (ms since the epoch). */
  time: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function publishControllerStates(nc: NatsConnection, report: ControllerStatesReport): void {
  if (!nc.isClosed() && !nc.isDraining()) nc.publish(`${CONTROLLER_STATES_PREFIX}.${encodeToken(report.identity)}`, encoder.encode(JSON.stringify(report)));
}

export function followControllerStates(nc: NatsConnection, onReport: (report: ControllerStatesReport) => void): Subscription {
  return nc.subscribe(`${CONTROLLER_STATES_PREFIX}.*`, {
    callback: (_err, msg) => {
      try {
        onReport(JSON.parse(decoder.decode(msg.data)) as ControllerStatesReport);
      } catch {
        // A malformed report is dropped; the next one replaces it.
      }
    },
  });
}
