// The status sync's handling of realtime (MQTT) messages, one handler per kind of message:
// print-job entity events update the copies of OUR part builds (events for builds the history
// does not know yet are held, see sync-event-buffer.ts) and tell that the queue moved, printer
// entity events teach printer names, part events bring estimates and thumbnails, printer stats
// move the live progress. Rows may be whole or only the changed fields. Unknown and foreign
// messages are ignored.
import type { HistoryEntry } from '../../shared/history'
import type { Clock } from '../infra/clock'
import type {
  EntityMessage,
  PrinterStatsMessage,
  RealtimeEntityType,
  RealtimeMessage
} from '../printago/realtime'
import type { HistoryStore } from './store'
import { applyToEntry, changedValue, jobFacts, markDeleted, type ApplyContext } from './sync-apply'
import { createEventBuffer } from './sync-event-buffer'
import type { FinishedJobs } from './sync-notify'
import type { PartFacts } from './sync-parts'
import type { PrinterNames } from './sync-printer-names'
import type { PrinterStats } from './sync-printer-stats'

export interface RealtimeHandling {
  handle(message: RealtimeMessage): void
  /** Applies the held events of entries that just appeared. */
  replay(fresh: readonly HistoryEntry[]): void
}

export interface RealtimeHandlingOptions {
  store: HistoryStore
  clock: Clock
  names: PrinterNames
  stats: PrinterStats
  /** A fresh context for one message (its finished copies are dispatched after it). */
  step: () => ApplyContext
  finished: FinishedJobs
  /** Something visible changed that the store did not see (live progress). */
  changed: () => void
  /** A job event arrived; `ours` when it was about one of my jobs. */
  onJobEvent?: (ours: boolean) => void
  /** Estimates and thumbnails from part events. */
  parts?: Pick<PartFacts, 'learn'>
}

export function createRealtimeHandling(opts: RealtimeHandlingOptions): RealtimeHandling {
  const { store } = opts
  const buffer = createEventBuffer(opts.clock)

  function onPrintJobs(m: EntityMessage): void {
    const c = opts.step()
    const ids = new Set([...Object.keys(m.entities), ...Object.keys(m.changes)])
    let ours = false
    for (const id of ids) {
      const facts = jobFacts(id, m.entities[id] ?? {}, m.changes[id])
      const entry =
        (facts.partBuildId && store.byPartBuildId(facts.partBuildId)) || store.byPrintJobId(id)
      if (!entry) {
        // Not (yet) one of ours: keep it a while in case its history entry is about to be added.
        if (facts.partBuildId && m.action !== 'DELETE') buffer.hold(facts.partBuildId, facts)
        continue
      }
      ours = true
      if (m.action === 'DELETE') markDeleted(c, entry.id, new Set([id]))
      else applyToEntry(c, entry.id, [facts])
    }
    opts.finished.dispatch(c.finished)
    opts.onJobEvent?.(ours)
  }

  function onParts(m: EntityMessage): void {
    if (m.action === 'DELETE' || !opts.parts) return
    const ids = new Set([...Object.keys(m.entities), ...Object.keys(m.changes)])
    for (const id of ids) {
      const fields: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(m.changes[id] ?? {})) fields[k] = changedValue(v)
      Object.assign(fields, m.entities[id] ?? {})
      opts.parts.learn(id, fields)
    }
  }

  function onPrinters(m: EntityMessage): void {
    opts.names.learn(m.entities)
  }

  function onPrinterStats(m: PrinterStatsMessage): void {
    if (opts.stats.apply(m, () => store.list())) opts.changed()
  }

  const entityHandlers: Partial<Record<RealtimeEntityType, (m: EntityMessage) => void>> = {
    printJob: onPrintJobs,
    printer: onPrinters,
    part: onParts
  }

  return {
    handle(m) {
      if (m.kind === 'entity') entityHandlers[m.entityType]?.(m)
      else onPrinterStats(m)
    },
    replay(fresh) {
      const c = opts.step()
      for (const e of fresh) {
        const jobs = buffer.take(e.partBuildId)
        if (jobs) applyToEntry(c, e.id, jobs)
      }
      opts.finished.dispatch(c.finished)
    }
  }
}
