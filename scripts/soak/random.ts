// Seeded choices for the soak: one stream per run (derived from the seed and the run's index), so a
// failing run can be replayed alone with `--seed S --only N` whatever the runs before it did.

import { prng } from '../../src/test-support/stl'

export { prng }

/** The choices one run makes. */
export interface Dice {
  /** [0, 1) */
  next(): number
  /** An integer in [min, max]. */
  int(min: number, max: number): number
  chance(p: number): boolean
  pick<T>(xs: readonly T[]): T
  shuffle<T>(xs: readonly T[]): T[]
}

export function dice(seed: number, stream: number): Dice {
  // Mix the stream index in so neighbouring runs do not share their first draws.
  const next = prng((seed * 0x9e3779b1) ^ Math.imul(stream + 1, 0x85ebca6b))
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1))
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick: (xs) => {
      if (xs.length === 0) throw new Error('pick from an empty list')
      return xs[Math.floor(next() * xs.length)]!
    },
    shuffle: (xs) => {
      const out = [...xs]
      for (let i = out.length - 1; i > 0; i--) {
        const k = int(0, i)
        ;[out[i], out[k]] = [out[k]!, out[i]!]
      }
      return out
    }
  }
}
