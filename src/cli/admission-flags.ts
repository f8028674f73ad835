/**
 * kube-apiserver's --enable-admission-plugins / --disable-admission-plugins: comma lists
 * of plugin names, checked against the plugins jetkube has before anything starts.
 */
import { ADMISSION_PLUGIN_NAMES, type AdmissionSelection } from '../admission/plugins.ts';

export const ADMISSION_FLAGS = {
  'enable-admission-plugins': { type: 'string' },
  'disable-admission-plugins': { type: 'string' },
} as const;

export const ADMISSION_HELP = `  --enable-admission-plugins A,B   admission plugins to turn on beyond the defaults (e.g. AlwaysPullImages)
  --disable-admission-plugins A,B  admission plugins to turn off
                         known: ${ADMISSION_PLUGIN_NAMES.join(', ')}`;

export function admissionSelectionFrom(values: Record<string, unknown>): AdmissionSelection {
  const list = (flag: string) =>
    String(values[flag] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const selection = { enable: list('enable-admission-plugins'), disable: list('disable-admission-plugins') };
  const unknown = [...selection.enable, ...selection.disable].filter((name) => !ADMISSION_PLUGIN_NAMES.includes(name));
  if (unknown.length > 0) throw new Error(`unknown admission plugin ${unknown.map((n) => `"${n}"`).join(', ')}; known: ${ADMISSION_PLUGIN_NAMES.join(', ')}`);
  return selection;
}
