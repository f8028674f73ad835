/** networking.k8s.io/v1: Ingress, IngressClass, NetworkPolicy. */
import { kind, LabelSelector, TypedLocalObjectReference } from './meta.ts';
import { PROTOCOLS } from './core-container.ts';
import { LoadBalancerStatus } from './core.ts';
import { int32, intOrString, listOf, obj, str, strList } from './dsl.ts';

const NET = 'io.k8s.api.networking.v1';

export const IngressBackend = obj(
  {
    service: obj(
      { name: str(), port: obj({ name: str(), number: int32() }, { name: `${NET}.ServiceBackendPort` }) },
      { name: `${NET}.IngressServiceBackend`, required: ['name'] },
    ),
    resource: TypedLocalObjectReference,
  },
  { name: `${NET}.IngressBackend` },
);

export const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'] as const;

export const Ingress = kind(`${NET}.Ingress`, {
  spec: obj(
    {
      ingressClassName: str(),
      defaultBackend: IngressBackend,
      tls: listOf(obj({ hosts: strList(), secretName: str() }, { name: `${NET}.IngressTLS` })),
      rules: listOf(
        obj(
          {
            host: str(),
            http: obj(
              {
                paths: listOf(
                  obj(
                    { path: str(), pathType: str({ enum: PATH_TYPES }), backend: IngressBackend },
                    { name: `${NET}.HTTPIngressPath`, required: ['pathType', 'backend'] },
                  ),
                ),
              },
              { name: `${NET}.HTTPIngressRuleValue`, required: ['paths'] },
            ),
          },
          { name: `${NET}.IngressRule` },
        ),
      ),
    },
    { name: `${NET}.IngressSpec` },
  ),
  status: obj({ loadBalancer: LoadBalancerStatus }, { name: `${NET}.IngressStatus` }),
});

export const IngressClass = kind(`${NET}.IngressClass`, {
  spec: obj(
    {
      controller: str(),
      parameters: obj(
        { apiGroup: str(), kind: str(), name: str(), scope: str({ enum: ['Cluster', 'Namespace'] }), namespace: str() },
        { name: `${NET}.IngressClassParametersReference`, required: ['kind', 'name'] },
      ),
    },
    { name: `${NET}.IngressClassSpec` },
  ),
});

const NetworkPolicyPeer = obj(
  {
    podSelector: LabelSelector,
    namespaceSelector: LabelSelector,
    ipBlock: obj({ cidr: str(), except: strList() }, { name: `${NET}.IPBlock`, required: ['cidr'] }),
  },
  { name: `${NET}.NetworkPolicyPeer` },
);

const NetworkPolicyPort = obj(
  { protocol: str({ enum: PROTOCOLS }), port: intOrString(), endPort: int32() },
  { name: `${NET}.NetworkPolicyPort` },
);

export const NetworkPolicy = kind(`${NET}.NetworkPolicy`, {
  spec: obj(
    {
      podSelector: LabelSelector,
      ingress: listOf(obj({ from: listOf(NetworkPolicyPeer), ports: listOf(NetworkPolicyPort) }, { name: `${NET}.NetworkPolicyIngressRule` })),
      egress: listOf(obj({ to: listOf(NetworkPolicyPeer), ports: listOf(NetworkPolicyPort) }, { name: `${NET}.NetworkPolicyEgressRule` })),
      policyTypes: listOf(str({ enum: ['Egress', 'Ingress'] })),
    },
    { name: `${NET}.NetworkPolicySpec` },
  ),
});
