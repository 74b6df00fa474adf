// @vitest-environment happy-dom
// The history screen over a fake window.api: rows say what each job is (deleted in Printago,
// waiting for job ids), the list filters and is a keyboard listbox, a notification opens its
// entry even through filters, and live snapshots replace the list.
import { act, cleanup, render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import type { HistoryEntry, HistorySnapshot, JobCopy } from '../../../../shared/history'
import { historyCopy, historyEntry } from '../../../../test-support/history-entries'
import { HistoryRow } from './HistoryRow'
import { HistoryView } from './HistoryView'

const copy = (id: string, status: string, over: Partial<JobCopy> = {}): JobCopy =>
  historyCopy(status, { printJobId: id, ...over })
const now = Date.parse('2026-01-01T00:05:00.000Z')

interface Fake {
  list: ReturnType<typeof vi.fn>
  exportCsv: ReturnType<typeof vi.fn>
  /** Pushes `history:changed` / `history:open` as main would. */
  push(snapshot: HistorySnapshot): void
  open(entryId: string): void
}

function fakeApi(snapshot: HistorySnapshot | { error: string }): Fake {
  let changed: (s: HistorySnapshot) => void = () => undefined
  let opened: (p: { entryId: string }) => void = () => undefined
  const list = vi.fn(async () =>
    'error' in snapshot
      ? { ok: false, error: { code: 'io', message: snapshot.error } }
      : { ok: true, value: snapshot }
  )
  const exportCsv = vi.fn()
  window.api = {
    history: {
      list,
      exportCsv,
      onChanged: (l: typeof changed) => ((changed = l), () => undefined),
      onOpen: (l: typeof opened) => ((opened = l), () => undefined)
    },
    printers: {
      list: async () => ({ ok: true, value: { printers: [], fetchedAt: now } }),
      onChanged: () => () => undefined
    }
  } as unknown as Window['api']
  return {
    list,
    exportCsv,
    push: (s) => act(() => changed(s)),
    open: (id) => act(() => opened({ entryId: id }))
  }
}

const snap = (entries: HistoryEntry[]): HistorySnapshot => ({
  entries,
  sync: { mode: 'realtime', lastSyncAt: now }
})

const gear = historyEntry({ copies: [copy('j1', 'completed', { printerName: 'P1S #1' })] })
const clip = historyEntry({
  id: 'e2',
  fileName: 'clip.stl',
  label: 'clip',
  copies: [copy('j2', 'failed', { printerName: 'X1 Carbon' })]
})
const nut = historyEntry({ id: 'e3', fileName: 'nut.stl', label: 'nut', copies: [] })

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'], now })
})
afterEach(() => {
  cleanup()
  vi.useRealTimers()
})

describe('a history row', () => {
  const row = (e: HistoryEntry) =>
    render(
      <ul>
        <HistoryRow entry={e} selected={false} now={now} onSelect={() => undefined} />
      </ul>
    ).getByTestId('history-row')

  it('of a job deleted in Printago reads "Deleted in Printago", not "Queued"', () => {
    const r = row(historyEntry({ copies: [copy('j1', 'pending', { deletedOnServer: true })] }))
    const chip = within(r).getByTestId('history-status')
    expect(chip.textContent).toBe('Deleted in Printago')
    expect(chip.className).toBe('history-chip deleted')
    expect(r.dataset.status).toBe('cancelled')
    expect(r.textContent).not.toContain('Queued')
    expect(r.getAttribute('aria-label')).toBe(
      'gear.stl, Deleted in Printago, 1 copy, sent 5 min ago'
    )
  })

  it('of a partly deleted entry notes which part is gone', () => {
    const r = row(
      historyEntry({
        quantity: 2,
        copies: [copy('j1', 'printing'), copy('j2', 'pending', { deletedOnServer: true })]
      })
    )
    expect(within(r).getByTestId('history-status').textContent).toBe('In progress')
    expect(r.textContent).toContain('1 of 2 deleted in Printago')
  })

  it('without job ids says it is waiting for them', () => {
    const r = row(historyEntry({ quantity: 2, syncedAt: now - 60_000 }))
    expect(within(r).getByTestId('history-status').textContent).toBe('Queued')
    expect(within(r).getByTestId('history-row-note').textContent).toBe(
      'waiting for job ids · 2 copies'
    )
  })
})

