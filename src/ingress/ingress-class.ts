/**
 * Which Ingresses this controller serves. An IngressClass belongs to us when its
 * spec.controller names our controller. An Ingress is ours when its
 * spec.ingressClassName names one of our classes; with no ingressClassName, when the
 * deprecated `kubernetes.io/ingress.class` annotation names one of them; with neither,
 * when one of our classes carries `ingressclass.kubernetes.io/is-default-class: "true"`
 * (Kubernetes' admission plugin would have stamped that class on it; we are not behind
 * such a plugin, so we read the default at serve time). Pure.
 */
import type { KubeObject } from '../api/object.ts';
import type { Ingress, IngressClass } from '../api/types.ts';

export const INGRESS_CONTROLLER_NAME = 'jetkube.io/ingress-controller';
export const INGRESS_CLASS_NAME = 'jetkube';
export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';
export const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

export interface OurClasses {
  names: ReadonlySet<string>;
  /** One of our classes is the cluster's default. */
  isDefault: boolean;
}

export function ourClasses(classes: readonly KubeObject[], controllerName: string): OurClasses {
  const ours = (classes as IngressClass[]).filter((c) => c.spec?.controller === controllerName);
  return {
    names: new Set(ours.map((c) => c.metadata?.name ?? '')),
    isDefault: ours.some((c) => c.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true'),
  };
}

export function servesIngress(ingress: KubeObject, classes: OurClasses): boolean {
  const className = (ingress as Ingress).spec?.ingressClassName;
  if (className) return classes.names.has(className);
  const legacy = ingress.metadata.annotations?.[LEGACY_CLASS_ANNOTATION];
  if (legacy) return classes.names.has(legacy);
  return classes.isDefault;
}

/** The IngressClass this controller creates at start when none of that name exists. */
export function newIngressClass(name: string, controllerName: string, isDefault: boolean): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name, ...(isDefault ? { annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' } } : {}) },
    spec: { controller: controllerName },
  };
}
