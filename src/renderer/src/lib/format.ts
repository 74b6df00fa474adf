// Number and size formatting for the UI (one place, so the text read-outs stay consistent).

// Counts and byte sizes read the same in the UI, the engine's messages and the CLI.
export { formatCount as formatInt, formatBytes } from '../../../shared/stl/format'

/** A length in mm for read-outs, fewer decimals as it grows (42, 7.5, 0.35); messages use 2. */
export function formatMm(v: number): string {
  const a = Math.abs(v)
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : 2
  return String(Number(v.toFixed(digits)))
}

/** [42, 18, 7] → "42 × 18 × 7 mm". */
export function formatSize(size: readonly number[]): string {
  return `${size.map(formatMm).join(' × ')} mm`
}

/** Age like "12 s ago" / "3 min ago". */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) return `${s} s ago`
  const m = Math.round(s / 60)
  if (m < 60) return `${m} min ago`
  return `${Math.round(m / 60)} h ago`
}
