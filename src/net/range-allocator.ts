/**
 * Picking a free value from a range, as Kubernetes' bitmap allocators do, pure: a
 * dynamic allocation starts at a random offset in the upper part of the range and walks
 * on, so that the lower "static band" stays free for values users ask for by number
 * (KEP-3070 for ClusterIPs, KEP-3668 for NodePorts); only when the upper part is full
 * does it fall back to the static band. Several API servers picking at once start at
 * different offsets, so their compare-and-set creates rarely collide.
 */

export interface ValueRange {
  first: number;
  last: number;
  /** The last value of the static band (first..staticEnd). */
  staticEnd: number;
}

/** Kubernetes' static band: size/16, at least `min`, at most `max` values. */
export function withStaticBand(first: number, last: number, min: number, max: number): ValueRange {
  const size = last - first + 1;
  const band = Math.min(Math.max(min, Math.floor(size / 16)), max, size);
  return { first, last, staticEnd: first + band - 1 };
}

export function inRange(range: ValueRange, value: number): boolean {
  return Number.isInteger(value) && value >= range.first && value <= range.last;
}

/** A free value, or undefined when every value is taken. `random` is in [0, 1). */
export function pickFree(range: ValueRange, isTaken: (value: number) => boolean, random: () => number): number | undefined {
  const upper = walkFrom(range.staticEnd + 1, range.last, isTaken, random);
  return upper ?? walkFrom(range.first, range.staticEnd, isTaken, random);
}

function walkFrom(first: number, last: number, isTaken: (value: number) => boolean, random: () => number): number | undefined {
  const size = last - first + 1;
  if (size <= 0) return undefined;
  const start = Math.floor(random() * size);
  for (let i = 0; i < size; i++) {
    const value = first + ((start + i) % size);
    if (!isTaken(value)) return value;
  }
  return undefined;
}
