// Seeded pseudo-random numbers for the learners (src/ml/): mulberry32 (Tommy Ettinger, public
// domain; test/helpers/rng.ts re-exports it for the tests), 32-bit state, period 2^32. Good enough for
// sub-sampling and random splits; not for cryptography. The same seed gives the same stream on
// every platform (integer arithmetic only), which is what makes a learned model repeatable.

/** mulberry32 seeded with `seed` (taken modulo 2^32): returns a function giving floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
