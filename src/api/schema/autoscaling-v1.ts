/**
 * autoscaling/v1 HorizontalPodAutoscaler: the served-only version (the log stores v2, see
 * src/api/conversion/autoscaling-v1.ts). Its schema checks unknown fields of v1 bodies and
 * is what /openapi/v3/apis/autoscaling/v1 publishes, so `kubectl explain hpa.v1.autoscaling`
 * and client-side validation see v1's fields.
 */
import { kind } from './meta.ts';
import { int32, int64, obj, str, time } from './dsl.ts';

const V1 = 'io.k8s.api.autoscaling.v1';

export const HorizontalPodAutoscalerV1 = kind(`${V1}.HorizontalPodAutoscaler`, {
  spec: obj(
    {
      scaleTargetRef: obj({ apiVersion: str(), kind: str(), name: str() }, { name: `${V1}.CrossVersionObjectReference`, required: ['kind', 'name'] }),
      minReplicas: int32(),
      maxReplicas: int32(),
      targetCPUUtilizationPercentage: int32(),
    },
    { name: `${V1}.HorizontalPodAutoscalerSpec`, required: ['scaleTargetRef', 'maxReplicas'] },
  ),
  status: obj(
    {
      observedGeneration: int64(),
      lastScaleTime: time(),
      currentReplicas: int32(),
      desiredReplicas: int32(),
      currentCPUUtilizationPercentage: int32(),
    },
    { name: `${V1}.HorizontalPodAutoscalerStatus`, required: ['currentReplicas', 'desiredReplicas'] },
  ),
});
