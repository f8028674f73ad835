/**
 * Resolves what a person types for a resource ("po", "deploy", "deployments.apps",
 * "Deployment", "pod/web") into a registry entry, with kubectl's error when unknown.
 */
import { resolveResourceName } from '../api/registry.ts';
import type { ResourceType } from '../api/resource-type.ts';

export function resourceArg(text: string): { rt: ResourceType; name?: string } {
  const [typeText, name] = text.includes('/') ? text.split('/', 2) : [text, undefined];
  const rt = resolveResourceName(typeText ?? '');
  if (!rt) throw new Error(`the server doesn't have a resource type "${typeText}"`);
  return name ? { rt, name } : { rt };
}
