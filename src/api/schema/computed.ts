/**
 * The kinds the API server computes on read and never stores: core/v1 ComponentStatus and
 * metrics.k8s.io/v1beta1 NodeMetrics and PodMetrics. Their schemas serve OpenAPI
 * (`kubectl explain`) and keep the registry's rule that every kind has one.
 */
import { kind } from './meta.ts';
import { listOf, obj, quantityMap, str, time } from './dsl.ts';

export const ComponentStatus = kind('io.k8s.api.core.v1.ComponentStatus', {
  conditions: listOf(obj({ type: str(), status: str(), message: str(), error: str() }, { name: 'io.k8s.api.core.v1.ComponentCondition', required: ['type', 'status'] })),
});

export const NodeMetrics = kind('io.k8s.metrics.pkg.apis.metrics.v1beta1.NodeMetrics', {
  timestamp: time(),
  window: str(),
  usage: quantityMap(),
});

export const PodMetrics = kind('io.k8s.metrics.pkg.apis.metrics.v1beta1.PodMetrics', {
  timestamp: time(),
  window: str(),
  containers: listOf(obj({ name: str(), usage: quantityMap() }, { name: 'io.k8s.metrics.pkg.apis.metrics.v1beta1.ContainerMetrics', required: ['name', 'usage'] })),
});
