// Blacklist range matching for BLACKLIST (detect/flow-rules.ts): is a 16-byte address (IPv6, or
// IPv4-mapped ::ffff:a.b.c.d) inside one of the host's ranges? The host writes the ranges
// (detect/rule-inputs.ts, abi.BLACKLIST_RANGE_BYTES each: first and last address, 16 stored bytes
// each, sorted by first address, disjoint); blacklistLoad() copies them once per reset() into
// native form (each address as two u64 halves, big-endian order as numbers) so that one comparison
// of two addresses is at most two u64 compares, and blacklistMatch() is a binary search:
// O(log n) per call, no allocation. A CIDR prefix p/len is the range [p, p | ~mask]; a single
// address is [a, a]; IPv4 ranges live inside ::ffff:0:0/96, so an IPv4 /0 never matches IPv6.
//
// Robustness (the host's list is trusted but checked once at load): a range whose first address is
// above its last is dropped; if the ranges are not sorted or overlap, they are sorted by first
// address (heapsort, in place) and overlapping or adjacent ranges merged, so matching is the same
// as "inside any of the ranges given".
import * as abi from "../abi";

/** Native range: first address (hi, lo u64), last address (hi, lo u64). */
const R_FIRST_HI: usize = 0;
const R_FIRST_LO: usize = 8;
const R_LAST_HI: usize = 16;
const R_LAST_LO: usize = 24;
const R_STRIDE: usize = 32;

let mem: usize = 0;
let count: i32 = 0;
let given: i32 = 0;

/** Loads `n` host ranges at `src` (abi.BLACKLIST_RANGE_BYTES each; `src` may be 0 when n = 0),
 *  replacing the previous list. Returns the number of valid ranges given (first <= last). */
export function blacklistLoad(src: usize, n: i32): i32 {
  if (mem != 0) heap.free(mem);
  mem = 0;
  count = 0;
  given = 0;
  if (n <= 0 || src == 0) return 0;
  mem = heap.alloc(<usize>n * R_STRIDE);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    const p = src + <usize>i * abi.BLACKLIST_RANGE_BYTES;
    const fh = bswap<u64>(load<u64>(p));
    const fl = bswap<u64>(load<u64>(p, 8));
    const lh = bswap<u64>(load<u64>(p, 16));
    const ll = bswap<u64>(load<u64>(p, 24));
    if (less(lh, ll, fh, fl)) continue; // last < first: not a range
    if (count > 0) {
      // Sorted and disjoint: the previous range ends below this one's first address.
      const q = at(count - 1);
      if (!less(load<u64>(q + R_LAST_HI), load<u64>(q + R_LAST_LO), fh, fl)) sorted = false;
    }
    const r = at(count);
    store<u64>(r + R_FIRST_HI, fh);
    store<u64>(r + R_FIRST_LO, fl);
    store<u64>(r + R_LAST_HI, lh);
    store<u64>(r + R_LAST_LO, ll);
    count++;
  }
  given = count;
  if (!sorted) normalize();
  return given;
}

/** Ranges the matcher holds after load (merged ranges count once). */
export function blacklistRanges(): i32 { return count; }

/** True when the 16-byte address at `addr` lies inside a loaded range. */
export function blacklistMatch(addr: usize): bool {
  const ah = bswap<u64>(load<u64>(addr));
  const al = bswap<u64>(load<u64>(addr, 8));
  // The last range whose first address is <= addr.
  let lo: i32 = 0;
  let hi: i32 = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const r = at(mid);
    if (lessEq(load<u64>(r + R_FIRST_HI), load<u64>(r + R_FIRST_LO), ah, al)) lo = mid + 1;
    else hi = mid;
  }
  if (lo == 0) return false;
  const r = at(lo - 1);
  return lessEq(ah, al, load<u64>(r + R_LAST_HI), load<u64>(r + R_LAST_LO));
}

@inline function at(i: i32): usize {
  return mem + <usize>i * R_STRIDE;
}

/** (ah, al) < (bh, bl) as 128-bit unsigned numbers. */
@inline function less(ah: u64, al: u64, bh: u64, bl: u64): bool {
  return ah < bh || (ah == bh && al < bl);
}

@inline function lessEq(ah: u64, al: u64, bh: u64, bl: u64): bool {
  return ah < bh || (ah == bh && al <= bl);
}

@inline function firstLess(i: i32, j: i32): bool {
  const a = at(i);
  const b = at(j);
  return less(load<u64>(a + R_FIRST_HI), load<u64>(a + R_FIRST_LO), load<u64>(b + R_FIRST_HI), load<u64>(b + R_FIRST_LO));
}

@inline function swap(i: i32, j: i32): void {
  const a = at(i);
  const b = at(j);
  const x = v128.load(a);
  const y = v128.load(a, 16);
  v128.store(a, v128.load(b));
  v128.store(a, v128.load(b, 16), 16);
  v128.store(b, x);
  v128.store(b, y, 16);
}

function siftDown(root: i32, end: i32): void {
  let i = root;
  for (;;) {
    let c = 2 * i + 1;
    if (c >= end) return;
    if (c + 1 < end && firstLess(c, c + 1)) c++;
    if (!firstLess(i, c)) return;
    swap(i, c);
    i = c;
  }
}

/** Sorts the ranges by first address (heapsort) and merges overlapping or adjacent ones. */
function normalize(): void {
  const n = count;
  for (let i = (n >> 1) - 1; i >= 0; i--) siftDown(i, n);
  for (let end = n - 1; end > 0; end--) {
    swap(0, end);
    siftDown(0, end);
  }
  let w = 0;
  for (let i = 1; i < n; i++) {
    const cur = at(w);
    const r = at(i);
    const lh = load<u64>(cur + R_LAST_HI);
    const ll = load<u64>(cur + R_LAST_LO);
    // Successor of cur's last address (saturating at the top of the space).
    let nh = lh;
    let nl = ll + 1;
    if (nl == 0) nh = lh + 1;
    const top = lh == u64.MAX_VALUE && ll == u64.MAX_VALUE;
    if (top || lessEq(load<u64>(r + R_FIRST_HI), load<u64>(r + R_FIRST_LO), nh, nl)) {
      // Overlaps or touches: extend cur to the larger last address.
      if (less(lh, ll, load<u64>(r + R_LAST_HI), load<u64>(r + R_LAST_LO))) {
        store<u64>(cur + R_LAST_HI, load<u64>(r + R_LAST_HI));
        store<u64>(cur + R_LAST_LO, load<u64>(r + R_LAST_LO));
      }
    } else {
      w++;
      if (w != i) memory.copy(at(w), r, R_STRIDE);
    }
  }
  count = n > 0 ? w + 1 : 0;
}
