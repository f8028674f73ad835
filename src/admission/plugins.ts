/**
 * Every admission plugin jetkube has, in the order kube-apiserver runs them (its
 * AllOrderedPlugins), and which are on by default. `jetkube up --enable-admission-plugins
 * / --disable-admission-plugins` change the set, never the order.
 */
import { badRequest } from '../api/errors.ts';
import { admissionChain, type AdmissionChain } from './chain.ts';
import { defaultStorageClassPlugin } from './default-storage-class.ts';
import { defaultTolerationSecondsPlugin } from './default-toleration-seconds.ts';
import { namespaceLifecycle } from './namespace-lifecycle.ts';
import { serviceAccountPlugin } from './service-account.ts';
import { alwaysPullImagesPlugin } from './always-pull-images.ts';
import { podSecurityPlugin } from './pod-security/plugin.ts';
import type { AdmissionPlugin } from './plugin.ts';
import { limitRanger } from './limit-ranger.ts';
import { resourceQuotaPlugin } from './resource-quota/admission.ts';

const ORDERED: readonly AdmissionPlugin[] = [
  namespaceLifecycle,
  limitRanger,
  serviceAccountPlugin,
  alwaysPullImagesPlugin,
  podSecurityPlugin,
  defaultTolerationSecondsPlugin,
  defaultStorageClassPlugin,
  resourceQuotaPlugin,
];

/** Off unless asked for, as in Kubernetes. */
const OFF_BY_DEFAULT: ReadonlySet<string> = new Set(['AlwaysPullImages']);

export const ADMISSION_PLUGIN_NAMES: readonly string[] = ORDERED.map((p) => p.name);

export interface AdmissionSelection {
  enable?: readonly string[];
  disable?: readonly string[];
}

/** The chain for a selection; an unknown plugin name is a 400 naming the known ones. */
export function admissionChainFor(selection: AdmissionSelection = {}): AdmissionChain {
  const known = new Set(ADMISSION_PLUGIN_NAMES);
  for (const name of [...(selection.enable ?? []), ...(selection.disable ?? [])]) {
    if (!known.has(name)) throw badRequest(`unknown admission plugin "${name}"; known plugins: ${ADMISSION_PLUGIN_NAMES.join(', ')}`);
  }
  const enabled = (p: AdmissionPlugin) =>
    !selection.disable?.includes(p.name) && (!OFF_BY_DEFAULT.has(p.name) || !!selection.enable?.includes(p.name));
  return admissionChain(ORDERED.filter(enabled));
}
