// A generic open-addressed hash table of fixed-size slots in one heap block: power-of-two
// capacity, `hash & mask`, linear probing, load limit 3/4, deletion by backward shift (no
// tombstones), growth by doubling while the memory cap allows, and an O(1) eviction policy when
// the cap is reached. It owns the slot memory; it never reads config and never counts: owners
// (flow-table.ts, detect/zscore.ts) do both. Slot pointers are valid until the next insert/remove.
import { hashWords } from "./hash";

/** Slot header, common to every table. */
export const SLOT_HASH: usize = 0; // u32 stored hash, 0 = empty slot (a hash of 0 is stored as 1)
export const SLOT_AUX: usize = 4; // u32 owner-defined
export const SLOT_LAST: usize = 8; // i64 last-seen packet time (µs): the eviction order
export const SLOT_KEY: usize = 16; // key bytes (a multiple of 4), then the owner's value

// Memory: capacity x stride bytes (+64 for cache-line alignment); while doubling, the old and the
// new block coexist for the duration of the rehash (1.5x the new size at the cap, transiently).

/** Smallest capacity, even when the memory cap is smaller (so a table always works). */
export const MIN_CAPACITY: u32 = 16;
/** Load limit numerator / denominator: at most 3/4 of the slots are used. */
export const LOAD_NUM: u32 = 3;
export const LOAD_DEN: u32 = 4;
/** Slots examined from the new key's home slot when the table is at its cap and load limit. */
export const EVICT_WINDOW: u32 = 16;

export class OpenTable {
  /** First slot, 64-byte aligned (cache lines); `raw` is the heap block. */
  base: usize = 0;
  raw: usize = 0;
  /** The stored hashes again, one u32 per slot in a dense array (0 = empty): lookups probe it
   *  (16 slots per cache line) and touch a slot only when its hash matches, the sweeps skip empty
   *  slots without touching their cache lines. Always equal to each slot's SLOT_HASH. */
  hs: usize = 0;
  cap: u32 = 0;
  mask: u32 = 0;
  count: u32 = 0;
  limit: u32 = 0;
  maxCap: u32 = 0;
  stride: usize = 0;
  keyBytes: usize = 0;
  keyWords: i32 = 0;
  seed: u32 = 0;
  /** Bytes of a slot that insert() zeroes (from the slot's start; at least the header and the
   *  key). init() sets it to the stride; an owner that initialises the rest of its value itself
   *  (and never reads what it did not write) may lower it after init() to write less memory. */
  clearBytes: usize = 0;
  /** Set by insert(): true when it evicted an entry to make room (the owner counts it). */
  evicted: bool = false;
  /** A copy of the entry insert() evicted (stride bytes), valid until the next insert, so the
   *  owner can finish it (emit its last window, close its episode). */
  evictedCopy: usize = 0;

  /** (Re)allocates the table: `initialCap` slots rounded up to a power of two, clamped to
   *  [MIN_CAPACITY, maxCap] where maxCap is the largest power of two with maxCap*stride <= memCap. */
  init(initialCap: f64, stride: usize, keyBytes: usize, memCap: f64, seed: u32): void {
    this.release();
    this.stride = stride;
    this.keyBytes = keyBytes;
    this.keyWords = <i32>(keyBytes >> 2);
    this.seed = seed;
    let maxCap: u32 = MIN_CAPACITY;
    while (maxCap < 0x40000000 && <f64>maxCap * 2 * <f64>stride <= memCap) maxCap <<= 1;
    this.maxCap = maxCap;
    let cap: u32 = MIN_CAPACITY;
    while (cap < maxCap && <f64>cap < initialCap) cap <<= 1;
    this.alloc(cap);
    this.count = 0;
    this.evictedCopy = heap.alloc(stride);
    this.clearBytes = stride;
  }

  /** Frees the slot memory. */
  release(): void {
    if (this.raw != 0) heap.free(this.raw);
    if (this.hs != 0) heap.free(this.hs);
    this.hs = 0;
    if (this.evictedCopy != 0) heap.free(this.evictedCopy);
    this.evictedCopy = 0;
    this.raw = 0;
    this.base = 0;
    this.cap = 0;
    this.count = 0;
  }

  /** Bytes of slot memory held now. */
  @inline bytes(): f64 {
    return <f64>this.cap * <f64>this.stride;
  }

  private alloc(cap: u32): void {
    const n = <usize>cap * this.stride;
    this.raw = heap.alloc(n + 64);
    this.base = (this.raw + 63) & ~(<usize>63);
    memory.fill(this.base, 0, n);
    this.hs = heap.alloc(<usize>cap << 2);
    memory.fill(this.hs, 0, <usize>cap << 2);
    this.cap = cap;
    this.mask = cap - 1;
    this.limit = (cap / LOAD_DEN) * LOAD_NUM;
  }

  /** Stored (non-zero) hash of the key at `key` (keyBytes, 4-byte aligned). `words` must equal
   *  keyBytes / 4; callers pass it as a constant so the hash loop unrolls. */
  @inline hash(key: usize, words: i32): u32 {
    const h = hashWords(key, words, this.seed);
    return h == 0 ? 1 : h;
  }

  @inline slotAt(i: u32): usize {
    return this.base + <usize>i * this.stride;
  }

