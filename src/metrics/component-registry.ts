/**
 * A fresh Prometheus registry for one component instance, with prom-client's process
 * metrics (CPU, memory, event loop) as every Kubernetes component exports Go's. Several
 * components run in one process in tests and `jetkube up`: each gets its own registry.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';

export function newComponentRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
