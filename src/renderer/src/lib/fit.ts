// Fit words for the send panel: a printer's bed, a list of printer names, and where a sliced
// project's G-code may go. The fit rules themselves are in shared/printers/fit.ts (hot folders use
// them too), re-exported here.
import { slicedPlateModels } from '../../../shared/3mf/compat'
import type { PrinterSummary } from '../../../shared/ipc'
import { volumeOf } from '../../../shared/printers/fit'
import type { ProjectView } from './project-view'

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
