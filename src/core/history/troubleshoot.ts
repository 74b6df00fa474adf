// "Why is it waiting?": Printago's matching troubleshoot for one print job, said in words — which
// printers could take it and the first check each one fails.
import type { Troubleshoot } from '../../shared/ipc'
import type {
  PrinterMatchingStatus,
  PrintJobMatchingTroubleshoot
} from '../../shared/printago/api-types'
import type { Routing } from '../../shared/send'
import { HistoryActionError, type HistoryActionDeps, type KnownPrinter } from './actions'

type CheckCode = NonNullable<PrinterMatchingStatus['firstFailedCheck']>

const REASONS: Record<CheckCode, string> = {
  enabled: 'disabled',
  online: 'offline',
  'in-maintenance': 'in maintenance',
  available: 'busy with another print',
  ready: 'waiting for its bed to be cleared',
  'tags-match': "does not match the job's tags",
  'profiles-configured': 'has no slicer profile set up',
  'subscription-slots': 'has no free printer slot in the subscription',
  'slots-loaded': 'has no filament loaded',
  'material-match': 'does not have the required material loaded',
  'filament-profiles': 'lacks a filament profile for its loaded material'
}

function listWords(xs: string[]): string {
  if (xs.length <= 1) return xs.join('')
  return `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}`
}

function tagReason(routing: Routing | undefined, printer: KnownPrinter | undefined): string {
  if (routing?.mode === 'printer') return 'is not the printer this job was sent to'
  if (routing?.mode === 'tags') {
    const missing = printer ? routing.tags.filter((t) => !printer.tags.includes(t)) : routing.tags
    const tags = missing.length > 0 ? missing : routing.tags
    if (!printer && tags.length > 1) return `does not carry all of the tags ${listWords(tags)}`
    return `does not carry tag${tags.length === 1 ? '' : 's'} ${listWords(tags)}`
  }
  return REASONS['tags-match']
}

/** Printago's matching checklist → one reason per printer and a one-sentence summary. */
export function describeTroubleshoot(
  raw: PrintJobMatchingTroubleshoot,
  ctx: { routing?: Routing; printers?: KnownPrinter[] } = {}
): Troubleshoot {
  const known = new Map((ctx.printers ?? []).map((p) => [p.id, p]))
  const printers = raw.printers.map((p) => {
    if (p.matched)
      return { printerId: p.printerId, printerName: p.printerName, matched: true, reason: null }
    const code = p.firstFailedCheck ?? p.checks.find((c) => !c.passed)?.code
    const check = p.checks.find((c) => c.code === code)
    const reason = !code
      ? (check?.explanation ?? 'cannot take this job')
      : code === 'tags-match'
        ? tagReason(ctx.routing, known.get(p.printerId))
        : REASONS[code]
    return { printerId: p.printerId, printerName: p.printerName, matched: false, reason }
  })
  printers.sort(
    (a, b) => Number(b.matched) - Number(a.matched) || a.printerName.localeCompare(b.printerName)
  )
  // Offline or busy printers fail earlier checks, yet may not carry the tags either.
  const noTags =
    raw.printers.length > 0 &&
    raw.printers.every((p) => p.checks.some((c) => c.code === 'tags-match' && !c.passed))
  return { printJobId: raw.printJobId, summary: summarize(printers, ctx.routing, noTags), printers }
}

function summarize(
  printers: Troubleshoot['printers'],
  routing: Routing | undefined,
  noPrinterHasTags: boolean
): string {
  if (printers.length === 0) return 'This store has no printers, so nothing can take the job.'
  const matched = printers.filter((p) => p.matched)
  if (matched.length > 0) {
    const names = listWords(matched.slice(0, 3).map((p) => p.printerName))
    const more = matched.length > 3 ? ` and ${matched.length - 3} more` : ''
    return `${names}${more} can take it now; it should start shortly.`
  }
  if (routing?.mode === 'printer') {
    const target = printers.find((p) => p.printerId === routing.printerId)
    return target
      ? `The chosen printer ${target.printerName} ${predicate(target.reason ?? '', 1)}.`
      : 'The printer this job was sent to is not in the store any more.'
  }
  if (routing?.mode === 'tags' && noPrinterHasTags) {
    return `No printer carries the tag${routing.tags.length === 1 ? '' : 's'} ${listWords(routing.tags)}.`
  }
  const counts = new Map<string, number>()
  for (const p of printers) counts.set(p.reason ?? '', (counts.get(p.reason ?? '') ?? 0) + 1)
  const parts = [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(
      ([reason, n]) => `${n} ${/^(does|has|lacks) /.test(reason) ? predicate(reason, n) : reason}`
    )
  return `No printer can take it right now: ${parts.join(', ')}.`
}

/** A reason as a predicate for `n` printers: "is offline", "do not carry tag X", "have no …". */
function predicate(reason: string, n: number): string {
  if (/^does /.test(reason)) return n === 1 ? reason : reason.replace(/^does /, 'do ')
  if (/^has /.test(reason)) return n === 1 ? reason : reason.replace(/^has /, 'have ')
  if (/^lacks /.test(reason)) return n === 1 ? reason : reason.replace(/^lacks /, 'lack ')
  return `${n === 1 ? 'is' : 'are'} ${reason}`
}

/** `GET /v1/print-jobs/{id}/matching-troubleshoot`, in words. */
export async function troubleshootJob(
  deps: HistoryActionDeps,
  req: { printJobId: string }
): Promise<Troubleshoot> {
  const raw = await deps.client.matchingTroubleshoot(req.printJobId)
  if (!raw) {
    throw new HistoryActionError('not-found', 'Printago no longer has this print job.')
  }
  const entry = deps.store.byPrintJobId(req.printJobId)
  return describeTroubleshoot(raw, { routing: entry?.routing, printers: deps.printers?.() })
}
