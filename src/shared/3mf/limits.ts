// Default limits of the 3MF engine. Geometry budgets match the STL engine's, so a model that is too
// big as STL is too big as 3MF. Byte limits bound inflating: everything is checked against the
// sizes the archive declares before a byte is inflated, and inflating stops as soon as an entry
// produces more than it declared.

import type { ThreeMfLimits } from './types'

const MiB = 1024 * 1024
const GiB = 1024 * MiB

export const DEFAULT_LIMITS: Readonly<Required<ThreeMfLimits>> = {
  maxBytes: 2 * GiB - 1,
  maxEntries: 20_000,
  maxModelEntryBytes: 4 * GiB,
  maxMetadataEntryBytes: 64 * MiB,
  maxTotalBytes: 8 * GiB,
  maxRatio: 1000,
  maxTriangles: 25_000_000,
  maxMeshElements: 25_000_000,
  maxInstances: 1_000_000
}

/** Entries smaller than this may have any compression ratio (a tiny XML file compresses well). */
export const RATIO_FREE_BYTES = MiB

/** Resolved limits with defaults applied. */
export function resolveLimits(limits?: ThreeMfLimits): Required<ThreeMfLimits> {
  return { ...DEFAULT_LIMITS, ...stripUndefined(limits ?? {}) }
}

function stripUndefined(limits: ThreeMfLimits): ThreeMfLimits {
  const out: Record<string, number> = {}
  for (const [k, v] of Object.entries(limits)) if (typeof v === 'number') out[k] = v
  return out as ThreeMfLimits
}
