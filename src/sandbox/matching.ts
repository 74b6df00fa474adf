// Which printer may run which job: readiness, Printago's routing tags (`requiredPrinterTags`), the
// filament loaded in the printer's slots, and — for a sliced gcode3mf plate — the printer model
// and nozzle the plate was sliced for. Build-volume fit is not a matching rule: a job sent to a
// printer it does not fit fails at slicing (scheduler.ts), as Printago's slicer would.
import type {
  PrinterMatchCheck,
  PrinterMatchingStatus,
  Printer,
  PrintJob,
  PrintJobMatchingTroubleshoot,
  PrintJobMaterialMapping,
  Tags
} from '../shared/printago/api-types'
import { checkSlicedPlate } from '../shared/3mf'
import { lookupBuildVolume, type BuildVolume } from '../shared/printers/build-volumes'
import { assignSlots, channelsOf, describeSpecs, mappingOf, type Channel } from './materials'
import { factsOf, type PlateFacts } from './part-facts'
import type { SandboxStore } from './store'

/** Ready for the queue: online, available, bed confirmed clear, enabled and not in maintenance. */
export function isReady(p: Printer): boolean {
  return p.enabled && p.isOnline && p.isAvailable && p.confirmedReady && !p.isInMaintenance
}

/** Splits `&=A|B` into operator and operands; a bare value means `=`. */
function parseTag(value: string): { op: string; operands: string[] } {
  const m = /^(&=|\|=|!=|=)?(.*)$/s.exec(value)
  const op = m?.[1] ?? '='
  return { op, operands: (m?.[2] ?? '').split('|').filter((s) => s.length > 0) }
}

/** Evaluates one set-like tag: `&=`/`=` all-of, `|=` any-of, `!=` none-of. */
function setMatch(op: string, operands: string[], has: (x: string) => boolean): boolean {
  if (op === '|=') return operands.some(has)
  if (op === '!=') return !operands.some(has)
  return operands.every(has)
}

function modelNames(p: Printer): string[] {
  const m = p.metadata as Record<string, unknown> | null
  const names = [p.name]
  for (const k of ['dev_product_name', 'dev_model_name']) {
    if (typeof m?.[k] === 'string') names.push(m[k] as string)
  }
  return names.map((n) => n.toLowerCase())
}

/** The printer's model name as the build-volume table knows it (product, model code, name). */
export function printerModelName(p: Printer): string {
  const m = p.metadata as Record<string, unknown> | null
  for (const k of ['dev_product_name', 'dev_model_name']) {
    if (typeof m?.[k] === 'string' && lookupBuildVolume(m[k] as string)) return m[k] as string
  }
  return p.name
}

/** The printer's build volume, or null when its model is unknown to the table. */
export function buildVolumeOf(p: Printer): BuildVolume | null {
  return lookupBuildVolume(printerModelName(p))
}

/** Checks every routing tag but `filament.type` (a material rule); the first mismatch, or null. */
export function tagMismatch(p: Printer, tags: Tags | null | undefined): string | null {
  for (const [key, raw] of Object.entries(tags ?? {})) {
    if (typeof raw !== 'string') continue
    const { op, operands } = parseTag(raw)
    // A single-valued key (a printer has one id, provider, nozzle, model) cannot equal several
    // values at once: `=A|B` and `&=A|B` read "is one of A, B". A GUESS (the spec leaves these
    // keys' syntax open); Printago Send sends `printer.modelName: "=A|B"` to keep a model off beds
    // too small for it (src/shared/send.ts, itemTags).
    const anyOf = op === '&=' || op === '=' ? '|=' : op
    let ok: boolean
    switch (key) {
      case 'printer.id':
        ok = setMatch(anyOf, operands, (x) => x === p.id)
        break
      case 'user.tags':
        // Case-sensitive, like Printago's tag matching.
        ok = setMatch(op, operands, (x) => (p.tags ?? []).includes(x))
        break
      case 'printer.provider':
        ok = setMatch(anyOf, operands, (x) => x.toLowerCase() === p.provider.toLowerCase())
        break
      case 'printer.nozzleDiameter':
        ok = setMatch(anyOf, operands, (x) => Number(x) === Number(p.nozzleDiameter))
        break
      case 'printer.modelName':
        ok = setMatch(anyOf, operands, (x) => modelNames(p).includes(x.toLowerCase()))
        break
      default:
        ok = true
    }
    if (!ok) return `Requires ${key} ${raw}; printer ${describe(key, p)}`
  }
  return null
}

function describe(key: string, p: Printer): string {
  if (key === 'printer.id') return `is ${p.id}`
  if (key === 'printer.provider') return `is ${p.provider}`
  if (key === 'printer.nozzleDiameter') return `has a ${p.nozzleDiameter} mm nozzle`
  if (key === 'printer.modelName') return `is a ${modelNames(p).slice(1).join('/') || p.name}`
  return `has tags [${(p.tags ?? []).join(', ')}]`
}

/** The job's plate, when it prints one plate of a 3MF project. */
export function plateOf(store: SandboxStore, job: PrintJob): PlateFacts | null {
  const plateId = job.extensions?.['3mf']?.plateId
  const part = job.partId ? store.state.parts.get(job.partId) : undefined
  if (plateId === undefined || !part) return null
  const f = factsOf(store.state, part)
  return f.kind === '3mf' || f.kind === 'gcode3mf'
    ? (f.plates.find((p) => p.id === plateId) ?? null)
    : null
}

