// Sending 3MF projects and sliced plates: what the send layer learns about a project file when it
// checks it (kept in the journal and the history), the rules for per-plate quantities, and the
// routing that keeps sliced G-code on the printer model and nozzle it was made for. Pure; the one
// source for the IPC schema, core's validation, the renderer's forms and the CLI.
import type { ThreeMfSummary } from './3mf'
import { slicedPlateModels } from './3mf/compat'
import { modelNamesOf } from './printers/build-volumes'
import { MAX_QUANTITY } from './send'

/** Printago's part types this app sends (`Part.type`). */
export type PartKind = 'stl' | '3mf' | 'gcode3mf'

/** Where a sliced project's G-code may print: one printer model and (when known) one nozzle. */
export interface SlicedFor {
  /** Display name of the model, e.g. "Bambu Lab P1S". */
  model: string
  /** Every name a printer of that model may report (`printer.modelName` any-of). */
  modelNames: string[]
  /** mm, or null when the file does not say. */
  nozzleDiameter: number | null
}

/** What core learnt about a 3MF when it checked it. */
export interface ProjectFacts {
  kind: '3mf' | 'gcode3mf'
  plates: Array<{ id: number; name: string }>
  /** gcode3mf only. */
  slicedFor?: SlicedFor
}

/** Plates in one `plateQuantities`. */
export const MAX_PLATES = 200

/** The part type of a file by its name (`x.gcode.3mf`, `x.3mf`, else STL). */
export function partKindOfName(path: string): PartKind {
  const name = path.toLowerCase()
  if (name.endsWith('.gcode.3mf')) return 'gcode3mf'
  if (name.endsWith('.3mf')) return '3mf'
  return 'stl'
}

/**
 * The facts of a parsed project, or why it cannot be sent: a sliced project whose plates were
 * sliced for a printer this app does not know, or for several models, has nowhere safe to go.
 */
export function projectFacts(
  project: Pick<ThreeMfSummary, 'kind' | 'plates'>
): { ok: true; value: ProjectFacts } | { ok: false; message: string } {
  const plates = project.plates.map((p) => ({ id: p.id, name: p.name }))
  if (project.kind !== 'gcode3mf') return { ok: true, value: { kind: '3mf', plates } }
  const sliced = project.plates.flatMap((p) => (p.sliced ? [p.sliced] : []))
  const models = new Map<string, SlicedFor>()
  for (const s of sliced) {
    const volume = slicedPlateModels(s)[0]
    if (!volume) {
      return {
        ok: false,
        message: s.printerModel
          ? `it was sliced for "${s.printerModel}", a printer this app does not know, so it cannot keep it off other printers`
          : 'it does not say which printer it was sliced for, so it cannot keep it off other printers'
      }
    }
    const key = `${volume.id}@${s.nozzleDiameter ?? '?'}`
    models.set(key, {
      model: volume.name,
      modelNames: modelNamesOf(volume.id),
      nozzleDiameter: s.nozzleDiameter
    })
  }
  if (models.size !== 1) {
    return {
      ok: false,
      message:
        models.size === 0
          ? 'it has no sliced plate'
          : 'its plates were sliced for different printers or nozzles; send them as separate files'
    }
  }
  return {
    ok: true,
    value: {
      kind: 'gcode3mf',
      plates: plates.filter((p) => project.plates.find((q) => q.id === p.id)?.sliced),
      slicedFor: [...models.values()][0]!
    }
  }
}

/**
 * The routing tags that keep sliced G-code on its printers: `printer.modelName` = `=A|B` (any name
 * the model reports) and `printer.nozzleDiameter` = `=0.4`. The `=A|B` any-of on a single-valued
 * key is the same reading `itemTags` relies on (see src/sandbox/README.md, Choices).
 */
export function slicedTags(slicedFor: SlicedFor): Record<string, string> {
  const tags: Record<string, string> = { 'printer.modelName': `=${slicedFor.modelNames.join('|')}` }
  if (slicedFor.nozzleDiameter !== null)
    tags['printer.nozzleDiameter'] = `=${slicedFor.nozzleDiameter}`
  return tags
}

/** Why a `plateQuantities` map is not acceptable in itself, or null. */
export function plateQuantitiesProblem(q: Record<string, number>): string | null {
  const keys = Object.keys(q)
  if (keys.length === 0) return 'Per-plate quantities need at least one plate.'
  if (keys.length > MAX_PLATES) return `At most ${MAX_PLATES} plates.`
  let total = 0
  for (const k of keys) {
    if (!/^[1-9]\d{0,5}$/.test(k)) return `"${k}" is not a plate number.`
    const n = q[k]!
    if (!Number.isInteger(n) || n < 0 || n > MAX_QUANTITY)
      return `Plate ${k}: a quantity is a whole number from 0 to ${MAX_QUANTITY}.`
    total += n
  }
  return total === 0 ? 'At least one plate needs a quantity above 0.' : null
}

/** Why a `plateQuantities` map does not fit this project's plates, or null. */
export function platesProblem(q: Record<string, number>, facts: ProjectFacts): string | null {
  const known = new Set(facts.plates.map((p) => String(p.id)))
  const unknown = Object.keys(q).filter((k) => !known.has(k))
  if (unknown.length === 0) return null
  return `it has no plate ${unknown.join(', ')} (its plates: ${[...known].join(', ') || 'none'})`
}

/** Print jobs one file makes: `quantity` copies of each plate × its per-plate quantity. */
export function jobsPerFile(
  quantity: number,
  plateQuantities: Record<string, number> | undefined,
  plateCount: number
): number {
  if (!plateQuantities) return quantity * Math.max(1, plateCount)
  return quantity * Object.values(plateQuantities).reduce((a, b) => a + b, 0)
}
