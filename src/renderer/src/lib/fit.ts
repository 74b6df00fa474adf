// Fit words for the send panel: a printer's bed and a list of printer names. The fit rules
// themselves are in shared/printers/fit.ts (hot folders use them too), re-exported here.
import type { PrinterSummary } from '../../../shared/ipc'
import { volumeOf } from '../../../shared/printers/fit'

export {
  candidatesFor,
  fileFit,
  routableModel,
  volumeOf,
  type FileFit
} from '../../../shared/printers/fit'

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
