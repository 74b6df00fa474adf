// What the in-process benchmarks share: the result line, a forced GC between timed runs, and the
// statistics they report.

import v8 from 'node:v8'
import { runInNewContext } from 'node:vm'

/** One benchmark result line. */
export interface BenchResult {
  metric: string
  value: number
  [k: string]: unknown
}

/** A full GC between timed runs, so one parser's garbage is not collected on the other's clock. */
export const gc: () => void = (() => {
  const exposed = (globalThis as { gc?: () => void }).gc
  if (exposed) return exposed
  try {
    // Works without --expose-gc: the flag is honoured by contexts created after it is set.
    v8.setFlagsFromString('--expose-gc')
    return runInNewContext('gc') as () => void
  } catch {
    return () => undefined
  }
})()

export function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y)
  return s[s.length >> 1]!
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits
  return Math.round(n * f) / f
}
