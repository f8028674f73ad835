/**
 * The admission chain: every mutating plugin in order, then (after the object's own
 * validation) every validating plugin in order, as kube-apiserver runs its admission
 * phases. A plugin that does not handle the request costs one call; a synchronous plugin
 * costs no await, so a create that no plugin touches stays as cheap as before the chain.
 */
import type { KubeObject } from '../api/object.ts';
import type { AdmissionAttributes, AdmissionContext, AdmissionPlugin } from './plugin.ts';

export interface AdmissionChain {
  /** The enabled plugins' names, in the order they run. */
  readonly names: readonly string[];
  /** The mutating phase: the object as the plugins would store it. */
  admit(attributes: AdmissionAttributes, context: AdmissionContext): KubeObject | Promise<KubeObject>;
  /** The validating phase, on the object admit() returned: throws a StatusError to refuse. */
  validate(attributes: AdmissionAttributes, context: AdmissionContext): void | Promise<void>;
}

export function admissionChain(plugins: readonly AdmissionPlugin[]): AdmissionChain {
  const mutating = plugins.filter((p) => p.admit);
  const validating = plugins.filter((p) => p.validate);
  return {
    names: plugins.map((p) => p.name),
    admit(attributes, context) {
      return runMutating(mutating, 0, attributes, context);
    },
    validate(attributes, context) {
      return runValidating(validating, 0, attributes, context);
    },
  };
}

/** Synchronous until a plugin answers with a promise; from there on, awaited in order. */
function runMutating(plugins: readonly AdmissionPlugin[], from: number, attributes: AdmissionAttributes, context: AdmissionContext): KubeObject | Promise<KubeObject> {
  let current = attributes;
  for (let i = from; i < plugins.length; i++) {
    const plugin = plugins[i]!;
    if (!plugin.handles(current)) continue;
    const result = plugin.admit!(current, context);
    if (result instanceof Promise) {
      const at = current;
      return result.then((object) => runMutating(plugins, i + 1, { ...at, object }, context));
    }
    current = { ...current, object: result };
  }
  return current.object;
}

function runValidating(plugins: readonly AdmissionPlugin[], from: number, attributes: AdmissionAttributes, context: AdmissionContext): void | Promise<void> {
  for (let i = from; i < plugins.length; i++) {
    const plugin = plugins[i]!;
    if (!plugin.handles(attributes)) continue;
    const result = plugin.validate!(attributes, context);
    if (result instanceof Promise) return result.then(() => runValidating(plugins, i + 1, attributes, context));
  }
}
