/**
 * A small strict parser of the Prometheus text exposition format (0.0.4): # HELP and
 * # TYPE lines, samples `name{label="value",...} value [timestamp]` with escaped label
 * values. Throws on anything malformed, a sample before its family's TYPE, a TYPE
 * repeated, or a histogram whose buckets are not cumulative or lack +Inf.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: string;
  help?: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    const where = `line ${index + 1}: ${JSON.stringify(line)}`;
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) return; // a plain comment
      const [, keyword, name, rest] = m as unknown as [string, string, string, string];
      if (!NAME.test(name)) throw new Error(`bad metric name, ${where}`);
      const family = families.get(name) ?? { name, type: 'untyped', samples: [] };
      if (keyword === 'TYPE') {
        if (!TYPES.has(rest)) throw new Error(`bad type, ${where}`);
        if (families.has(name) && (families.get(name)!.samples.length > 0 || families.get(name)!.type !== 'untyped')) throw new Error(`TYPE after samples or repeated, ${where}`);
        family.type = rest;
      } else {
        family.help = rest;
      }
      families.set(name, family);
      return;
    }
    const sample = parseSample(line, where);
    const family = familyOf(families, sample.name);
    if (!family) throw new Error(`sample without a TYPE, ${where}`);
    family.samples.push(sample);
  });
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

function parseSample(line: string, where: string): Sample {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)( -?\d+)?$/.exec(line);
  if (!m) throw new Error(`bad sample, ${where}`);
  const labels: Record<string, string> = {};
  if (m[2]) {
    let rest = m[2].slice(1, -1);
    while (rest.length > 0) {
      const l = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/.exec(rest);
      if (!l) throw new Error(`bad labels, ${where}`);
      const [whole, label, raw] = l as unknown as [string, string, string];
      if (label in labels) throw new Error(`repeated label ${label}, ${where}`);
      labels[label] = raw.replace(/\\(.)/g, (_s, c: string) => (c === 'n' ? '\n' : c));
      rest = rest.slice(whole.length);
    }
  }
  // As Prometheus' Go parser (strconv.ParseFloat): NaN and Inf in any case (prom-client writes "Nan").
  const text = m[3]!.toLowerCase();
  const value = /^\+?inf(inity)?$/.test(text) ? Infinity : /^-inf(inity)?$/.test(text) ? -Infinity : text === 'nan' ? NaN : /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/.test(text) ? Number(text) : undefined;
  if (value === undefined) throw new Error(`bad value, ${where}`);
  return { name: m[1]!, labels, value };
}

function familyOf(families: Map<string, Family>, sampleName: string): Family | undefined {
  const direct = families.get(sampleName);
  if (direct) return direct;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!sampleName.endsWith(suffix)) continue;
    const family = families.get(sampleName.slice(0, -suffix.length));
    if (family && (family.type === 'histogram' || family.type === 'summary')) return family;
  }
  return undefined;
}

function checkHistogram(family: Family): void {
  const series = new Map<string, Sample[]>();
  for (const s of family.samples) {
    if (!s.name.endsWith('_bucket')) continue;
    const { le, ...rest } = s.labels;
    if (le === undefined) throw new Error(`${family.name}: bucket without le`);
    const key = JSON.stringify(Object.entries(rest).sort());
    series.set(key, [...(series.get(key) ?? []), s]);
  }
  for (const buckets of series.values()) {
    const sorted = [...buckets].sort((a, b) => Number(a.labels.le === '+Inf' ? Infinity : a.labels.le) - Number(b.labels.le === '+Inf' ? Infinity : b.labels.le));
    if (sorted.at(-1)?.labels.le !== '+Inf') throw new Error(`${family.name}: no +Inf bucket`);
    for (let i = 1; i < sorted.length; i++) if (sorted[i]!.value < sorted[i - 1]!.value) throw new Error(`${family.name}: buckets not cumulative`);
  }
}

/** The value of the one sample of name whose labels include these; undefined when none. */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const family of families.values()) {
    for (const s of family.samples) {
      if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return s.value;
    }
  }
  return undefined;
}
