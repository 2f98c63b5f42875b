// Growable typed-array columns for the worker's collectors (alert-collector.ts: alert columns;
// conn-collector.ts: connection records): push one value at a time, doubling the backing array
// when full (amortised O(1), no per-value allocation), then a right-sized copy to transfer.

export type Typed = Float64Array | Uint32Array | Uint16Array | Uint8Array | Int16Array;

/** A typed-array column that doubles when full. */
export class Column<T extends Typed> {
  n = 0;
  constructor(public a: T) {}
  push(v: number): void {
    if (this.n === this.a.length) this.grow();
    this.a[this.n++] = v;
  }
  private grow(): void {
    const b = new (this.a.constructor as new (n: number) => T)(this.a.length * 2);
    b.set(this.a as never);
    this.a = b;
  }
  /** A right-sized copy of the values pushed so far. */
  done(): T {
    return this.a.slice(0, this.n) as T;
  }
}

/** Initial capacity of a column (values). */
export const INIT = 256;
export const f64 = () => new Column(new Float64Array(INIT));
export const u32 = () => new Column(new Uint32Array(INIT));
export const u16 = () => new Column(new Uint16Array(INIT));
export const u8 = () => new Column(new Uint8Array(INIT));
