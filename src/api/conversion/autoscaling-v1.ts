/**
 * HorizontalPodAutoscaler between autoscaling/v2 (what the log stores) and autoscaling/v1
 * (served too, for `kubectl autoscale` and old manifests), pure, as Kubernetes converts:
 * v1's spec.targetCPUUtilizationPercentage is v2's Resource cpu Utilization metric and
 * status.currentCPUUtilizationPercentage its current utilisation. What v1 cannot say
 * travels in annotations, so a v1 read-modify-write keeps it: other metrics
 * (autoscaling.alpha.kubernetes.io/metrics), current metrics (.../current-metrics) and
 * conditions (.../conditions) in Kubernetes' v1 (v2beta1-shaped) form, and the scaling
 * behavior (.../behavior), which Kubernetes 1.32's v1 drops. A v1 object without any
 * metric gets v1's implicit 80% CPU.
 */
import { badRequest } from '../errors.ts';
import { isPlainObject, type KubeObject } from '../object.ts';

export const METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/metrics';
export const CURRENT_METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/current-metrics';
export const CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';
export const BEHAVIOR_ANNOTATION = 'autoscaling.alpha.kubernetes.io/behavior';
const ROUND_TRIP_ANNOTATIONS = [METRICS_ANNOTATION, CURRENT_METRICS_ANNOTATION, CONDITIONS_ANNOTATION, BEHAVIOR_ANNOTATION];

/** v1 had no explicit metric: the controller scaled on 80% CPU. */
const DEFAULT_CPU_UTILIZATION = 80;

type Obj = Record<string, unknown>;

const objectAt = (value: unknown): Obj | undefined => (isPlainObject(value) ? value : undefined);
const listAt = (value: unknown): Obj[] => (Array.isArray(value) ? value.filter(isPlainObject) : []);
/** Drops undefined fields, as Go's omitempty does for nil pointers. */
const compact = (o: Obj): Obj => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const isCpuUtilization = (metric: Obj) =>
  metric.type === 'Resource' && objectAt(metric.resource)?.name === 'cpu' && objectAt(objectAt(metric.resource)?.target)?.averageUtilization !== undefined;

// ---- v2 -> v1

