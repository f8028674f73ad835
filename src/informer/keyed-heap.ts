/**
 * A binary heap of keyed items (client-go's heap.Heap as the scheduling queue uses it):
 * push replaces an item of the same key, delete and peek by key, pop the least. The
 * scheduling queue orders pods with it; the controllers' delaying queue, due times.
 */
export class KeyedHeap<T> {
  private readonly items: { key: string; value: T }[] = [];
  private readonly index = new Map<string, number>();

  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  has(key: string): boolean {
    return this.index.has(key);
  }

  get(key: string): T | undefined {
    const at = this.index.get(key);
    return at === undefined ? undefined : this.items[at]!.value;
  }

  push(key: string, value: T): void {
    const at = this.index.get(key);
    if (at !== undefined) {
      this.items[at]!.value = value;
      this.fix(at);
      return;
    }
    this.items.push({ key, value });
    this.index.set(key, this.items.length - 1);
    this.up(this.items.length - 1);
  }

  peek(): T | undefined {
    return this.items[0]?.value;
  }

  pop(): T | undefined {
    if (this.items.length === 0) return undefined;
    return this.removeAt(0);
  }

  delete(key: string): T | undefined {
    const at = this.index.get(key);
    return at === undefined ? undefined : this.removeAt(at);
  }

  clear(): void {
    this.items.length = 0;
    this.index.clear();
  }

  values(): T[] {
    return this.items.map((i) => i.value);
  }

  private removeAt(at: number): T {
    const last = this.items.length - 1;
    const removed = this.items[at]!;
    if (at !== last) this.swap(at, last);
    this.items.pop();
    this.index.delete(removed.key);
    if (at < this.items.length) this.fix(at);
    return removed.value;
  }

  private fix(at: number): void {
    if (!this.up(at)) this.down(at);
  }

  private up(at: number): boolean {
    const start = at;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!this.less(this.items[at]!.value, this.items[parent]!.value)) break;
      this.swap(at, parent);
      at = parent;
    }
    return at !== start;
  }

  private down(at: number): void {
    const n = this.items.length;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= n) return;
      const right = left + 1;
      let least = left;
      if (right < n && this.less(this.items[right]!.value, this.items[left]!.value)) least = right;
      if (!this.less(this.items[least]!.value, this.items[at]!.value)) return;
      this.swap(at, least);
      at = least;
    }
  }

  private swap(i: number, j: number): void {
    const a = this.items[i]!;
    const b = this.items[j]!;
    this.items[i] = b;
    this.items[j] = a;
    this.index.set(b.key, i);
    this.index.set(a.key, j);
  }
}
