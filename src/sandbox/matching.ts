// Which printer may run which job: readiness plus Printago's routing tags (`requiredPrinterTags`).
import type {
  PrinterMatchCheck,
  PrinterMatchingStatus,
  Printer,
  PrintJob,
  PrintJobMatchingTroubleshoot,
  Tags
} from '../shared/printago/api-types'

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

/** Checks every routing tag; returns the first mismatch explained, or null when all match. */
export function tagMismatch(p: Printer, tags: Tags | null | undefined): string | null {
  for (const [key, raw] of Object.entries(tags ?? {})) {
    if (typeof raw !== 'string') continue
    const { op, operands } = parseTag(raw)
    let ok: boolean
    switch (key) {
      case 'printer.id':
        ok = setMatch(op === '&=' ? '|=' : op, operands, (x) => x === p.id)
        break
      case 'user.tags':
        // Case-sensitive, like Printago's tag matching.
        ok = setMatch(op, operands, (x) => (p.tags ?? []).includes(x))
        break
      case 'printer.provider':
        ok = setMatch(
          op === '&=' ? '|=' : op,
          operands,
          (x) => x.toLowerCase() === p.provider.toLowerCase()
        )
        break
      case 'printer.nozzleDiameter':
        ok = setMatch(
          op === '&=' ? '|=' : op,
          operands,
          (x) => Number(x) === Number(p.nozzleDiameter)
        )
        break
      case 'printer.modelName':
        ok = setMatch(op === '&=' ? '|=' : op, operands, (x) =>
          modelNames(p).includes(x.toLowerCase())
        )
        break
      case 'filament.type':
        // The sandbox has no AMS model; a printer "has" a filament when it carries it as a tag.
        ok = setMatch(op, operands, (x) =>
          (p.tags ?? []).some((t) => t.toLowerCase() === x.toLowerCase())
        )
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

/** Whether `job` may be assigned to `p` right now. */
export function canRun(p: Printer, job: PrintJob): boolean {
  return isReady(p) && tagMismatch(p, job.requiredPrinterTags) === null
}

/** Printago's per-printer checklist explaining why a job does (not) match. */
export function troubleshoot(job: PrintJob, printers: Printer[]): PrintJobMatchingTroubleshoot {
  return {
    printJobId: job.id,
    printers: printers.map((p): PrinterMatchingStatus => {
      const mine = p.printingJobId === job.id
      const mismatch = tagMismatch(p, job.requiredPrinterTags)
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
        compatible: mismatch === null && p.enabled,
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
