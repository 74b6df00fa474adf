// The soak's verdict and what it prints: how often each fault class (and each of its variants)
// fired, the other counters, every problem the oracle found, and the summary line
//   soak: <N> runs, <d> duplicate builds, <l> lost jobs
// It fails (exit 1) on any duplicate build or lost job (adopted look-alikes count as lost), on any
// build with the wrong quantity, request sent before a Retry-After was up, driver error — and when
// a class fired fewer times than required although it had the runs to fire.
import type { Verdict } from './ledger'

export interface Report {
  runs: number
  seconds: number
  /** Runs each class had. */
  runsOf: Map<string, number>
  fired: Map<string, number>
  counts: Map<string, number>
  verdict: Verdict
  /** Jobs still unfinished after the last sweep. */
  stuck: number
  errors: string[]
  /** Each class must fire this often once it had `needRuns` runs. */
  minFired: number
  needRuns: number
}

/** Lines for stderr, the summary line for stdout, and the exit code. */
export function render(r: Report): { details: string; summary: string; code: number } {
  const out: string[] = []
  const failures: string[] = []
  out.push(`fault classes (runs, times fired; each must fire ≥ ${Math.max(1, r.minFired)}×):`)
  for (const [cls, runs] of r.runsOf) {
    const total = r.fired.get(cls) ?? 0
    const variants = [...r.fired.entries()]
      .filter(([k]) => k.startsWith(`${cls}: `))
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k.slice(cls.length + 2)} ×${n}`)
    out.push(
      `  ${cls.padEnd(13)} ${String(runs).padStart(4)} runs, fired ${String(total).padStart(4)}×  ${variants.join(', ')}`
    )
    // Two runs are enough to fire once; a higher minimum needs twice as many runs.
    const short =
      runs >= r.needRuns && (total === 0 || (runs >= 2 * r.minFired && total < r.minFired))
    if (short)
      failures.push(
        `class ${cls} fired ${total} times in ${runs} runs (needs ${Math.max(1, r.minFired)})`
      )
  }
  const counts = [...r.counts.entries()].sort((a, b) => a[0].localeCompare(b[0]))
  if (counts.length > 0) out.push(`counters: ${counts.map(([k, n]) => `${k} ${n}`).join(', ')}`)
  const v = r.verdict
  out.push(
    `oracle: ${v.duplicates} duplicate, ${v.lost} lost (${v.adopted} look-alikes adopted), ${v.wrongQuantity} wrong quantity; ${r.stuck} jobs unfinished after the last sweep`
  )
  for (const p of v.problems.slice(0, 40)) out.push(`  ${p}`)
  if (v.problems.length > 40) out.push(`  … and ${v.problems.length - 40} more`)
  if (v.wrongQuantity > 0) failures.push(`${v.wrongQuantity} builds with the wrong quantity`)
  const early = r.counts.get('requests before Retry-After was up') ?? 0
  if (early > 0) failures.push(`${early} requests sent before Retry-After was up`)
  for (const e of r.errors.slice(0, 10)) out.push(`driver error: ${e}`)
  if (r.errors.length > 0) failures.push(`${r.errors.length} driver errors`)
  for (const f of failures) out.push(`FAILED: ${f}`)
  out.push(`${r.runs} runs in ${r.seconds.toFixed(1)} s`)
  const bad = v.duplicates > 0 || v.lost > 0 || failures.length > 0
  return {
    details: `${out.join('\n')}\n`,
    summary: `soak: ${r.runs} runs, ${v.duplicates} duplicate builds, ${v.lost} lost jobs\n`,
    code: bad ? 1 : 0
  }
}
