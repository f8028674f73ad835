/**
 * Pod addresses from the node's podCIDR, as the host-local IPAM plugin hands them out:
 * each pod gets the next free address after the last one given, skipping the network
 * address, the gateway .1 and the broadcast address (a /30 keeps .1, a /31 or /32 uses
 * all); the same pod asking twice gets the same address, and a released address is
 * reused only after the range wraps.
 * Deterministic and free of I/O; a per-node instance, so no copying per allocation.
 */

export class PodIPAllocator {
  readonly first: number;
  readonly last: number;
  private next: number;
  private readonly byUid = new Map<string, number>();
  private readonly used = new Set<number>();

  constructor(readonly cidr: string) {
    const { base, bits } = parseCidr(cidr);
    const size = 2 ** (32 - bits);
    if (size <= 2) {
      this.first = base;
      this.last = base + size - 1;
    } else if (size === 4) {
      this.first = base + 1;
      this.last = base + 2;
    } else {
      this.first = base + 2;
      this.last = base + size - 2;
    }
    this.next = this.first;
  }

  get capacity(): number {
    return this.last - this.first + 1;
  }

  get allocated(): number {
    return this.used.size;
  }

  /** The pod's address; throws when the range is exhausted. */
  allocate(uid: string): string {
    const known = this.byUid.get(uid);
    if (known !== undefined) return formatIPv4(known);
    for (let i = 0; i < this.capacity; i++) {
      const candidate = this.next;
      this.next = candidate >= this.last ? this.first : candidate + 1;
      if (!this.used.has(candidate)) {
        this.used.add(candidate);
        this.byUid.set(uid, candidate);
        return formatIPv4(candidate);
      }
    }
    throw new Error(`no free address left in ${this.cidr}`);
  }

  /** Keeps an address a pod already had (a kubelet restart); false when it is not ours to give or is taken. */
  claim(uid: string, ip: string): boolean {
    const address = parseIPv4(ip);
    if (address === undefined || address < this.first || address > this.last) return false;
    const known = this.byUid.get(uid);
    if (known !== undefined) return known === address;
    if (this.used.has(address)) return false;
    this.used.add(address);
    this.byUid.set(uid, address);
    return true;
  }

  release(uid: string): void {
    const address = this.byUid.get(uid);
    if (address === undefined) return;
    this.byUid.delete(uid);
    this.used.delete(address);
  }

  addressOf(uid: string): string | undefined {
    const address = this.byUid.get(uid);
    return address === undefined ? undefined : formatIPv4(address);
  }
}

export function parseCidr(cidr: string): { base: number; bits: number } {
  const [ip, bitsText] = cidr.split('/');
  const address = parseIPv4(ip ?? '');
  const bits = Number(bitsText);
  if (address === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) throw new Error(`invalid IPv4 CIDR "${cidr}"`);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { base: (address & mask) >>> 0, bits };
}

export function parseIPv4(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}

export function formatIPv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}
