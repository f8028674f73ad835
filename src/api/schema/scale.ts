/** autoscaling/v1 Scale: what the scale subresource of deployments, replica sets and stateful sets reads and writes. */
import { kind } from './meta.ts';
import { int32, obj, str } from './dsl.ts';

export const Scale = kind('io.k8s.api.autoscaling.v1.Scale', {
  spec: obj(
    { replicas: int32({ minimum: 0, description: 'replicas is the desired number of instances for the scaled object.' }) },
    { name: 'io.k8s.api.autoscaling.v1.ScaleSpec' },
  ),
  status: obj(
    {
      replicas: int32({ description: 'replicas is the actual number of observed instances of the scaled object.' }),
      selector: str({ description: 'selector is the label query over pods that should match the replicas count, in string form.' }),
    },
    { name: 'io.k8s.api.autoscaling.v1.ScaleStatus', required: ['replicas'] },
  ),
});
