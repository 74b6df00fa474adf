// Pure helpers of the send panel: which printers a routing reaches, bed fit, the summary line.
import type { PrinterSummary } from '../../../shared/ipc'
import { carriesAllTags, type Routing } from '../../../shared/send'
import { fitsBed, lookupBuildVolume } from '../../../shared/printers/build-volumes'

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

/** Union of the fleet's tags, exact case, sorted. */
export function fleetTags(printers: PrinterSummary[]): string[] {
  return [...new Set(printers.flatMap((p) => p.tags))].sort((a, b) => a.localeCompare(b))
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

function joinWords(words: string[]): string {
  if (words.length <= 1) return words.join('')
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`
}

/** "3 files, 7 copies, to printers tagged PETG and RackA — 2 match, 1 ready". */
export function sendSummary(
  files: number,
  copies: number,
  routing: Routing,
  printers: PrinterSummary[],
  /** A 3MF is among the files: its count is print jobs (copies × plates), not copies. */
  jobs = false
): string {
  const count = jobs
    ? `${copies} print job${copies === 1 ? '' : 's'}`
    : `${copies} cop${copies === 1 ? 'y' : 'ies'}`
  const head = `${files} file${files === 1 ? '' : 's'}, ${count}`
  const reach = reachable(printers, routing)
  const ready = reach.filter((p) => p.state === 'ready').length
  switch (routing.mode) {
    case 'any':
      return `${head}, to any printer — ${reach.length} enabled, ${ready} ready`
    case 'printer': {
      const p = reach[0]
      return p
        ? `${head}, to ${p.name} (${p.state.replace(/-/g, ' ')})`
        : `${head}, to a printer that is no longer listed`
    }
    case 'tags':
      return `${head}, to printers tagged ${joinWords(routing.tags)} — ${reach.length} match, ${ready} ready`
  }
}
