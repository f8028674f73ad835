/**
 * The Pod Security Standards checks, pure functions of a pod's metadata and spec, with
 * pod-security-admission's reasons and details word for word (kubectl users grep for
 * them). Baseline: host namespaces, privileged, capabilities beyond the default set,
 * hostPath volumes, hostPorts, AppArmor, SELinux, /proc mount, seccomp Unconfined, unsafe
 * sysctls, Windows hostProcess. Restricted adds: allowPrivilegeEscalation, capabilities
 * (drop ALL, add only NET_BIND_SERVICE), volume types, runAsNonRoot, runAsUser 0 and a
 * required seccomp profile, and replaces the baseline capabilities and seccomp checks.
 *
 * Results come in the evaluator's order: the level's checks by ID, baseline before
 * restricted. Every check is evaluated at the latest policy version (a -version label is
 * kept in the messages but does not select older check versions).
 */
import { isPlainObject, type KubeObject } from '../../api/object.ts';
import type { Level } from './policy.ts';

type Json = Record<string, unknown>;

export interface PodSecurityInput {
  metadata: KubeObject['metadata'];
  spec: Json;
}

export interface Violation {
  reason: string;
  /** May be empty: then only the reason is shown. */
  detail: string;
}

interface Check {
  id: string;
  level: Exclude<Level, 'privileged'>;
  /** Baseline checks a restricted check supersedes. */
  overrides?: string[];
  run(input: PodSecurityInput): Violation | undefined;
}

const pluralize = (singular: string, plural: string, n: number) => (n === 1 ? singular : plural);
const joinQuote = (items: readonly string[]) => items.map((i) => `"${i}"`).join(', ');
const containersPhrase = (names: readonly string[]) => `${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`;

function arrayOf(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isPlainObject) : [];
}

function objectOf(value: unknown): Json {
  return isPlainObject(value) ? value : {};
}

/** Init, regular and ephemeral containers, in that order (podutil.VisitContainers). */
function allContainers(spec: Json): Json[] {
  return [...arrayOf(spec.initContainers), ...arrayOf(spec.containers), ...arrayOf(spec.ephemeralContainers)];
}

const nameOf = (c: Json) => String(c.name ?? '');
const securityContextOf = (o: Json) => objectOf(o.securityContext);

/** The capabilities a baseline container may add (the container runtimes' defaults). */
export const BASELINE_CAPABILITIES: ReadonlySet<string> = new Set([
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE',
  'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
]);

/** The namespaced sysctls known not to affect other pods on the node (as of 1.32). */
export const SAFE_SYSCTLS: ReadonlySet<string> = new Set([
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes', 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem',
]);

const ALLOWED_SELINUX_TYPES: ReadonlySet<string> = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';
const RESTRICTED_VOLUME_SOURCES: ReadonlySet<string> = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);

