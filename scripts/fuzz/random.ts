// Deterministic randomness for the fuzzers' case generators.

import { prng } from '../../src/test-support/stl'

export type Rng = () => number

/** The generator of case `index` in a run with `seed`; `salt` keeps each fuzzer's cases its own. */
export function caseRng(seed: number, index: number, salt: number): Rng {
  return prng((Math.imul(seed ^ salt, 0x9e3779b1) + Math.imul(index + 1, 0x85ebca6b)) >>> 0)
}

/** A whole number in [0, n). */
export function int(rng: Rng, n: number): number {
  return Math.floor(rng() * n)
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[int(rng, items.length)]!
}
