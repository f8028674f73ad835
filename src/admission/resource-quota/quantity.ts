/**
 * Quantities with their format, as Kubernetes' resource.Quantity keeps one, so sums print
 * as Kubernetes prints them ("1536Mi", "1500m", "3"): a value (nano-units, exact) and a
 * format (DecimalSI, BinarySI, DecimalExponent) read from the suffix. A sum keeps the
 * format of its first operand unless that operand is zero (Quantity.Add/Sub), and
 * String() is the canonical form: the largest suffix that keeps the number an integer
 * (a multiple of 3 for decimal, a power of 1024 for binary; binary values below 1024 or
 * with a fraction print as decimal). Pure.
 */
import { parseQuantity } from '../../api/quantity.ts';

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** The value in nano-units (1e-9), rounded up as Quantity rounds. */
  readonly nanos: bigint;
  readonly format: QuantityFormat;
}

export const ZERO: Quantity = { nanos: 0n, format: 'DecimalSI' };

const NANO = 1_000_000_000n;

export function quantityOf(input: unknown): Quantity | undefined {
  if (typeof input !== 'string' && typeof input !== 'number') return undefined;
  const nanos = parseQuantity(input);
  if (nanos === undefined) return undefined;
  const text = String(input);
  const format: QuantityFormat = /[KMGTPE]i$/.test(text) ? 'BinarySI' : /\d[eE][-+]?\d+$/.test(text) ? 'DecimalExponent' : 'DecimalSI';
  return { nanos, format };
}

/** An integer count, as resource.NewQuantity(n, DecimalSI). */
export const countOf = (n: number | bigint): Quantity => ({ nanos: BigInt(n) * NANO, format: 'DecimalSI' });

export function add(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos + b.nanos, format: a.nanos === 0n ? b.format : a.format };
}

export function subtract(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos - b.nanos, format: a.nanos === 0n ? b.format : a.format };
}

export const compare = (a: Quantity, b: Quantity): -1 | 0 | 1 => (a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0);

/** Quantity.Value(): whole units, rounded up. */
export function value(q: Quantity): bigint {
  return ceilDiv(q.nanos, NANO);
}

/** Quantity.MilliValue(): thousandths, rounded up. */
export function milliValue(q: Quantity): bigint {
  return ceilDiv(q.nanos, 1_000_000n);
}

function ceilDiv(n: bigint, d: bigint): bigint {
  const q = n / d;
  return n % d !== 0n && n > 0n ? q + 1n : q;
}

const DECIMAL_SUFFIX: Record<number, string> = { [-9]: 'n', [-6]: 'u', [-3]: 'm', 0: '', 3: 'k', 6: 'M', 9: 'G', 12: 'T', 15: 'P', 18: 'E' };
const BINARY_SUFFIX = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/** Quantity.String(): the canonical text. */
export function formatQuantity(q: Quantity): string {
  if (q.nanos === 0n) return '0';
  const negative = q.nanos < 0n;
  const magnitude = negative ? -q.nanos : q.nanos;
  const sign = negative ? '-' : '';
  if (q.format === 'BinarySI' && magnitude >= 1024n * NANO && magnitude % NANO === 0n) {
    let units = magnitude / NANO;
    let power = 0;
    while (power < BINARY_SUFFIX.length - 1 && units % 1024n === 0n) {
      units /= 1024n;
      power++;
    }
    return `${sign}${units}${BINARY_SUFFIX[power]}`;
  }
  // Decimal: mantissa * 10^exponent with the exponent a multiple of 3.
  let mantissa = magnitude;
  let exponent = -9;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  const down = ((exponent % 3) + 3) % 3;
  mantissa *= 10n ** BigInt(down);
  exponent -= down;
  if (q.format === 'DecimalExponent') return `${sign}${mantissa}${exponent === 0 ? '' : `e${exponent}`}`;
  if (exponent > 18) {
    mantissa *= 10n ** BigInt(exponent - 18);
    exponent = 18;
  }
  return `${sign}${mantissa}${DECIMAL_SUFFIX[exponent]}`;
}

/** A stored quantity text in its canonical form (unparseable text is returned as is). */
export function canonicalQuantity(input: unknown): string {
  const q = quantityOf(input);
  return q ? formatQuantity(q) : String(input ?? '');
}
