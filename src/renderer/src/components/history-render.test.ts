// The history list row and detail pane as they render (static markup, no DOM needed): deleted
// copies and entries still waiting for their job ids read as such, and rows are labelled.
import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'

import type { HistoryEntry, JobCopy } from '../../../shared/history'
import { historyCopy, historyEntry } from '../../../test-support/history-entries'
import { HistoryDetail } from './history/HistoryDetail'
import { HistoryRow } from './history/HistoryRow'

const copy = (id: string, status: string, over: Partial<JobCopy> = {}): JobCopy =>
  historyCopy(status, { printJobId: id, ...over })
const entry = historyEntry

const now = Date.parse('2026-01-01T00:05:00.000Z')

const row = (e: HistoryEntry): string =>
  renderToStaticMarkup(
    createElement(
      'ul',
      null,
      createElement(HistoryRow, { entry: e, selected: false, now, onSelect: () => undefined })
    )
  )

const detail = (e: HistoryEntry): string =>
  renderToStaticMarkup(
    createElement(HistoryDetail, {
      entry: e,
      sync: { mode: 'realtime', lastSyncAt: null },
      now,
      printerName: () => undefined,
      onReprinted: () => undefined
    })
  )

/** The text of the first element carrying `data-testid="<id>"`. */
function textOf(html: string, id: string): string | null {
  const m = new RegExp(`data-testid="${id}"[^>]*>([\\s\\S]*?)</(span|p|td|tr)>`).exec(html)
  return m ? m[1]!.replace(/<[^>]+>/g, '') : null
}

describe('a job deleted in Printago', () => {
  const gone = entry({ copies: [copy('j1', 'pending', { deletedOnServer: true })] })

  it('shows "Deleted in Printago" in the list, not "Queued"', () => {
    const html = row(gone)
    expect(textOf(html, 'history-status')).toBe('Deleted in Printago')
    expect(html).toContain('data-status="cancelled"')
    expect(html).toContain('class="history-chip deleted"')
    expect(html).not.toContain('Queued')
    expect(html).toContain('aria-label="gear.stl, Deleted in Printago, 1 copy, sent 5 min ago"')
  })

  it('shows "Deleted in Printago" in the detail, for the entry and the copy', () => {
    const html = detail(gone)
    expect(textOf(html, 'history-status')).toBe('Deleted in Printago')
    expect(html).toMatch(/data-testid="history-copy"[^>]*data-deleted="true"/)
    expect(html).toContain('<span class="history-chip small deleted">Deleted in Printago</span>')
    expect(html).toContain('last known: Queued')
    expect(textOf(html, 'history-deleted-note')).toBe(
      'This job was deleted in Printago before finishing. It will not print and counts as cancelled; “Print again” queues new copies.'
    )
  })

  it('in a partly deleted entry, the list notes which part is gone', () => {
    const html = row(
      entry({
        quantity: 2,
        copies: [copy('j1', 'printing'), copy('j2', 'pending', { deletedOnServer: true })]
      })
    )
    expect(textOf(html, 'history-status')).toBe('In progress')
    expect(html).toContain('1 of 2 deleted in Printago')
  })
})

describe('an entry without job ids (e.g. recovered from the backup)', () => {
  const waiting = entry({ quantity: 2, syncedAt: now - 60_000 })

  it('says it is waiting for job ids in the list', () => {
    const html = row(waiting)
    expect(textOf(html, 'history-status')).toBe('Queued')
    expect(textOf(html, 'history-row-note')).toBe('waiting for job ids · 2 copies')
  })

  it('says why in the detail', () => {
    expect(textOf(detail(waiting), 'history-no-jobs')).toMatch(
      /^Waiting for job ids: .* listed none for part build build1 when last checked \(1 min ago\)/
    )
  })
})

describe('actions', () => {
  it('are a named group of buttons with their own words', () => {
    const html = detail(entry({ copies: [copy('j1', 'pending')] }))
    expect(html).toContain('role="group" aria-label="Actions for gear"')
    for (const name of ['Print again', 'Cancel', 'Retry', 'Why is it waiting?', 'Open in Printago'])
      expect(html).toMatch(new RegExp(`<button[^>]*>${name.replace('?', '\\?')}</button>`))
  })
})
