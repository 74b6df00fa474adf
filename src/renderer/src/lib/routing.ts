// Pure helpers of the send panel: the fleet's tags and the summary line (reach and fit: shared/).
import type { PrinterSummary } from '../../../shared/ipc'
import type { Routing } from '../../../shared/send'
import { reachable } from '../../../shared/printers/fit'

// Where a routing reaches and bed fit live in shared/ (hot folders route the same way).
export { matchingPrinters, printerFit, reachable, type Fit } from '../../../shared/printers/fit'

/** Union of the fleet's tags, exact case, sorted. */
export function fleetTags(printers: PrinterSummary[]): string[] {
  return [...new Set(printers.flatMap((p) => p.tags))].sort((a, b) => a.localeCompare(b))
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
