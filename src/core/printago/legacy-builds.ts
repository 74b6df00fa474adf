// The legacy `POST /v1/builds`, used when `/v2/builds` is not routed: its body from a v2 one
// (parameters become `parameterOverrides`), and the notice of what it cannot take (a queue
// position, material choices, plate quantities) so the user is told instead of left guessing.
import type { BuildConfigV2, LegacyBuildConfig, PartBuild } from '../../shared/printago/api-types'
import type { ClientNotice } from './client'

/** The v1 body for a v2 one. */
export function toLegacyBuild(body: BuildConfigV2): LegacyBuildConfig {
  return {
    parts: (body.parts ?? []).map((p) => ({
      partId: p.partId,
      quantity: p.quantity ?? 1,
      ...(p.label !== undefined ? { label: p.label } : {}),
      ...(p.tags !== undefined ? { tags: p.tags } : {}),
      ...(p.priority !== undefined ? { priority: p.priority } : {}),
      ...(p.materials ? { materialAssignments: p.materials } : {}),
      parameterOverrides: Object.entries(p.parameters ?? {}).map(([name, value]) => ({
        name,
        type: typeof value as 'number' | 'string' | 'boolean',
        value
      }))
    }))
  }
}

/** What `/v1/builds` cannot take of a `/v2/builds` body, in words. */
export function legacyDropped(body: BuildConfigV2): string[] {
  const parts = body.parts ?? []
  const out: string[] = []
  if (parts.some((p) => p.position === 'front')) out.push('queue position (front of the queue)')
  if (parts.some((p) => p.plateQuantities && Object.keys(p.plateQuantities).length > 0))
    out.push('plate quantities')
  return out
}

/** The notice for a legacy build of `body` that created `partBuilds`; null when nothing was lost. */
export function legacyNotice(
  body: BuildConfigV2,
  partBuilds: Pick<PartBuild, 'id'>[]
): ClientNotice | null {
  const dropped = legacyDropped(body)
  if (dropped.length === 0) return null
  return {
    kind: 'legacy-build',
    dropped,
    partBuildIds: partBuilds.map((b) => b.id),
    message: `Printago's /v2/builds is not available, so this was queued through the older /v1/builds, which has no ${dropped.join(', no ')}: ${dropped.length === 1 ? 'it was' : 'they were'} not applied.`
  }
}
