// Seeded word-wise hash of fixed-size table keys (MurmurHash3 x86_32 mixing over u32 words, then
// fmix32). Owns nothing but arithmetic; never allocates and never reads past `words` u32 words.
// The seed comes from config CFG_SEED (a per-session random value: hash-flooding defence, as
// Suricata's flow hash seeds with a random value); tests fix it.

@inline function mixWord(h: u32, k: u32): u32 {
  k *= 0xcc9e2d51;
  k = rotl<u32>(k, 15);
  k *= 0x1b873593;
  h ^= k;
  h = rotl<u32>(h, 13);
  return h * 5 + 0xe6546b64;
}

/** MurmurHash3's 32-bit finalizer: every input bit affects every output bit. */
@inline export function fmix32(h: u32): u32 {
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return h;
}

/** Hash of `words` little-endian u32 words at `ptr` (4-byte aligned) with `seed`. Source:
 *  Austin Appleby's MurmurHash3_x86_32 (public domain), restricted to whole words. */
@inline export function hashWords(ptr: usize, words: i32, seed: u32): u32 {
  let h = seed;
  for (let i = 0; i < words; i++) h = mixWord(h, load<u32>(ptr + (<usize>i << 2)));
  return fmix32(h ^ (<u32>words << 2));
}

/** Config seed (an f64 that may be any integer up to 2^53) reduced to 32 bits. */
export function seedFromConfig(v: f64): u32 {
  const i = <u64>(<i64>v);
  return <u32>i ^ <u32>(i >> 32);
}