/** The material channels a job needs: its assignments, else a 3MF plate's filaments by type. */
export function channelsFor(store: SandboxStore, job: PrintJob): Channel[] {
  const given = channelsOf(job.materialAssignments)
  if (given.length > 0) return given
  const plate = plateOf(store, job)
  const part = job.partId ? store.state.parts.get(job.partId) : undefined
  if (!plate || !part) return []
  const f = factsOf(store.state, part)
  const filaments = f.kind === 'unreadable' || f.kind === 'stl' ? [] : f.project.filaments
  const used = plate.sliced
    ? plate.sliced.filaments.map((x) => ({ index: x.index, type: x.type }))
    : plate.filaments.map((i) => ({ index: i, type: filaments.find((x) => x.index === i)?.type }))
  return used
    .filter((u): u is { index: number; type: string } => !!u.type)
    .map((u) => ({ index: u.index - 1, specs: [{ materialType: u.type }] }))
}

/** Whether the printer has the job's materials loaded; with the slot mapping when it does. */
export function materialCheck(
  store: SandboxStore,
  p: Printer,
  job: PrintJob
): { ok: true; mapping: PrintJobMaterialMapping[] } | { ok: false; reason: string } {
  const loaded = store.loadedSlots(p.id)
  const types = new Set(loaded.map((s) => (s.slot.materialType ?? '').toLowerCase()))
  const filament = job.requiredPrinterTags?.['filament.type']
  if (typeof filament === 'string') {
    const { op, operands } = parseTag(filament)
    if (!setMatch(op, operands, (x) => types.has(x.toLowerCase()))) {
      const has = [...new Set(loaded.map((s) => s.slot.materialType))].join(', ') || 'nothing'
      return { ok: false, reason: `Requires filament.type ${filament}; printer has ${has} loaded` }
    }
  }
  const channels = channelsFor(store, job)
  const slots = assignSlots(channels, loaded)
  if (!slots) {
    const variants = store.state.materialVariants
    const wanted = channels.map((c) => `channel ${c.index}: ${describeSpecs(c.specs, variants)}`)
    return {
      ok: false,
      reason: `No distinct loaded slot for each material (${wanted.join('; ')})`
    }
  }
  return { ok: true, mapping: slots.map(mappingOf) }
}

/** For a sliced plate: why this printer must never get it (other model or nozzle), or null. */
export function plateMismatch(store: SandboxStore, p: Printer, job: PrintJob): string | null {
  const sliced = plateOf(store, job)?.sliced
  if (!sliced) return null
  const verdict = checkSlicedPlate(sliced, {
    modelName: printerModelName(p),
    nozzleDiameter: Number(p.nozzleDiameter)
  })
  return verdict.verdict === 'ok' ? null : verdict.reason
}

/** Whether `job` may be assigned to `p` right now. */
export function canRun(store: SandboxStore, p: Printer, job: PrintJob): boolean {
  return (
    isReady(p) &&
    tagMismatch(p, job.requiredPrinterTags) === null &&
    plateMismatch(store, p, job) === null &&
    materialCheck(store, p, job).ok
  )
}

/** Printago's per-printer checklist explaining why a job does (not) match. */
export function troubleshoot(store: SandboxStore, job: PrintJob): PrintJobMatchingTroubleshoot {
  return {
    printJobId: job.id,
    printers: [...store.state.printers.values()].map((p): PrinterMatchingStatus => {
      const mine = p.printingJobId === job.id
      const mismatch = tagMismatch(p, job.requiredPrinterTags)
      const plate = plateMismatch(store, p, job)
      const loaded = store.loadedSlots(p.id).length
      const needed = Math.max(1, channelsFor(store, job).length)
      const material = materialCheck(store, p, job)
      const checks: PrinterMatchCheck[] = [
        check(
          'enabled',
          p.enabled,
          'Printer enabled',
          'Printer is enabled',
          'Printer is disabled and receives no automatic jobs'
        ),
        check('online', p.isOnline, 'Printer online', 'Printer is online', 'Printer is offline'),
        check(
          'in-maintenance',
          !p.isInMaintenance,
          'Not in maintenance',
          'Printer is not in maintenance',
          'Printer is in maintenance mode'
        ),
        check(
          'available',
          p.isAvailable || mine,
          'Printer available',
          mine ? 'Printer is running this job' : 'Printer is not busy',
          'Printer is busy with another print'
        ),
        check(
          'ready',
          p.confirmedReady || mine,
          'Bed cleared',
          'Printer is marked clear and ready',
          'Printer is waiting for its bed to be cleared (confirm ready)'
        ),
        check(
          'profiles-configured',
          plate === null,
          'Profiles configured',
          'Printer profile suits this job',
          plate ?? ''
        ),
        check(
          'slots-loaded',
          loaded >= needed,
          'Slots loaded',
          `${loaded} loaded slot(s)`,
          `Needs ${needed} loaded slot(s); printer has ${loaded}`
        ),
        check(
          'material-match',
          material.ok,
          'Material match',
          'Loaded filament satisfies the job',
          material.ok ? '' : material.reason
        ),
        check(
          'tags-match',
          mismatch === null,
          'Tags match',
          'Printer satisfies the required tags',
          mismatch ?? ''
        )
      ]
      const failed = checks.find((c) => !c.passed)
      const status: PrinterMatchingStatus = {
        printerId: p.id,
        printerName: p.name,
        matched: failed === undefined,
        compatible: mismatch === null && plate === null && p.enabled,
        checks
      }
      if (failed) status.firstFailedCheck = failed.code
      return status
    })
  }
}

function check(
  code: PrinterMatchCheck['code'],
  passed: boolean,
  label: string,
  ok: string,
  fail: string
): PrinterMatchCheck {
  return { code, passed, label, explanation: passed ? ok : fail }
}
