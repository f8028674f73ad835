/**
 * One entry of the resource registry: everything the API needs to know about a kind to
 * route, validate, store and describe it (discovery is generated from these).
 */
export interface ResourceType {
  /** "" for the core group. */
  group: string;
  version: string;
  kind: string;
  /** The plural, lower case: "deployments". */
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
  namespaced: boolean;
  verbs: string[];
  /** e.g. ["status", "scale"]; "status" means writes to the main resource ignore .status. */
  subresources: string[];
  /** The one-token resource name used in log subjects and store keys: "pods", "deployments.apps". */
  key: string;
  /** "apps/v1" or "v1". */
  apiVersion: string;
  /** Whether metadata.generation is kept (bumped on every change outside metadata and status). */
  hasGeneration: boolean;
}