const CHECKS: readonly Check[] = [
  {
    id: 'appArmorProfile',
    level: 'baseline',
    run({ metadata, spec }) {
      const bad: string[] = [];
      const annotations = metadata.annotations ?? {};
      for (const key of Object.keys(annotations).sort()) {
        if (!key.startsWith(APPARMOR_ANNOTATION_PREFIX)) continue;
        const value = annotations[key]!;
        if (value && value !== 'runtime/default' && !value.startsWith('localhost/')) bad.push(`${key}="${value}"`);
      }
      const unconfined = (o: Json) => objectOf(securityContextOf(o).appArmorProfile).type === 'Unconfined';
      if (unconfined(spec)) bad.push('pod must not set AppArmor profile type to "Unconfined"');
      for (const c of allContainers(spec)) if (unconfined(c)) bad.push(`container "${nameOf(c)}" must not set AppArmor profile type to "Unconfined"`);
      if (bad.length === 0) return undefined;
      return { reason: pluralize('forbidden AppArmor profile', 'forbidden AppArmor profiles', bad.length), detail: bad.join(', ') };
    },
  },
  {
    id: 'capabilities_baseline',
    level: 'baseline',
    run({ spec }) {
      const names: string[] = [];
      const added = new Set<string>();
      for (const c of allContainers(spec)) {
        const extra = (arrayOfStrings(objectOf(securityContextOf(c).capabilities).add)).filter((cap) => !BASELINE_CAPABILITIES.has(cap));
        if (extra.length === 0) continue;
        names.push(nameOf(c));
        for (const cap of extra) added.add(cap);
      }
      if (names.length === 0) return undefined;
      return { reason: 'non-default capabilities', detail: `${containersPhrase(names)} must not include ${joinQuote([...added].sort())} in securityContext.capabilities.add` };
    },
  },
  {
    id: 'hostNamespaces',
    level: 'baseline',
    run({ spec }) {
      const set = (['hostNetwork', 'hostPID', 'hostIPC'] as const).filter((field) => spec[field] === true).map((field) => `${field}=true`);
      return set.length > 0 ? { reason: 'host namespaces', detail: set.join(', ') } : undefined;
    },
  },
  {
    id: 'hostPathVolumes',
    level: 'baseline',
    run({ spec }) {
      const names = arrayOf(spec.volumes).filter((v) => isPlainObject(v.hostPath)).map((v) => String(v.name ?? ''));
      return names.length > 0 ? { reason: 'hostPath volumes', detail: `${pluralize('volume', 'volumes', names.length)} ${joinQuote(names)}` } : undefined;
    },
  },
  {
    id: 'hostPorts',
    level: 'baseline',
    run({ spec }) {
      const names: string[] = [];
      const ports: string[] = [];
      for (const c of allContainers(spec)) {
        const used = arrayOf(c.ports).map((p) => p.hostPort).filter((p): p is number => typeof p === 'number' && p !== 0);
        if (used.length === 0) continue;
        names.push(nameOf(c));
        for (const p of used) if (!ports.includes(String(p))) ports.push(String(p));
      }
      if (names.length === 0) return undefined;
      return {
        reason: 'hostPort',
        detail: `${containersPhrase(names)} ${pluralize('uses', 'use', names.length)} ${pluralize('hostPort', 'hostPorts', ports.length)} ${ports.join(', ')}`,
      };
    },
  },
  {
    id: 'privileged',
    level: 'baseline',
    run({ spec }) {
      const names = allContainers(spec).filter((c) => securityContextOf(c).privileged === true).map(nameOf);
      return names.length > 0 ? { reason: 'privileged', detail: `${containersPhrase(names)} must not set securityContext.privileged=true` } : undefined;
    },
  },
  {
    id: 'procMount',
    level: 'baseline',
    run({ spec }) {
      const names: string[] = [];
      const types = new Set<string>();
      for (const c of allContainers(spec)) {
        const procMount = securityContextOf(c).procMount;
        if (typeof procMount === 'string' && procMount !== '' && procMount !== 'Default') {
          names.push(nameOf(c));
          types.add(procMount);
        }
      }
      if (names.length === 0) return undefined;
      return { reason: 'procMount', detail: `${containersPhrase(names)} must not set securityContext.procMount to ${joinQuote([...types].sort())}` };
    },
  },
  {
    id: 'seLinuxOptions',
    level: 'baseline',
    run({ spec }) {
      const badTypes = new Set<string>();
      let setUser = false;
      let setRole = false;
      const forbidden = (o: Json) => {
        const options = objectOf(securityContextOf(o).seLinuxOptions);
        let bad = false;
        const type = typeof options.type === 'string' ? options.type : '';
        if (!ALLOWED_SELINUX_TYPES.has(type)) {
          badTypes.add(type);
          bad = true;
        }
        if (typeof options.user === 'string' && options.user) setUser = bad = true;
        if (typeof options.role === 'string' && options.role) setRole = bad = true;
        return bad;
      };
      const setters: string[] = [];
      if (forbidden(spec)) setters.push('pod');
      const names = allContainers(spec).filter(forbidden).map(nameOf);
      if (names.length > 0) setters.push(containersPhrase(names));
      if (setters.length === 0) return undefined;
      const what: string[] = [];
      if (badTypes.size > 0) what.push(`${pluralize('type', 'types', badTypes.size)} ${joinQuote([...badTypes].sort())}`);
      if (setUser) what.push('user may not be set');
      if (setRole) what.push('role may not be set');
      return { reason: 'seLinuxOptions', detail: `${setters.join(', ')} set forbidden securityContext.seLinuxOptions: ${what.join('; ')}` };
    },
  },
  {
    id: 'seccompProfile_baseline',
    level: 'baseline',
    run({ spec }) {
      const unconfined = (o: Json) => objectOf(securityContextOf(o).seccompProfile).type === 'Unconfined';
      const setters: string[] = [];
      if (unconfined(spec)) setters.push('pod');
      const names = allContainers(spec).filter(unconfined).map(nameOf);
      if (names.length > 0) setters.push(containersPhrase(names));
      if (setters.length === 0) return undefined;
      return { reason: 'seccompProfile', detail: `${setters.join(' and ')} must not set securityContext.seccompProfile.type to "Unconfined"` };
    },
  },
  {
    id: 'sysctls',
    level: 'baseline',
    run({ spec }) {
      const names = arrayOf(securityContextOf(spec).sysctls).map((s) => String(s.name ?? '')).filter((name) => !SAFE_SYSCTLS.has(name));
      return names.length > 0 ? { reason: 'forbidden sysctls', detail: names.join(', ') } : undefined;
    },
  },
  {
    id: 'windowsHostProcess',
    level: 'baseline',
    run({ spec }) {
      const hostProcess = (o: Json) => objectOf(securityContextOf(o).windowsOptions).hostProcess === true;
      const setters: string[] = [];
      if (hostProcess(spec)) setters.push('pod');
      const names = allContainers(spec).filter(hostProcess).map(nameOf);
      if (names.length > 0) setters.push(containersPhrase(names));
      if (setters.length === 0) return undefined;
      return { reason: 'hostProcess', detail: `${setters.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true` };
    },
  },
  {
    id: 'allowPrivilegeEscalation',
    level: 'restricted',
    run({ spec }) {
      const names = allContainers(spec).filter((c) => securityContextOf(c).allowPrivilegeEscalation !== false).map(nameOf);
      return names.length > 0 ? { reason: 'allowPrivilegeEscalation != false', detail: `${containersPhrase(names)} must set securityContext.allowPrivilegeEscalation=false` } : undefined;
    },
  },
  {
    id: 'capabilities_restricted',
    level: 'restricted',
    overrides: ['capabilities_baseline'],
    run({ spec }) {
      const notDropping: string[] = [];
      const adding: string[] = [];
      const added = new Set<string>();
      for (const c of allContainers(spec)) {
        const capabilities = objectOf(securityContextOf(c).capabilities);
        if (!arrayOfStrings(capabilities.drop).includes('ALL')) notDropping.push(nameOf(c));
        const extra = arrayOfStrings(capabilities.add).filter((cap) => cap !== 'NET_BIND_SERVICE');
        if (extra.length > 0) {
          adding.push(nameOf(c));
          for (const cap of extra) added.add(cap);
        }
      }
      const parts: string[] = [];
      if (notDropping.length > 0) parts.push(`${containersPhrase(notDropping)} must set securityContext.capabilities.drop=["ALL"]`);
      if (adding.length > 0) parts.push(`${containersPhrase(adding)} must not include ${joinQuote([...added].sort())} in securityContext.capabilities.add`);
      return parts.length > 0 ? { reason: 'unrestricted capabilities', detail: parts.join('; ') } : undefined;
    },
  },
  {
    id: 'restrictedVolumes',
    level: 'restricted',
    run({ spec }) {
      const names: string[] = [];
      const types = new Set<string>();
      for (const volume of arrayOf(spec.volumes)) {
        const source = Object.keys(volume).find((key) => key !== 'name');
        if (source === undefined || RESTRICTED_VOLUME_SOURCES.has(source)) continue;
        names.push(String(volume.name ?? ''));
        types.add(source);
      }
      if (names.length === 0) return undefined;
      return {
        reason: 'restricted volume types',
        detail: `${pluralize('volume', 'volumes', names.length)} ${joinQuote(names)} ${pluralize('uses', 'use', names.length)} ${pluralize('restricted volume type', 'restricted volume types', types.size)} ${joinQuote([...types].sort())}`,
      };
    },
  },
  {
    id: 'runAsNonRoot',
    level: 'restricted',
    run({ spec }) {
      const podValue = securityContextOf(spec).runAsNonRoot;
      const parts: string[] = [];
      if (podValue === false) parts.push('pod must not set securityContext.runAsNonRoot=false');
      const explicitFalse = allContainers(spec).filter((c) => securityContextOf(c).runAsNonRoot === false).map(nameOf);
      if (explicitFalse.length > 0) parts.push(`${containersPhrase(explicitFalse)} must not set securityContext.runAsNonRoot=false`);
      if (podValue !== true) {
        const unset = allContainers(spec).filter((c) => securityContextOf(c).runAsNonRoot === undefined).map(nameOf);
        if (unset.length > 0) parts.push(`pod or ${containersPhrase(unset)} must set securityContext.runAsNonRoot=true`);
      }
      return parts.length > 0 ? { reason: 'runAsNonRoot != true', detail: parts.join('; ') } : undefined;
    },
  },
  {
    id: 'runAsUser',
    level: 'restricted',
    run({ spec }) {
      const setters: string[] = [];
      if (securityContextOf(spec).runAsUser === 0) setters.push('pod');
      const names = allContainers(spec).filter((c) => securityContextOf(c).runAsUser === 0).map(nameOf);
      if (names.length > 0) setters.push(containersPhrase(names));
      return setters.length > 0 ? { reason: 'runAsUser=0', detail: `${setters.join(' and ')} must not set runAsUser=0` } : undefined;
    },
  },
  {
    id: 'seccompProfile_restricted',
    level: 'restricted',
    overrides: ['seccompProfile_baseline'],
    run({ spec }) {
      const typeOf = (o: Json) => objectOf(securityContextOf(o).seccompProfile).type;
      const allowed = (type: unknown) => type === 'RuntimeDefault' || type === 'Localhost';
      const podType = typeOf(spec);
      const parts: string[] = [];
      if (podType !== undefined && !allowed(podType)) parts.push(`pod must not set securityContext.seccompProfile.type to "${String(podType)}"`);
      const wrong = allContainers(spec).filter((c) => typeOf(c) !== undefined && !allowed(typeOf(c)));
      if (wrong.length > 0) {
        const types = [...new Set(wrong.map((c) => String(typeOf(c))))].sort();
        parts.push(`${containersPhrase(wrong.map(nameOf))} must not set securityContext.seccompProfile.type to ${joinQuote(types)}`);
      }
      if (!allowed(podType)) {
        const unset = allContainers(spec).filter((c) => typeOf(c) === undefined).map(nameOf);
        if (unset.length > 0) parts.push(`pod or ${containersPhrase(unset)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`);
      }
      return parts.length > 0 ? { reason: 'seccompProfile', detail: parts.join('; ') } : undefined;
    },
  },
];

function arrayOfStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The checks a level runs, in the evaluator's order. */
function checksFor(level: Level): Check[] {
  if (level === 'privileged') return [];
  const chosen = CHECKS.filter((c) => c.level === 'baseline' || level === 'restricted');
  const overridden = new Set(chosen.flatMap((c) => c.overrides ?? []));
  return chosen.filter((c) => !overridden.has(c.id));
}

/** Every violation of the level, in order; none means allowed. */
export function evaluatePod(level: Level, input: PodSecurityInput): Violation[] {
  const violations: Violation[] = [];
  for (const check of checksFor(level)) {
    const violation = check.run(input);
    if (violation) violations.push(violation);
  }
  return violations;
}

/** AggregateCheckResult.ForbiddenDetail: `reason (detail), reason, ...`. */
export function forbiddenDetail(violations: readonly Violation[]): string {
  return violations.map((v) => (v.detail ? `${v.reason} (${v.detail})` : v.reason)).join(', ');
}
