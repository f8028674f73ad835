/**
 * A namespace's Pod Security policy, read from its labels as pod-security-admission's
 * api.PolicyToEvaluate does: pod-security.kubernetes.io/<mode> = privileged | baseline |
 * restricted and pod-security.kubernetes.io/<mode>-version = latest | v1.N for the modes
 * enforce, audit and warn. Unset modes are privileged:latest (allow everything). A warn
 * level left unset follows an enforce level that is set, so a namespace that only enforces
 * still warns about workloads whose pod templates would be refused.
 *
 * A level that cannot be parsed evaluates as restricted, a version as latest, as
 * Kubernetes does; labelErrors says what is wrong, for the namespace's own admission.
 */
import type { FieldError } from '../../api/errors.ts';
import { invalidValue } from '../../api/field-errors.ts';

export type Level = 'privileged' | 'baseline' | 'restricted';
export type Mode = 'enforce' | 'audit' | 'warn';

export interface LevelVersion {
  level: Level;
  /** 'latest' or a Kubernetes minor version such as v1.30. */
  version: string;
}

export type NamespacePolicy = Record<Mode, LevelVersion>;

export const LABEL_PREFIX = 'pod-security.kubernetes.io/';
const LEVEL_ORDER: Record<Level, number> = { privileged: 0, baseline: 1, restricted: 2 };
const PRIVILEGED: LevelVersion = { level: 'privileged', version: 'latest' };
const MODES = ['enforce', 'audit', 'warn'] as const;

export function isLevel(value: string): value is Level {
  return Object.hasOwn(LEVEL_ORDER, value);
}

export function isVersion(value: string): boolean {
  return value === 'latest' || /^v1\.(0|[1-9]\d*)$/.test(value);
}

/** "baseline:latest", as the messages name a policy. */
export function levelVersionString(lv: LevelVersion): string {
  return `${lv.level}:${lv.version}`;
}

export function sameLevelVersion(a: LevelVersion, b: LevelVersion): boolean {
  return a.level === b.level && a.version === b.version;
}

export function policyFromLabels(labels: Readonly<Record<string, string>> = {}): NamespacePolicy {
  const policy: NamespacePolicy = { enforce: { ...PRIVILEGED }, audit: { ...PRIVILEGED }, warn: { ...PRIVILEGED } };
  for (const mode of MODES) {
    const level = labels[LABEL_PREFIX + mode];
    const version = labels[`${LABEL_PREFIX}${mode}-version`];
    if (level !== undefined) policy[mode].level = isLevel(level) ? level : 'restricted';
    if (version !== undefined && isVersion(version)) policy[mode].version = version;
  }
  const enforceSet = labels[LABEL_PREFIX + 'enforce'] !== undefined;
  const warnSet = labels[LABEL_PREFIX + 'warn'] !== undefined;
  // (Kubernetes does not default warn from an enforce label it could not parse.)
  if (!warnSet && enforceSet && isLevel(labels[LABEL_PREFIX + 'enforce']!) && LEVEL_ORDER[policy.enforce.level] > LEVEL_ORDER[policy.warn.level]) {
    policy.warn.level = policy.enforce.level;
    if (labels[LABEL_PREFIX + 'warn-version'] === undefined) policy.warn.version = policy.enforce.version;
  }
  return policy;
}

/** Nothing to check: every mode is privileged. */
export function fullyPrivileged(policy: NamespacePolicy): boolean {
  return policy.enforce.level === 'privileged' && policy.audit.level === 'privileged' && policy.warn.level === 'privileged';
}

/** The minor version a LevelVersion names (latest: the newest this evaluator knows). */
export function minorOf(lv: LevelVersion, latestMinor: number): number {
  if (lv.version === 'latest') return latestMinor;
  return Number(lv.version.slice('v1.'.length));
}

/** The Pod Security labels that do not parse, as field errors of the namespace (`metadata.labels[...]: Invalid value: ...`). */
export function labelErrors(labels: Readonly<Record<string, string>> = {}): FieldError[] {
  const errors: FieldError[] = [];
  for (const mode of MODES) {
    const levelKey = LABEL_PREFIX + mode;
    const versionKey = `${levelKey}-version`;
    const level = labels[levelKey];
    const version = labels[versionKey];
    if (level !== undefined && !isLevel(level)) errors.push(invalidValue(`metadata.labels[${levelKey}]`, level, 'must be one of privileged, baseline, restricted'));
    if (version !== undefined && !isVersion(version)) errors.push(invalidValue(`metadata.labels[${versionKey}]`, version, 'must be "latest" or "v1.x"'));
  }
  return errors;
}