  /** Stored hash of slot `i` (0 = empty), from the dense array. */
  @inline hashAt(i: u32): u32 {
    return load<u32>(this.hs + (<usize>i << 2));
  }

  /** True when slot `i` holds an entry (its stored hash is non-zero). */
  @inline used(i: u32): bool {
    return this.hashAt(i) != 0;
  }

  @inline private setHash(i: u32, h: u32): void {
    store<u32>(this.hs + (<usize>i << 2), h);
  }

  /** Empties `slot` without moving later entries (stored hash 0; count - 1): only where no
   *  lookup follows (flow-table.ts flowFlush()). */
  hide(slot: usize): void {
    store<u32>(slot + SLOT_HASH, 0);
    this.setHash(this.indexOf(slot), 0);
    this.count--;
  }

  @inline indexOf(slot: usize): u32 {
    return <u32>((slot - this.base) / this.stride);
  }

  /** The slot holding `key` (with stored hash `h`; `words` = keyBytes / 4, a constant), or 0. */
  @inline find(key: usize, h: u32, words: i32): usize {
    const mask = this.mask;
    const hs = this.hs;
    let i = h & mask;
    for (;;) {
      const sh = load<u32>(hs + (<usize>i << 2));
      if (sh == 0) return 0;
      if (sh == h) {
        const s = this.slotAt(i);
        if (keysEqual(s + SLOT_KEY, key, words)) return s;
      }
      i = (i + 1) & mask;
    }
    return 0; // unreachable: the load limit keeps an empty slot
  }

  /** Inserts `key` (not present) and returns its slot: key copied, SLOT_LAST and the value zeroed
   *  (the first clearBytes bytes of the slot; all of it unless the owner lowered clearBytes).
   *  At the load limit it doubles the capacity, or, at the memory cap, evicts the entry with the
   *  smallest SLOT_LAST among the EVICT_WINDOW slots from the key's home slot (the first used
   *  slot after them when all of those are empty) and sets `evicted`. */
  insert(key: usize, h: u32): usize {
    this.evicted = false;
    if (this.count + 1 > this.limit) {
      if (this.cap < this.maxCap) this.grow();
      else {
        this.evictNear(h);
        this.evicted = true;
      }
    }
    const mask = this.mask;
    let i = h & mask;
    while (this.hashAt(i) != 0) i = (i + 1) & mask;
    const s = this.slotAt(i);
    memory.fill(s, 0, this.clearBytes);
    store<u32>(s + SLOT_HASH, h);
    this.setHash(i, h);
    memory.copy(s + SLOT_KEY, key, this.keyBytes);
    this.count++;
    return s;
  }

  /** Removes the entry in `slot` by backward shift: later entries of the probe run move back so
   *  no tombstone is needed (lookups stay O(probe length)). */
  remove(slot: usize): void {
    const mask = this.mask;
    const stride = this.stride;
    let hole = this.indexOf(slot);
    let j = (hole + 1) & mask;
    for (;;) {
      const sh = this.hashAt(j);
      if (sh == 0) break;
      const home = sh & mask;
      // The entry at j may fill the hole when its home is not cyclically within (hole, j].
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        memory.copy(this.slotAt(hole), this.slotAt(j), stride);
        this.setHash(hole, sh);
        hole = j;
      }
      j = (j + 1) & mask;
    }
    store<u32>(this.slotAt(hole) + SLOT_HASH, 0);
    this.setHash(hole, 0);
    this.count--;
  }

  private evictNear(h: u32): void {
    const mask = this.mask;
    let i = h & mask;
    let best: usize = 0;
    let bestLast: i64 = i64.MAX_VALUE;
    for (let k: u32 = 0; k < EVICT_WINDOW || best == 0; k++) {
      if (this.hashAt(i) != 0) {
        const s = this.slotAt(i);
        const last = load<i64>(s + SLOT_LAST);
        if (best == 0 || last < bestLast) {
          best = s;
          bestLast = last;
        }
      }
      i = (i + 1) & mask;
    }
    memory.copy(this.evictedCopy, best, this.stride);
    this.remove(best);
  }

  private grow(): void {
    const oldBase = this.base;
    const oldRaw = this.raw;
    const oldHs = this.hs;
    const oldCap = this.cap;
    const stride = this.stride;
    this.alloc(oldCap << 1);
    const mask = this.mask;
    for (let k: u32 = 0; k < oldCap; k++) {
      const h = load<u32>(oldHs + (<usize>k << 2));
      if (h == 0) continue;
      const src = oldBase + <usize>k * stride;
      let i = h & mask;
      while (this.hashAt(i) != 0) i = (i + 1) & mask;
      memory.copy(this.slotAt(i), src, stride);
      this.setHash(i, h);
    }
    heap.free(oldRaw);
    heap.free(oldHs);
  }
}

/** True when the `words` u32 words at `a` and `b` are equal. */
@inline export function keysEqual(a: usize, b: usize, words: i32): bool {
  let i = 0;
  for (; i + 2 <= words; i += 2) {
    if (load<u64>(a + (<usize>i << 2)) != load<u64>(b + (<usize>i << 2))) return false;
  }
  if (i < words && load<u32>(a + (<usize>i << 2)) != load<u32>(b + (<usize>i << 2))) return false;
  return true;
}
