/**
 * Cron schedules as CronJobs accept them (robfig/cron's standard parser): five fields
 * (minute hour day-of-month month day-of-week) with `*`, `?`, lists, ranges, steps and
 * month/day names, or a descriptor (@hourly, @daily, @every 1h30m, ...). Returns the
 * parser's error message, or undefined for a valid schedule. Only syntax is checked.
 */

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DAYS: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };

const FIELDS: Bounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTHS },
  { min: 0, max: 6, names: DAYS },
];

const DESCRIPTORS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

/** Go's time.ParseDuration grammar: "1h30m", "90s", "1.5h". */
const DURATION_RE = /^([0-9]*(\.[0-9]*)?(ns|us|µs|ms|s|m|h))+$/;

function parseNumber(text: string, bounds: Bounds): number | string {
  const named = bounds.names && Object.hasOwn(bounds.names, text.toLowerCase()) ? bounds.names[text.toLowerCase()] : undefined;
  if (named !== undefined) return named;
  if (!/^\d+$/.test(text)) return `failed to parse int from ${text}: strconv.Atoi: parsing ${JSON.stringify(text)}: invalid syntax`;
  return Number(text);
}

function checkRange(expression: string, bounds: Bounds): string | undefined {
  const slash = expression.split('/');
  if (slash.length > 2) return `too many slashes: ${expression}`;
  const range = slash[0]!;
  const ends = range.split('-');
  if (ends.length > 2) return `too many hyphens: ${expression}`;
  let start: number;
  let end: number;
  if (range === '*' || range === '?') {
    start = bounds.min;
    end = bounds.max;
  } else {
    const first = parseNumber(ends[0]!, bounds);
    if (typeof first === 'string') return first;
    start = first;
    if (ends.length === 2) {
      const second = parseNumber(ends[1]!, bounds);
      if (typeof second === 'string') return second;
      end = second;
    } else {
      end = start;
    }
  }
  if (slash.length === 2) {
    const step = parseNumber(slash[1]!, { min: 0, max: 0 });
    if (typeof step === 'string') return step;
    if (step <= 0) return `step of range should be a positive number: ${expression}`;
  }
  if (start < bounds.min) return `beginning of range (${start}) below minimum (${bounds.min}): ${expression}`;
  if (end > bounds.max) return `end of range (${end}) above maximum (${bounds.max}): ${expression}`;
  if (start > end) return `beginning of range (${start}) beyond end of range (${end}): ${expression}`;
  return undefined;
}

export function cronScheduleError(schedule: string): string | undefined {
  let spec = schedule.trim();
  // A leading TZ=/CRON_TZ= names the time zone; CronJob validation rejects it separately.
  if (/^(CRON_)?TZ=/.test(spec)) {
    const space = spec.indexOf(' ');
    if (space < 0) return `provided bad location ${spec.slice(spec.indexOf('=') + 1)}: unknown time zone`;
    spec = spec.slice(space).trim();
  }
  if (spec.startsWith('@')) {
    if (DESCRIPTORS.has(spec)) return undefined;
    if (spec.startsWith('@every ')) {
      const duration = spec.slice('@every '.length);
      return DURATION_RE.test(duration) ? undefined : `failed to parse duration ${spec}: time: invalid duration ${JSON.stringify(duration)}`;
    }
    return `unrecognized descriptor: ${spec}`;
  }
  const fields = spec.split(/\s+/).filter(Boolean);
  if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`;
  for (let i = 0; i < 5; i++) {
    for (const expression of fields[i]!.split(',')) {
      const error = checkRange(expression, FIELDS[i]!);
      if (error) return error;
    }
  }
  return undefined;
}
