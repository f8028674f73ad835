/**
 * Resource usage reports from kubelets to API servers (the metrics pipeline of `kubectl
 * top`), over core NATS: each kubelet publishes its node's report on
 * `metrics.kubelet.<node>` every few seconds; every API server subscribes (no queue
 * group: each keeps the latest report per node in memory, as metrics-server does).
 * Nothing is stored: usage is a measurement, not state.
 */
import { Decoder, Encoder } from '@msgpack/msgpack';
import type { NatsConnection, Subscription } from 'nats';
import type { NodeUsageReport } from '../src/metrics/resource-usage.ts';
import { encodeToken } from './token.ts';

const encoder = new Encoder({ ignoreUndefined: true });
const decoder = new Decoder();

export function publishNodeUsage(nc: NatsConnection, report: NodeUsageReport): void {
  if (!nc.isClosed()) nc.publish(`metrics.kubelet.${encodeToken(report.node)}`, encoder.encode(report));
}

export function followNodeUsage(nc: NatsConnection, onReport: (report: NodeUsageReport) => void): Subscription {
  return nc.subscribe('metrics.kubelet.*', {
    callback: (_err, msg) => {
      try {
        onReport(decoder.decode(msg.data) as NodeUsageReport);
      } catch {
        // A malformed report is dropped; the next one replaces it anyway.
      }
    },
  });
}
