// Unaligned loads for the decoders: network-order (big-endian) helpers for protocol headers and
// file-order helpers (rd16/rd32/rd64) that follow the byte order of the current pcap file or
// pcapng section. Nothing here allocates; everything is @inline for the hot path.

/** True when the current file/section was written in the other byte order than ours (LE). */
export let swapOrder: bool = false;
export function setSwapOrder(v: bool): void { swapOrder = v; }

/** Big-endian u16 / u32 at `p` (network byte order). */
@inline export function be16(p: usize): u32 { return <u32>bswap<u16>(load<u16>(p)); }
@inline export function be32(p: usize): u32 { return bswap<u32>(load<u32>(p)); }

/** u16 / u32 / u64 at `p` in the file's (section's) byte order. */
@inline export function rd16(p: usize): u32 {
  const v = load<u16>(p);
  return <u32>(swapOrder ? bswap<u16>(v) : v);
}
@inline export function rd32(p: usize): u32 {
  const v = load<u32>(p);
  return swapOrder ? bswap<u32>(v) : v;
}
@inline export function rd64(p: usize): u64 {
  const v = load<u64>(p);
  return swapOrder ? bswap<u64>(v) : v;
}