describe('the history screen', () => {
  it('says when the history cannot be read', async () => {
    fakeApi({ error: 'History file unreadable.' })
    render(<HistoryView />)
    expect((await screen.findByRole('alert')).textContent).toBe('History file unreadable.')
  })

  it('lists the entries and shows the chosen one in the detail pane', async () => {
    const user = userEvent.setup()
    fakeApi(snap([gear, clip, nut]))
    render(<HistoryView />)
    const list = await screen.findByRole('listbox', { name: 'Sent jobs, 3 shown' })
    expect(screen.queryByTestId('history-detail')).toBeNull()
    await user.click(within(list).getAllByRole('option')[1]!)
    expect(within(screen.getByTestId('history-detail')).getByRole('heading').textContent).toBe(
      'clip'
    )
  })

  it('is a listbox: arrows, Home and End move the selection', async () => {
    const user = userEvent.setup()
    fakeApi(snap([gear, clip, nut]))
    render(<HistoryView />)
    const list = await screen.findByTestId('history-list')
    const selected = () =>
      within(list)
        .getAllByRole('option')
        .filter((o) => o.getAttribute('aria-selected') === 'true')
        .map((o) => o.dataset.entryId)
    await user.click(within(list).getAllByRole('option')[0]!)
    expect(selected()).toEqual(['e1'])
    await user.keyboard('{ArrowDown}')
    expect(selected()).toEqual(['e2'])
    expect(list.getAttribute('aria-activedescendant')).toBe('history-e2')
    await user.keyboard('{End}')
    expect(selected()).toEqual(['e3'])
    await user.keyboard('{ArrowDown}')
    expect(selected()).toEqual(['e3'])
    await user.keyboard('{Home}')
    expect(selected()).toEqual(['e1'])
  })

  it('filters by status, printer and text, and can clear the filters', async () => {
    const user = userEvent.setup()
    fakeApi(snap([gear, clip, nut]))
    render(<HistoryView />)
    await screen.findByTestId('history-list')
    const shown = () => screen.getAllByTestId('history-row').map((r) => r.dataset.entryId)
    await user.selectOptions(screen.getByTestId('history-filter-status'), 'failed')
    expect(shown()).toEqual(['e2'])
    await user.selectOptions(screen.getByTestId('history-filter-status'), 'all')
    await user.selectOptions(screen.getByTestId('history-filter-printer'), 'P1S #1')
    expect(shown()).toEqual(['e1'])
    await user.type(screen.getByTestId('history-search'), 'zzz')
    expect(screen.queryByTestId('history-list')).toBeNull()
    await user.click(screen.getByRole('button', { name: 'Clear filters' }))
    expect(shown()).toEqual(['e1', 'e2', 'e3'])
  })

  it('opens the entry a notification names, clearing filters that hide it', async () => {
    const user = userEvent.setup()
    const api = fakeApi(snap([gear, clip, nut]))
    const view = render(<HistoryView />)
    await screen.findByTestId('history-list')
    await user.type(screen.getByTestId('history-search'), 'gear')
    expect(screen.getAllByTestId('history-row')).toHaveLength(1)
    view.rerender(<HistoryView focusEntryId="e3" />)
    const heading = () => within(screen.getByTestId('history-detail')).getByRole('heading')
    expect(heading().textContent).toBe('nut')
    expect(screen.getByTestId('history-search')).toHaveProperty('value', '')
    expect(screen.getAllByTestId('history-row')).toHaveLength(3)
    api.open('e2')
    expect(heading().textContent).toBe('clip')
  })

  it('follows live snapshots (a new entry appears, sync mode shows)', async () => {
    const api = fakeApi(snap([gear]))
    render(<HistoryView />)
    await screen.findByTestId('history-list')
    expect(screen.getByTestId('history-sync').textContent).toBe('Live')
    api.push({ entries: [clip, gear], sync: { mode: 'polling', lastSyncAt: now - 60_000 } })
    expect(screen.getAllByTestId('history-row').map((r) => r.dataset.entryId)).toEqual(['e2', 'e1'])
    expect(screen.getByTestId('history-sync').textContent).toBe('Polling · 1 min ago')
  })

  it('Export CSV: a refusal is shown; an empty history has nothing to export', async () => {
    const user = userEvent.setup()
    const api = fakeApi(snap([gear]))
    api.exportCsv.mockResolvedValue({ ok: false, error: { code: 'io', message: 'Disk full.' } })
    render(<HistoryView />)
    await user.click(await screen.findByTestId('history-export'))
    expect((await screen.findByRole('alert')).textContent).toBe('Disk full.')
    cleanup()
    fakeApi(snap([]))
    render(<HistoryView />)
    expect(await screen.findByTestId('history-export')).toHaveProperty('disabled', true)
    expect(screen.getByText(/Nothing sent yet/)).toBeTruthy()
  })
})
