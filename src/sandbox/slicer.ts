// The slicing step of a job on its assigned printer. The sandbox does not slice: it checks what a
// slicer would refuse — a model larger than the printer's build volume, or a label asking for a
// failure (`[slice-fail]`) — and writes a slicer log either way (`logsUri`). A file the engines
// cannot read slices anyway (tests use placeholder bytes); only its size goes unchecked.
import type { Printer, PrintJob } from '../shared/printago/api-types'
import { buildVolumeOf, printerModelName } from './matching'
import { factsOf, printedSize } from './part-facts'
import type { ObjectStorage } from './storage'
import type { SandboxStore } from './store'
import { SLICER_VERSION } from './estimate'

/** What slicing produced. */
export type SliceResult =
  | { ok: true; gcodeUri: string; logsUri: string }
  | { ok: false; errorMessage: string; logsUri: string }

/** A little room for rounding: slicers accept a model exactly the size of the bed. */
const TOLERANCE_MM = 0.05

const mm = (xs: readonly number[]): string => xs.map((x) => x.toFixed(1)).join(' × ') + ' mm'

/** Whether `size` fits `volume` (turning the model a quarter on the bed is allowed). */
export function fitsVolume(
  size: readonly [number, number, number],
  volume: { x: number; y: number; z: number }
): boolean {
  const [x, y, z] = size.map((n) => n - TOLERANCE_MM) as [number, number, number]
  const flat = (x <= volume.x && y <= volume.y) || (x <= volume.y && y <= volume.x)
  return flat && z <= volume.z
}

/** Slices `job` for `printer`: stores the log and says what came out. */
export function sliceJob(
  store: SandboxStore,
  storage: ObjectStorage,
  job: PrintJob,
  printer: Printer,
  stamp: string
): SliceResult {
  const logsUri = `${store.storeId}/print-jobs/${job.id}/slicer.log`
  const gcodeUri = `${store.storeId}/print-jobs/${job.id}/plate_${job.extensions?.['3mf']?.plateId ?? 1}.gcode.3mf`
  const part = job.partId ? store.state.parts.get(job.partId) : undefined
  const plateId = job.extensions?.['3mf']?.plateId ?? null
  const volume = buildVolumeOf(printer)
  const lines = [
    `${stamp} ${SLICER_VERSION}`,
    `input: ${part?.fileUris[0] ?? '(part deleted)'}${plateId === null ? '' : ` plate ${plateId}`}`,
    `printer: ${printer.name} (${printerModelName(printer)}), nozzle ${printer.nozzleDiameter} mm` +
      (volume ? `, build volume ${mm([volume.x, volume.y, volume.z])}` : ', build volume unknown'),
    `process profile: ${part?.use3MFProcessProfile ? 'from the 3MF project' : 'store default'}`
  ]
  const fail = (message: string): SliceResult => {
    lines.push(`[error] ${message}`, 'slicing failed')
    storage.putSync(logsUri, lines.join('\n') + '\n')
    return { ok: false, errorMessage: `Slicing failed: ${message}`, logsUri }
  }
  if (job.label.includes('[slice-fail]')) return fail('the slicer exited with code 139')
  if (part) {
    const facts = factsOf(store.state, part)
    if (facts.kind === 'unreadable') lines.push(`[warning] model not analysed: ${facts.reason}`)
    const size = printedSize(store.state, part, plateId)
    if (size) {
      lines.push(`model size: ${mm(size)}`)
      if (volume && !fitsVolume(size, volume)) {
        return fail(
          `the model (${mm(size)}) does not fit the build volume of ${printer.name} (${mm([volume.x, volume.y, volume.z])})`
        )
      }
    }
  }
  lines.push(`output: ${gcodeUri}`, 'slicing finished')
  storage.putSync(logsUri, lines.join('\n') + '\n')
  return { ok: true, gcodeUri, logsUri }
}
