/**
 * A CronJob's schedule as kube-controller-manager reads it (robfig/cron's ParseStandard):
 * five fields, the @yearly/@annually/@monthly/@weekly/@daily/@midnight/@hourly macros,
 * `@every <duration>`, and a time zone from spec.timeZone (or a `TZ=`/`CRON_TZ=` prefix,
 * which Kubernetes still honours with a warning). The next-time arithmetic of calendar
 * schedules, time zones and DST included, is croner's (zero dependencies, time zones
 * through the platform's Intl database, so no copy of tzdata to keep current); robfig's
 * `?` (any) is given to it as `*`, since croner reads `?` differently. `@every` is
 * robfig's ConstantDelaySchedule, which croner does not have. Pure.
 */
import { Cron } from 'croner';

export interface Schedule {
  /** The first activation strictly after `afterMs` (whole seconds), or undefined when there is none. */
  next(afterMs: number): number | undefined;
}

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const GO_DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration, in ms ("1h30m", "90s", "1.5h"); undefined when malformed. */
export function parseGoDuration(text: string): number | undefined {
  if (!/^([0-9]*(\.[0-9]*)?(ns|us|µs|ms|s|m|h))+$/.test(text)) return undefined;
  let total = 0;
  for (const [, value, unit] of text.matchAll(/([0-9]*(?:\.[0-9]*)?)(ns|us|µs|ms|s|m|h)/g)) {
    if (value === '' || value === '.') return undefined;
    total += Number(value) * GO_DURATION_UNITS[unit!]!;
  }
  return total;
}

/** Whether the platform knows the IANA zone (Go's time.LoadLocation). */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

export class ScheduleError extends Error {}

/** Parses the schedule; a ScheduleError carries the reason. */
export function parseSchedule(spec: string, timeZone?: string): Schedule {
  let text = spec.trim();
  let zone = timeZone;
  const prefix = /^(?:CRON_)?TZ=(\S+)\s+/.exec(text);
  if (prefix) {
    zone = prefix[1];
    text = text.slice(prefix[0].length).trim();
  }
  if (zone !== undefined && !isKnownTimeZone(zone)) throw new ScheduleError(`provided bad location ${zone}: unknown time zone ${zone}`);
  if (text.startsWith('@every ')) {
    const duration = parseGoDuration(text.slice('@every '.length).trim());
    if (duration === undefined) throw new ScheduleError(`failed to parse duration ${text}`);
    // robfig: at least a second, whole seconds; the next run is a delay after the last one.
    const delay = Math.max(1000, Math.floor(duration / 1000) * 1000);
    return { next: (after) => Math.floor(after / 1000) * 1000 + delay };
  }
  if (text.startsWith('@')) {
    const expanded = MACROS[text];
    if (!expanded) throw new ScheduleError(`unrecognized descriptor: ${text}`);
    text = expanded;
  }
  const fields = text.split(/\s+/);
  if (fields.length !== 5) throw new ScheduleError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  let cron: Cron;
  try {
    cron = new Cron(fields.map((f) => f.replaceAll('?', '*')).join(' '), { paused: true, ...(zone !== undefined ? { timezone: zone } : {}) });
  } catch (error) {
    throw new ScheduleError(error instanceof Error ? error.message : String(error));
  }
  return {
    next(after) {
      const next = cron.nextRun(new Date(Math.floor(after / 1000) * 1000));
      return next ? next.getTime() : undefined;
    },
  };
}

/** RFC 3339 of `ms` as wall time in the zone, with its offset ("2024-01-01T09:00:00+01:00"); UTC spells it Z. */
export function rfc3339InZone(ms: number, timeZone?: string): string {
  if (!timeZone || timeZone === 'UTC' || timeZone === 'Etc/UTC') return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  const offset = parts.timeZoneName === 'GMT' ? 'Z' : String(parts.timeZoneName).replace('GMT', '');
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`;
}
