// The send panel's rules, pure: which files go, which routing was chosen, and every reason the
// Send button is disabled, in words.
import type { PrinterSummary } from '../../../../shared/ipc'
import { labelProblem, quantityProblem, type Routing } from '../../../../shared/send'
import { sizeMm, type FileOptions, type LoadedFile } from '../../lib/files'
import { matchingPrinters, printerFit, sendSummary, type Fit } from '../../lib/routing'

export type Mode = Routing['mode']

/** The first problem of a file's label or quantity, or null. */
export function validateOptions(o: FileOptions): string | null {
  return labelProblem(o.label) ?? quantityProblem(o.quantity)
}

/** The routing the choices make, or null while it is incomplete (no printer, no tag). */
export function routingFor(mode: Mode, printerId: string | null, tags: string[]): Routing | null {
  if (mode === 'any') return { mode }
  if (mode === 'printer') return printerId ? { mode, printerId } : null
  return tags.length ? { mode, tags } : null
}

export interface SendInput {
  files: LoadedFile[]
  unitScale: number
  printers: PrinterSummary[]
  mode: Mode
  printerId: string | null
  tags: string[]
}

export interface SendCheck {
  /** Files this send takes (readable, printable, not sent yet). */
  sendable: LoadedFile[]
  /** Bed fit of every printer for all sendable files. */
  fits: Map<string, Fit>
  /** Enabled printers carrying all chosen tags (tag routing only). */
  tagMatches: PrinterSummary[]
  /** …of which the model fits. */
  tagFitting: PrinterSummary[]
  routing: Routing | null
  /** Why Send is disabled; empty when it can go. */
  problems: string[]
  /** Files that stay behind, and why (they do not block the send). */
  leftOut: string[]
  /** "2 files, 3 copies, to any printer — …", once the routing is complete. */
  summary: string | null
}

/** Everything the panel says about a send before it starts. */
export function checkSend(input: SendInput): SendCheck {
  const { files, printers: list, mode, printerId, tags } = input
  // A file the engine judged unprintable (flat, no usable triangles) is never sent.
  // Files already queued are not sent again from here (History → Print again does that), so a
  // retry after a partial failure can never queue a file twice.
  const sendable = files.filter(
    (f) => f.status === 'ready' && f.report?.verdict !== 'error' && !f.sent
  )
  const alreadySent = files.filter((f) => f.sent).length
  const unprintable = files.filter((f) => f.status === 'ready' && f.report?.verdict === 'error')
  const sizes = sendable.map((f) => sizeMm(f, input.unitScale)!)
  const fits = new Map(list.map((p) => [p.id, printerFit(p, sizes)]))
  const routing = routingFor(mode, printerId, tags)
  const tagMatches = mode === 'tags' ? matchingPrinters(list, tags) : []
  const tagFitting = tagMatches.filter((p) => fits.get(p.id) !== 'too-big')

  const problems: string[] = []
  if (sendable.length === 0)
    problems.push(
      alreadySent > 0
        ? 'Every file here is already sent. Add files, or use History → Print again.'
        : 'Add at least one readable STL file.'
    )
  const leftOut = [
    ...(alreadySent > 0 && sendable.length > 0
      ? [
          `${alreadySent} already sent file${alreadySent === 1 ? ' is' : 's are'} skipped (History → Print again prints more).`
        ]
      : []),
    ...unprintable.map(
      (f) => `${f.name} is left out: ${f.report?.notes[0] ?? 'it cannot be printed'}`
    )
  ]
  for (const f of sendable) {
    const err = validateOptions(f.options)
    if (err) problems.push(`${f.name}: ${err}`)
  }
  if (mode === 'printer' && !printerId) problems.push('Choose a printer.')
  if (mode === 'printer' && printerId && !list.some((p) => p.id === printerId))
    problems.push('The chosen printer is no longer in the list.')
  const chosen = mode === 'printer' ? list.find((p) => p.id === printerId) : undefined
  if (chosen && !chosen.enabled)
    problems.push(`${chosen.name} is disabled in Printago: it takes no jobs until it is enabled.`)
  if (mode === 'printer' && printerId && fits.get(printerId) === 'too-big')
    problems.push('The model is too big for this printer’s bed.')
  if (mode === 'tags' && tags.length === 0) problems.push('Choose at least one tag.')
  if (mode === 'tags' && tags.length > 0 && tagMatches.length === 0)
    problems.push('No printer carries all of these tags.')
  if (mode === 'tags' && tagMatches.length > 0 && tagFitting.length === 0)
    problems.push('None of the matching printers has a bed big enough.')
  if (mode === 'any' && list.length > 0 && list.every((p) => fits.get(p.id) === 'too-big'))
    problems.push('The model is too big for every printer.')

  const copies = sendable.reduce(
    (n, f) => n + (Number.isInteger(f.options.quantity) ? f.options.quantity : 0),
    0
  )
  const summary = routing ? sendSummary(sendable.length, copies, routing, list) : null
  return { sendable, fits, tagMatches, tagFitting, routing, problems, leftOut, summary }
}