/** A stored (v2) HorizontalPodAutoscaler as autoscaling/v1 shows it. */
export function hpaToV1(hpa: KubeObject): KubeObject {
  const spec = objectAt(hpa.spec) ?? {};
  const status = objectAt(hpa.status);
  const metrics = listAt(spec.metrics);
  const cpu = metrics.find((m) => m.type === 'Resource' && objectAt(m.resource)?.name === 'cpu');
  const annotations: Record<string, string> = { ...(hpa.metadata.annotations ?? {}) };
  const others = metrics.filter((m) => !isCpuUtilization(m)).map(metricSpecToV1);
  if (others.length > 0) annotations[METRICS_ANNOTATION] = JSON.stringify(others);
  if (spec.behavior !== undefined) annotations[BEHAVIOR_ANNOTATION] = JSON.stringify(spec.behavior);
  const currentMetrics = listAt(status?.currentMetrics);
  if (currentMetrics.length > 0) annotations[CURRENT_METRICS_ANNOTATION] = JSON.stringify(currentMetrics.map(metricStatusToV1));
  const conditions = listAt(status?.conditions);
  if (conditions.length > 0) annotations[CONDITIONS_ANNOTATION] = JSON.stringify(conditions);
  const currentCpu = currentMetrics.find((m) => m.type === 'Resource' && objectAt(m.resource)?.name === 'cpu');
  const { annotations: _dropped, ...metadata } = hpa.metadata;
  return {
    ...hpa,
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata: { ...metadata, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
    spec: compact({
      scaleTargetRef: spec.scaleTargetRef,
      minReplicas: spec.minReplicas,
      maxReplicas: spec.maxReplicas,
      targetCPUUtilizationPercentage: objectAt(objectAt(cpu?.resource)?.target)?.averageUtilization,
    }),
    ...(status
      ? {
          status: compact({
            observedGeneration: status.observedGeneration,
            lastScaleTime: status.lastScaleTime,
            currentReplicas: status.currentReplicas ?? 0,
            desiredReplicas: status.desiredReplicas ?? 0,
            currentCPUUtilizationPercentage: objectAt(objectAt(currentCpu?.resource)?.current)?.averageUtilization,
          }),
        }
      : {}),
  };
}

function metricSpecToV1(metric: Obj): Obj {
  const target = (source: Obj | undefined) => objectAt(source?.target) ?? {};
  const id = (source: Obj | undefined) => objectAt(source?.metric) ?? {};
  const out: Obj = { type: metric.type };
  const resource = objectAt(metric.resource);
  if (resource) out.resource = compact({ name: resource.name, targetAverageUtilization: target(resource).averageUtilization, targetAverageValue: target(resource).averageValue });
  const container = objectAt(metric.containerResource);
  if (container) {
    out.containerResource = compact({ name: container.name, container: container.container, targetAverageUtilization: target(container).averageUtilization, targetAverageValue: target(container).averageValue });
  }
  const pods = objectAt(metric.pods);
  if (pods) out.pods = compact({ metricName: id(pods).name, selector: id(pods).selector, targetAverageValue: target(pods).averageValue });
  const object = objectAt(metric.object);
  if (object) {
    out.object = compact({ target: object.describedObject, metricName: id(object).name, selector: id(object).selector, targetValue: target(object).value, averageValue: target(object).averageValue });
  }
  const external = objectAt(metric.external);
  if (external) {
    out.external = compact({ metricName: id(external).name, metricSelector: id(external).selector, targetValue: target(external).value, targetAverageValue: target(external).averageValue });
  }
  return out;
}

function metricStatusToV1(metric: Obj): Obj {
  const current = (source: Obj | undefined) => objectAt(source?.current) ?? {};
  const id = (source: Obj | undefined) => objectAt(source?.metric) ?? {};
  const out: Obj = { type: metric.type };
  const resource = objectAt(metric.resource);
  if (resource) out.resource = compact({ name: resource.name, currentAverageUtilization: current(resource).averageUtilization, currentAverageValue: current(resource).averageValue });
  const container = objectAt(metric.containerResource);
  if (container) {
    out.containerResource = compact({ name: container.name, container: container.container, currentAverageUtilization: current(container).averageUtilization, currentAverageValue: current(container).averageValue });
  }
  const pods = objectAt(metric.pods);
  if (pods) out.pods = compact({ metricName: id(pods).name, selector: id(pods).selector, currentAverageValue: current(pods).averageValue });
  const object = objectAt(metric.object);
  if (object) {
    out.object = compact({ target: object.describedObject, metricName: id(object).name, selector: id(object).selector, currentValue: current(object).value, averageValue: current(object).averageValue });
  }
  const external = objectAt(metric.external);
  if (external) {
    out.external = compact({ metricName: id(external).name, metricSelector: id(external).selector, currentValue: current(external).value, currentAverageValue: current(external).averageValue });
  }
  return out;
}

// ---- v1 -> v2

/**
 * A v1 body (create, update) as the v2 object the log stores. Anything that is not an
 * object is handed on unchanged, for validation to refuse; a round-trip annotation that is
 * not the JSON list it should be is a 400.
 */
export function hpaFromV1(body: unknown): unknown {
  if (!isPlainObject(body)) return body;
  const metadata = objectAt(body.metadata) ?? {};
  const annotations = { ...(objectAt(metadata.annotations) ?? {}) } as Record<string, unknown>;
  const take = (key: string): unknown => {
    const text = annotations[key];
    if (text === undefined) return undefined;
    delete annotations[key];
    try {
      return JSON.parse(String(text));
    } catch {
      throw badRequest(`metadata.annotations[${key}]: not valid JSON`);
    }
  };
  const spec = objectAt(body.spec);
  const status = objectAt(body.status);
  const otherMetrics = take(METRICS_ANNOTATION);
  const currentMetrics = take(CURRENT_METRICS_ANNOTATION);
  const conditions = take(CONDITIONS_ANNOTATION);
  const behavior = take(BEHAVIOR_ANNOTATION);

  const metrics = listAt(otherMetrics).map(metricSpecFromV1);
  const cpu = spec?.targetCPUUtilizationPercentage;
  if (cpu !== undefined && cpu !== null) metrics.push(cpuMetric(cpu));
  if (metrics.length === 0) metrics.push(cpuMetric(DEFAULT_CPU_UTILIZATION));

  const { annotations: _v1Annotations, ...otherMetadata } = metadata;
  const out: Obj = {
    ...body,
    apiVersion: 'autoscaling/v2',
    metadata: { ...otherMetadata, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
  };
  if (spec) {
    const { targetCPUUtilizationPercentage: _cpu, ...rest } = spec;
    out.spec = { ...rest, metrics, ...(behavior !== undefined ? { behavior } : {}) };
  }
  if (status || currentMetrics !== undefined || conditions !== undefined) {
    const { currentCPUUtilizationPercentage: currentCpu, ...rest } = status ?? {};
    const current =
      currentMetrics !== undefined
        ? listAt(currentMetrics).map(metricStatusFromV1)
        : currentCpu !== undefined && currentCpu !== null
          ? [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: currentCpu } } }]
          : undefined;
    out.status = compact({ ...rest, currentMetrics: current, conditions: conditions !== undefined ? listAt(conditions) : undefined });
  }
  return out;
}

