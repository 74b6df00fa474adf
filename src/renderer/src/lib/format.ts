// Number and size formatting for the UI (one place, so the text read-outs stay consistent).

const int = new Intl.NumberFormat('en-US')

/** 12340 → "12,340". */
export function formatInt(n: number): string {
  return int.format(Math.round(n))
}

/** Bytes → "51.3 KB" / "1.2 GB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KB', 'MB', 'GB', 'TB']
  let v = bytes / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`
}

/** A length in mm with sensible precision: 42, 7.5, 0.35. */
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
