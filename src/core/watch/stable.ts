// "Has this file stopped changing?": a file is stable once its size and mtime have been the same
// for `stableMs` on the injected clock (so tests use a manual clock and a short time). A file
// that changes starts its wait again; a file that goes away is forgotten.

export interface Observation {
  size: number
  mtimeMs: number
}

export interface StabilityTracker {
  /** Records what a scan saw; true when the file has been unchanged for `stableMs`. */
  observe(name: string, seen: Observation, now: number): boolean
  /** Forget names not seen in the latest scan (deleted, renamed, moved away). */
  keepOnly(names: Set<string>): void
  forget(name: string): void
  /** Files seen but not yet stable. */
  settling(now: number): number
}

export function createStabilityTracker(stableMs: number): StabilityTracker {
  const seen = new Map<string, Observation & { since: number }>()
  return {
    observe(name, o, now) {
      const last = seen.get(name)
      if (!last || last.size !== o.size || last.mtimeMs !== o.mtimeMs) {
        seen.set(name, { ...o, since: now })
        // An empty file is a file being created: never stable on the first look.
        return false
      }
      return now - last.since >= stableMs
    },
    keepOnly(names) {
      for (const name of seen.keys()) if (!names.has(name)) seen.delete(name)
    },
    forget: (name) => void seen.delete(name),
    settling(now) {
      let n = 0
      for (const o of seen.values()) if (now - o.since < stableMs) n++
      return n
    }
  }
}
