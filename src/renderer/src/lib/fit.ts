// Fit is part of routing: for one file and the printers a routing reaches (and that have its
// material loaded), which ones it fits, which are too small, which are unknown; and the model
// names that keep it off the small ones (`printer.modelName`). Pure.
import { slicedPlateModels } from '../../../shared/3mf/compat'
import type { LoadedSlot, PrinterSummary } from '../../../shared/ipc'
import { lookupBuildVolume, type BuildVolume } from '../../../shared/printers/build-volumes'
import { hasLoaded } from '../../../shared/printers/loaded'
import { modelNameProblem, type MaterialChoice, type Routing } from '../../../shared/send'
import type { ProjectView } from './project-view'
import { printerFit, reachable } from './routing'

/** The printer's build volume: by its model, else its name (non-Bambu printers report none). */
export function volumeOf(p: PrinterSummary): BuildVolume | null {
  return lookupBuildVolume(p.model) ?? lookupBuildVolume(p.name)
}

/**
 * The model name Printago can route by (`printer.modelName`), or null: only a model the printer
 * reports itself (Bambu's product name) and the build-volume table knows. A provider name
 * ("Prusa", "Klipper") says nothing about the bed.
 */
export function routableModel(p: PrinterSummary): string | null {
  return lookupBuildVolume(p.model) && modelNameProblem(p.model) === null ? p.model : null
}

/** The printers a routing sends a file to: reachable ones with its material loaded. */
export function candidatesFor(
  printers: PrinterSummary[],
  routing: Routing | null,
  material: MaterialChoice | null | undefined,
  loaded: Record<string, LoadedSlot[]> | null
): { reach: PrinterSummary[]; candidates: PrinterSummary[] } {
  const reach = routing ? reachable(printers, routing) : []
  // Without the slot list (not loaded, or not allowed) nothing is filtered out by material.
  const candidates =
    material && loaded ? reach.filter((p) => hasLoaded(loaded[p.id], material)) : reach
  return { reach, candidates }
}

export interface FileFit {
  fits: PrinterSummary[]
  tooBig: PrinterSummary[]
  unknown: PrinterSummary[]
  /**
   * The model names that keep the file on printers it fits (the models of the candidates it fits
   * whose model Printago can route by), or null when there are none.
   */
  avoidModels: string[] | null
  /** Candidates it fits that the model list leaves out (their model cannot be routed by). */
  lostByAvoid: PrinterSummary[]
}

/** Bed fit of one model size against the candidate printers. */
export function fileFit(size: [number, number, number], candidates: PrinterSummary[]): FileFit {
  const fits: PrinterSummary[] = []
  const tooBig: PrinterSummary[] = []
  const unknown: PrinterSummary[] = []
  for (const p of candidates) {
    const f = printerFit(p, [size])
    ;(f === 'fits' ? fits : f === 'too-big' ? tooBig : unknown).push(p)
  }
  const small = new Set(tooBig.map(routableModel))
  const models = [
    ...new Set(fits.map(routableModel).filter((m): m is string => m !== null && !small.has(m)))
  ]
  const lostByAvoid = fits.filter((p) => {
    const m = routableModel(p)
    return m === null || !models.includes(m)
  })
  return { fits, tooBig, unknown, avoidModels: models.length > 0 ? models : null, lostByAvoid }
}

/** "180 × 180 × 180 mm" of a printer, or '' when unknown. */
export function bedWords(p: PrinterSummary): string {
  const v = volumeOf(p)
  return v ? `${v.x} × ${v.y} × ${v.z} mm` : ''
}

/** "A1 mini #1", "A1 mini #1 and P1S #2", "A1 mini #1, P1S #2 and 3 more". */
export function printerNames(list: PrinterSummary[], max = 3): string {
  const names = list.slice(0, max).map((p) => p.name)
  const more = list.length - names.length
  if (more > 0) return `${names.join(', ')} and ${more} more`
  if (names.length <= 1) return names.join('')
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`
}

/** Where a sliced project's G-code may go: one model (and nozzle), from its first sliced plate. */
export interface SlicedTarget {
  /** Build-volume id and display name of the model it was sliced for; null: unknown to us. */
  volumeId: string | null
  model: string
  nozzle: number | null
}

/** The sliced target of a gcode.3mf, or null for anything else. */
export function slicedTarget(project: ProjectView | undefined): SlicedTarget | null {
  if (project?.kind !== 'gcode3mf') return null
  const sliced = project.plates.find((p) => p.sliced)?.sliced
  if (!sliced) return { volumeId: null, model: 'an unknown printer', nozzle: null }
  const volume = slicedPlateModels(sliced)[0] ?? null
  return {
    volumeId: volume?.id ?? null,
    model: volume?.name ?? sliced.printerModel ?? 'an unknown printer',
    nozzle: sliced.nozzleDiameter
  }
}

/** Candidates of the sliced model, and the others (which never get sliced G-code for another). */
export function slicedSplit(
  candidates: PrinterSummary[],
  target: SlicedTarget
): { takes: PrinterSummary[]; other: PrinterSummary[] } {
  const takes = candidates.filter(
    (p) => target.volumeId !== null && volumeOf(p)?.id === target.volumeId
  )
  return { takes, other: candidates.filter((p) => !takes.includes(p)) }
}
