/**
 * Deterministic xorshift32 PRNG returning numbers in [0, 1): fuzz-style tests that use it fail
 * the same way on every run.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}
