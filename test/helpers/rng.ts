// Deterministic PRNG for tests: the same seed gives the same "random" streams and chunkings. The
// learners' generator (src/ml/rng.ts, mulberry32), under the name the tests use.
export { mulberry32 as rng } from '../../src/ml/rng';