const cpuMetric = (averageUtilization: unknown): Obj => ({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization } } });

function metricSpecFromV1(metric: Obj): Obj {
  const out: Obj = { type: metric.type };
  const resource = objectAt(metric.resource);
  if (resource) out.resource = { name: resource.name, target: utilizationOrAverage(resource.targetAverageUtilization, resource.targetAverageValue) };
  const container = objectAt(metric.containerResource);
  if (container) {
    out.containerResource = { name: container.name, container: container.container, target: utilizationOrAverage(container.targetAverageUtilization, container.targetAverageValue) };
  }
  const pods = objectAt(metric.pods);
  if (pods) out.pods = { metric: compact({ name: pods.metricName, selector: pods.selector }), target: { type: 'AverageValue', averageValue: pods.targetAverageValue } };
  const object = objectAt(metric.object);
  if (object) {
    const target = object.averageValue === undefined ? compact({ type: 'Value', value: object.targetValue }) : compact({ type: 'AverageValue', value: object.targetValue, averageValue: object.averageValue });
    out.object = { describedObject: object.target, metric: compact({ name: object.metricName, selector: object.selector }), target };
  }
  const external = objectAt(metric.external);
  if (external) {
    const target = external.targetValue === undefined ? compact({ type: 'AverageValue', averageValue: external.targetAverageValue }) : compact({ type: 'Value', value: external.targetValue, averageValue: external.targetAverageValue });
    out.external = { metric: compact({ name: external.metricName, selector: external.metricSelector }), target };
  }
  return out;
}

const utilizationOrAverage = (utilization: unknown, averageValue: unknown): Obj =>
  utilization === undefined ? compact({ type: 'AverageValue', averageValue }) : compact({ type: 'Utilization', averageUtilization: utilization, averageValue });

function metricStatusFromV1(metric: Obj): Obj {
  const out: Obj = { type: metric.type };
  const resource = objectAt(metric.resource);
  if (resource) out.resource = { name: resource.name, current: compact({ averageUtilization: resource.currentAverageUtilization, averageValue: resource.currentAverageValue }) };
  const container = objectAt(metric.containerResource);
  if (container) {
    out.containerResource = { name: container.name, container: container.container, current: compact({ averageUtilization: container.currentAverageUtilization, averageValue: container.currentAverageValue }) };
  }
  const pods = objectAt(metric.pods);
  if (pods) out.pods = { metric: compact({ name: pods.metricName, selector: pods.selector }), current: compact({ averageValue: pods.currentAverageValue }) };
  const object = objectAt(metric.object);
  if (object) {
    out.object = { describedObject: object.target, metric: compact({ name: object.metricName, selector: object.selector }), current: compact({ value: object.currentValue, averageValue: object.averageValue }) };
  }
  const external = objectAt(metric.external);
  if (external) {
    out.external = { metric: compact({ name: external.metricName, selector: external.metricSelector }), current: compact({ value: external.currentValue, averageValue: external.currentAverageValue }) };
  }
  return out;
}

/** Whether an annotation key is one v1 uses to carry v2-only fields (never stored). */
export const isRoundTripAnnotation = (key: string) => ROUND_TRIP_ANNOTATIONS.includes(key);
