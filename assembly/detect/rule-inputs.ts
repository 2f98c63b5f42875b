// Rule inputs the host writes before reset(): the blacklist ranges and the normal-services
// bitmaps (layouts in abi.ts: BLACKLIST_RANGE_BYTES, SERVICES_*). Both survive reset(); the rules
// read them in their reset functions.
import * as abi from "../abi";

/** Normal (protocol, server port) set, abi.SERVICES_BYTES bytes; all zero until the host writes it. */
export const SERVICES: usize = memory.data(abi.SERVICES_BYTES, 16);

let blacklistMem: usize = 0;
let blacklistN: i32 = 0;

/** Makes room for `n` blacklist ranges (replacing the old list) and returns where the host
 *  writes them: n x abi.BLACKLIST_RANGE_BYTES, sorted by first address, not overlapping. */
export function blacklistReserve(n: i32): usize {
  if (blacklistMem != 0) heap.free(blacklistMem);
  blacklistMem = 0;
  blacklistN = max<i32>(0, n);
  if (blacklistN > 0) blacklistMem = heap.alloc(<usize>blacklistN * abi.BLACKLIST_RANGE_BYTES);
  return blacklistMem;
}

/** The ranges written after blacklistReserve(): address and count. */
export function blacklistBase(): usize { return blacklistMem; }
export function blacklistCount(): i32 { return blacklistN; }
