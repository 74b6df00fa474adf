// Fit is part of routing, for hot folders too: a file too big for some of the printers its
// folder's routing reaches is kept off them (`printer.modelName`, the same rule as the send
// panel: shared/printers/fit.ts); too big for every one, it is refused with its size in words
// (nobody is there to click "send anyway"). Without a printer list, or when no bed is known, it
// goes as routed and Printago's slicer has the last word.
import type { PrinterSummary } from '../../shared/ipc'
import { candidatesFor, fileFit, volumeOf } from '../../shared/printers/fit'
import type { MaterialChoice, Routing } from '../../shared/send'

export type FitVerdict = { printerModels?: string[] } | { refuse: string }

const mm = (n: number): string => (Math.round(n * 10) / 10).toString()

export function fitRule(
  size: [number, number, number] | null,
  printers: PrinterSummary[] | null,
  routing: Routing,
  material: MaterialChoice | undefined
): FitVerdict {
  if (!size || !printers) return {}
  // The loaded slots are not fetched here: material narrows the printers on Printago's side.
  const { candidates } = candidatesFor(printers, routing, material, null)
  const fit = fileFit(size, candidates)
  if (fit.tooBig.length === 0) return {}
  if (fit.fits.length === 0 && fit.unknown.length === 0) {
    const largest = fit.tooBig
      .map((p) => ({ p, v: volumeOf(p) }))
      .sort((a, b) => (b.v ? b.v.x * b.v.y * b.v.z : 0) - (a.v ? a.v.x * a.v.y * a.v.z : 0))[0]
    const bed = largest?.v
      ? ` (the largest, ${largest.p.name}, takes ${largest.v.x} × ${largest.v.y} × ${largest.v.z} mm)`
      : ''
    return {
      refuse: `At ${mm(size[0])} × ${mm(size[1])} × ${mm(size[2])} mm it is too big for every printer this folder sends to${bed}. Scale it down, or send it from the Send tab to choose.`
    }
  }
  if (fit.avoidModels && routing.mode !== 'printer') return { printerModels: fit.avoidModels }
  return {}
}
