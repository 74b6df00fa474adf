// Where a sliced plate may go. G-code is made for one printer model and one nozzle: its moves,
// temperatures and start sequence assume that machine, so a plate sliced for one model must never
// reach another (even one with the same bed), nor a printer with another nozzle size.

import { BUILD_VOLUMES, lookupBuildVolume, type BuildVolume } from '../printers/build-volumes'
import type { SlicedPlate } from './types'

/** The printer facts the check needs (from Printago's printer: model name and nozzle). */
export interface PrinterFacts {
  /** Any name the build-volume table knows: `Bambu Lab P1S`, `P1S`, `C12`. */
  modelName: string | null | undefined
  /** mm; null/undefined when unknown. */
  nozzleDiameter?: number | null
}

export type SlicedPlateVerdict =
  | { verdict: 'ok' }
  /** The printer is another model, or the plate's model is unknown: never send. */
  | { verdict: 'wrong-model'; reason: string }
  /** Same model, another nozzle size: never send. */
  | { verdict: 'wrong-nozzle'; reason: string }
  /** Same model, but the printer's nozzle size is not known: the caller decides (ask or refuse). */
  | { verdict: 'nozzle-unknown'; reason: string }

const NOZZLE_TOLERANCE = 0.001

/** The build-volume entries a sliced plate may be sent to: its own model only (or none). */
export function slicedPlateModels(plate: SlicedPlate): BuildVolume[] {
  const id = plate.printerModelId ?? lookupBuildVolume(plate.printerModel)?.id ?? null
  return id === null ? [] : BUILD_VOLUMES.filter((v) => v.id === id)
}

/** Whether a sliced plate may be printed on a printer: same model and same nozzle. */
export function checkSlicedPlate(plate: SlicedPlate, printer: PrinterFacts): SlicedPlateVerdict {
  const target = slicedPlateModels(plate)[0]
  if (!target) {
    return {
      verdict: 'wrong-model',
      reason: plate.printerModel
        ? `The plate was sliced for "${plate.printerModel}", a printer this app does not know; it cannot check where it may print.`
        : 'The file does not say which printer the plate was sliced for.'
    }
  }
  const printerVolume = lookupBuildVolume(printer.modelName ?? null)
  if (!printerVolume || printerVolume.id !== target.id) {
    const what = printerVolume ? printerVolume.name : (printer.modelName ?? 'an unknown model')
    return {
      verdict: 'wrong-model',
      reason: `The plate was sliced for a ${target.name}; this printer is ${what.startsWith('an ') ? what : `a ${what}`}.`
    }
  }
  const sliced = plate.nozzleDiameter
  const actual = printer.nozzleDiameter
  if (sliced === null) {
    return {
      verdict: 'nozzle-unknown',
      reason: 'The file does not say which nozzle the plate was sliced for.'
    }
  }
  if (actual === null || actual === undefined || !Number.isFinite(actual)) {
    return {
      verdict: 'nozzle-unknown',
      reason: `The plate was sliced for a ${sliced} mm nozzle; this printer's nozzle size is not known.`
    }
  }
  if (Math.abs(actual - sliced) > NOZZLE_TOLERANCE) {
    return {
      verdict: 'wrong-nozzle',
      reason: `The plate was sliced for a ${sliced} mm nozzle; this printer has a ${actual} mm nozzle.`
    }
  }
  return { verdict: 'ok' }
}
