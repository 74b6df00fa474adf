// Fit is part of routing: which printers a routing reaches, whether a model fits a printer's bed,
// and the model names that keep a file off the printers it does not fit (`printer.modelName`).
// Pure; shared by the send panel (renderer) and hot folders (core), so both route alike.
import type { LoadedSlot, PrinterSummary } from '../ipc'
import { carriesAllTags, modelNameProblem, type MaterialChoice, type Routing } from '../send'
import { fitsBed, lookupBuildVolume, type BuildVolume } from './build-volumes'
import { hasLoaded } from './loaded'

/** `other-model`: a sliced file's G-code was made for another printer model (never sent there). */
export type Fit = 'fits' | 'too-big' | 'unknown' | 'other-model'

/** Printers a tag routing matches: they must carry all tags, exact case (Printago's `&=`). */
export function matchingPrinters(printers: PrinterSummary[], tags: string[]): PrinterSummary[] {
  return printers.filter((p) => p.enabled && carriesAllTags(p.tags, tags))
}

/** Whether every model fits the printer's bed; 'unknown' when the model is not in the table. */
export function printerFit(printer: PrinterSummary, sizes: Array<[number, number, number]>): Fit {
  if (sizes.length === 0) return 'fits'
  // Non-Bambu printers report only their provider as the model; their name often says the model.
  const volume = lookupBuildVolume(printer.model) ?? lookupBuildVolume(printer.name)
  if (!volume) return 'unknown'
  let result: Fit = 'fits'
  for (const s of sizes) {
    const f = fitsBed(s, volume)
    if (f === 'too-big') return 'too-big'
    if (f === 'unknown') result = 'unknown'
  }
  return result
}

/** Printers a routing can reach (enabled ones). */
export function reachable(printers: PrinterSummary[], routing: Routing): PrinterSummary[] {
  switch (routing.mode) {
    case 'any':
      return printers.filter((p) => p.enabled)
    case 'printer':
      return printers.filter((p) => p.id === routing.printerId)
    case 'tags':
      return matchingPrinters(printers, routing.tags)
  }
}

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
