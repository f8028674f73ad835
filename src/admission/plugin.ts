/**
 * What an admission plugin sees and may do, as Kubernetes' admission.Attributes and its
 * MutationInterface / ValidationInterface: a plugin handles some operations on some
 * resources; mutating plugins return the object they would store, validating plugins
 * refuse by throwing a StatusError (403 Forbidden, 422 Invalid, ...). The pure rule of
 * each plugin lives beside it as a function of its inputs; the plugin object only looks
 * those inputs up (LimitRanges, ServiceAccounts, quotas) in the API server's store.
 */
import { forbidden, qualifiedResource, type StatusError } from '../api/errors.ts';
import type { KubeObject } from '../api/object.ts';
import type { ResourceType } from '../api/resource-type.ts';
import type { UserInfo } from '../auth/attributes.ts';
import type { ApiDeps } from '../apiserver/deps.ts';

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface AdmissionAttributes {
  operation: AdmissionOperation;
  resource: ResourceType;
  /** status, scale, ...: most plugins leave subresource writes alone. */
  subresource?: string;
  namespace: string;
  name: string;
  /** The object to be stored (CREATE, UPDATE) or the one being deleted (DELETE). */
  object: KubeObject;
  /** The stored object an UPDATE replaces. */
  oldObject?: KubeObject;
  /** Who asks; absent for the cluster's own components on the NATS face. */
  user?: UserInfo;
  dryRun: boolean;
  /**
   * Where a plugin puts a warning for the client (kube-apiserver's warning.AddWarning: the
   * HTTP face sends each as a `Warning: 299` header, kubectl prints it on stderr). Absent
   * where nobody listens; plugins call it as `a.warn?.(message)`.
   */
  warn?: (message: string) => void;
}

/** What a plugin may read and (ResourceQuota only) write: the API server's own dependencies. */
export type AdmissionContext = Pick<ApiDeps, 'store' | 'reads' | 'log' | 'now' | 'logger'> & Partial<Pick<ApiDeps, 'random'>>;

interface PluginBase {
  /** Kubernetes' plugin name, as --enable-admission-plugins spells it. */
  readonly name: string;
  handles(attributes: AdmissionAttributes): boolean;
}

export interface MutatingPlugin extends PluginBase {
  admit(attributes: AdmissionAttributes, context: AdmissionContext): KubeObject | Promise<KubeObject>;
}

export interface ValidatingPlugin extends PluginBase {
  validate(attributes: AdmissionAttributes, context: AdmissionContext): void | Promise<void>;
}

/** A plugin may do both, as NamespaceLifecycle (validating only) or LimitRanger (both) do in Kubernetes. */
export type AdmissionPlugin = PluginBase & Partial<Pick<MutatingPlugin, 'admit'> & Pick<ValidatingPlugin, 'validate'>>;

/** The plugins that act on pods and nothing else, on the main resource only (not status, binding, ...). */
export const podsOnly = (operations: readonly AdmissionOperation[]) => (a: AdmissionAttributes): boolean =>
  a.resource.key === 'pods' && a.subresource === undefined && operations.includes(a.operation);

/** admission.NewForbidden: `pods "web" is forbidden: <why>`, with the object named in the details. */
export function admissionForbidden(a: AdmissionAttributes, why: string): StatusError {
  const name = a.name || a.object.metadata.generateName || '';
  return forbidden(`${qualifiedResource(a.resource.plural, a.resource.group)} "${name}" is forbidden: ${why}`, {
    name,
    group: a.resource.group || undefined,
    kind: a.resource.plural,
  });
}
