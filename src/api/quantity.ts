/**
 * Resource quantities ("500m", "128Mi", "1.5", "2e3") as Kubernetes parses them
 * (api/resource.Quantity): exact values, compared without floating point. A quantity
 * is held as a bigint count of nano-units, rounded up, which is Quantity's own precision.
 */
export const QUANTITY_PATTERN = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
export const QUANTITY_FORMAT_ERROR = `quantities must match the regular expression '${QUANTITY_PATTERN}'`;

const QUANTITY_RE = new RegExp(QUANTITY_PATTERN);
const DECIMAL_RE = /^[+-]?(\d+\.?\d*|\.\d+)$/;

const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

/** Exponents beyond this are refused rather than turned into enormous numbers. */
const MAX_EXPONENT = 100;

/**
 * Parsed quantities by text. Clusters use few distinct quantities ("100m", "64Mi") over
 * and over, and parsing with bigints is a visible share of a create's CPU; the cache is
 * bounded by clearing it when full.
 */
const parsed = new Map<string, bigint | undefined>();
const PARSED_LIMIT = 10_000;

/** The value in nano-units (1e-9), or undefined when the text is not a quantity. */
export function parseQuantity(input: string | number): bigint | undefined {
  const text = typeof input === 'number' ? (Number.isFinite(input) ? String(input) : '') : input;
  if (parsed.has(text)) return parsed.get(text);
  const value = parseQuantityText(text);
  if (parsed.size >= PARSED_LIMIT) parsed.clear();
  parsed.set(text, value);
  return value;
}

function parseQuantityText(text: string): bigint | undefined {
  const match = QUANTITY_RE.exec(text);
  if (!match) return undefined;
  const numberPart = match[1]!;
  const suffix = match[2]!;
  if (!DECIMAL_RE.test(numberPart)) return undefined;

  let exponent10 = 0;
  let exponent2 = 0;
  if (Object.hasOwn(DECIMAL_SUFFIXES, suffix)) exponent10 = DECIMAL_SUFFIXES[suffix]!;
  else if (Object.hasOwn(BINARY_SUFFIXES, suffix)) exponent2 = BINARY_SUFFIXES[suffix]!;
  else if (/^[eE][-+]?\d+$/.test(suffix)) exponent10 = Number(suffix.slice(1));
  else return undefined;
  if (Math.abs(exponent10) > MAX_EXPONENT) return undefined;

  const negative = numberPart.startsWith('-');
  const unsigned = numberPart.replace(/^[+-]/, '');
  const [whole = '', fraction = ''] = unsigned.split('.');
  const digits = BigInt(`${whole}${fraction}` || '0');
  const scale = 9 + exponent10 - fraction.length;
  let magnitude = digits * 2n ** BigInt(exponent2);
  if (scale >= 0) {
    magnitude *= 10n ** BigInt(scale);
  } else {
    const divisor = 10n ** BigInt(-scale);
    // Round away from zero, as Quantity does when it drops precision below nano.
    magnitude = (magnitude + divisor - 1n) / divisor;
  }
  return negative ? -magnitude : magnitude;
}

export const isQuantity = (input: unknown): boolean =>
  (typeof input === 'string' || typeof input === 'number') && parseQuantity(input) !== undefined;

/** -1, 0 or 1; undefined when either side is not a quantity. */
export function compareQuantities(a: string | number, b: string | number): -1 | 0 | 1 | undefined {
  const x = parseQuantity(a);
  const y = parseQuantity(b);
  if (x === undefined || y === undefined) return undefined;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The value as a float of base units (cores, bytes): for arithmetic where exactness does not matter. */
export function quantityToNumber(input: string | number): number | undefined {
  const nanos = parseQuantity(input);
  return nanos === undefined ? undefined : Number(nanos) / 1e9;
}

/** The value in milli-units, rounded up: the unit of CPU requests. */
export function quantityToMillis(input: string | number): number | undefined {
  const nanos = parseQuantity(input);
  if (nanos === undefined) return undefined;
  const millis = nanos >= 0n ? (nanos + 999_999n) / 1_000_000n : nanos / 1_000_000n;
  return Number(millis);
}
