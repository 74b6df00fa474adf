// @vitest-environment happy-dom
// The history detail pane as a user meets it: deleted copies and entries waiting for job ids read
// as such, and each action (Print again, Cancel, Retry, Why is it waiting?, Open in Printago)
// calls main once, says what happened, and never lets an answer about one entry land on another.
import { cleanup, render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import type { HistoryEntry, JobCopy } from '../../../../shared/history'
import { historyCopy, historyEntry } from '../../../../test-support/history-entries'
import { HistoryDetail } from './HistoryDetail'

const copy = (id: string, status: string, over: Partial<JobCopy> = {}): JobCopy =>
  historyCopy(status, { printJobId: id, ...over })
const now = Date.parse('2026-01-01T00:05:00.000Z')

type Api = Window['api']['history'] & { openExternal: Window['api']['shell']['openExternal'] }

/** A window.api whose history calls are spies; each test sets the answers it needs. */
function fakeApi(): Api {
  const history = {
    reprint: vi.fn(),
    cancel: vi.fn(),
    retry: vi.fn(),
    troubleshoot: vi.fn()
  }
  const openExternal = vi.fn()
  // Print again's material list (the store's catalogue): none here.
  const printers = {
    materials: vi.fn(async () => ({ ok: false, error: { code: 'x', message: 'x' } }))
  }
  window.api = { history, shell: { openExternal }, printers } as unknown as Window['api']
  return { ...history, openExternal } as unknown as Api
}

/** A promise the test resolves when it wants (an answer still on its way). */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

function show(entry: HistoryEntry, onReprinted = vi.fn()) {
  const props = {
    entry,
    sync: { mode: 'realtime' as const, lastSyncAt: null },
    now,
    printerName: (id: string) => (id === 'p1' ? 'P1S #1' : undefined),
    printers: [
      {
        id: 'p1',
        name: 'P1S #1',
        model: 'P1S',
        state: 'ready' as const,
        online: true,
        available: true,
        ready: true,
        enabled: true,
        tags: ['PLA', 'RackA'],
        printingJobId: null
      },
      {
        id: 'p2',
        name: 'A1 mini',
        model: 'A1 mini',
        state: 'ready' as const,
        online: true,
        available: true,
        ready: true,
        enabled: true,
        tags: ['PLA'],
        printingJobId: null
      }
    ],
    onReprinted
  }
  const view = render(<HistoryDetail {...props} />)
  return {
    ...view,
    onReprinted,
    showEntry: (e: HistoryEntry) => view.rerender(<HistoryDetail {...props} entry={e} />)
  }
}

let api: Api
beforeEach(() => {
  api = fakeApi()
})
afterEach(cleanup)

describe('a job deleted in Printago', () => {
  it('reads "Deleted in Printago" for the entry and the copy, with what it was', () => {
    show(historyEntry({ copies: [copy('j1', 'pending', { deletedOnServer: true })] }))
    const chip = screen.getByTestId('history-status')
    expect(chip).toHaveProperty('textContent', 'Deleted in Printago')
    expect(chip.dataset.status).toBe('cancelled')
    const row = screen.getByTestId('history-copy')
    expect(row.dataset.deleted).toBe('true')
    expect(within(row).getByText('Deleted in Printago').className).toBe(
      'history-chip small deleted'
    )
    expect(row.textContent).toContain('last known: Queued')
    expect(screen.getByTestId('history-deleted-note').textContent).toBe(
      'This job was deleted in Printago before finishing. It will not print and counts as cancelled; “Print again” queues new copies.'
    )
  })
})

describe('an entry without job ids (e.g. recovered from the backup)', () => {
  it('says why there are no copies yet', () => {
    show(historyEntry({ quantity: 2, syncedAt: now - 60_000 }))
    expect(screen.getByTestId('history-no-jobs').textContent).toMatch(
      /^Waiting for job ids: .* listed none for part build build1 when last checked \(1 min ago\)/
    )
    expect(screen.queryByTestId('history-copy')).toBeNull()
  })
})

describe('facts', () => {
  it('names the printer of a copy from the printer list when the copy has no name', () => {
    show(historyEntry({ copies: [copy('j1', 'printing', { printerId: 'p1', progress: 40 })] }))
    const row = screen.getByTestId('history-copy')
    expect(row.textContent).toContain('P1S #1')
    expect(within(row).getByRole('progressbar', { name: 'Copy 1 progress' })).toHaveProperty(
      'value',
      40
    )
  })

  it('shows the sync state: live, or the last known state with its age and the error', () => {
    const entry = historyEntry({ syncedAt: now - 120_000 })
    const view = show(entry)
    expect(screen.getByTestId('history-sync-age').textContent).toBe('Live updates')
    view.rerender(
      <HistoryDetail
        entry={entry}
        sync={{ mode: 'polling', lastSyncAt: null, error: 'Printago is unreachable' }}
        now={now}
        printerName={() => undefined}
        onReprinted={vi.fn()}
      />
    )
    expect(screen.getByTestId('history-sync-age').textContent).toBe(
      'Last known state, synced 2 min ago — Printago is unreachable'
    )
  })
})

describe('actions', () => {
  it('are a named group of buttons, enabled by what the copies allow', () => {
    show(historyEntry({ copies: [copy('j1', 'pending')] }))
    const group = screen.getByRole('group', { name: 'Actions for gear' })
    const names = within(group)
      .getAllByRole('button')
      .map((b) => b.textContent)
    expect(names).toEqual([
      'Print again',
      'Cancel…',
      'Retry',
      'Why is it waiting?',
      'Open in Printago'
    ])
    // A queued copy can be cancelled and asked about; nothing has failed, so nothing to retry.
    expect(screen.getByTestId('history-cancel')).toHaveProperty('disabled', false)
    expect(screen.getByTestId('history-troubleshoot')).toHaveProperty('disabled', false)
    expect(screen.getByTestId('history-retry')).toHaveProperty('disabled', true)
  })

  it('Print again: the form refuses a bad quantity or label, then queues once and says so', async () => {
    const user = userEvent.setup()
    const entry = historyEntry({ copies: [copy('j1', 'completed')] })
    const again = historyEntry({ id: 'e2', reprintOf: 'e1' })
    vi.mocked(api.reprint).mockResolvedValue({ ok: true, value: { entry: again } })
    const { onReprinted } = show(entry)

    const toggle = screen.getByTestId('history-reprint')
    expect(toggle.getAttribute('aria-expanded')).toBe('false')
    await user.click(toggle)
    expect(toggle.getAttribute('aria-expanded')).toBe('true')
    const quantity = screen.getByTestId('history-reprint-quantity')
    const label = screen.getByTestId('history-reprint-label')
    const submit = screen.getByTestId('history-reprint-submit')
    expect(submit.textContent).toBe('Queue 1 copy')

    await user.clear(quantity)
    await user.type(quantity, '0')
    expect(quantity.getAttribute('aria-invalid')).toBe('true')
    expect(submit).toHaveProperty('disabled', true)
    await user.clear(quantity)
    await user.type(quantity, '3')
    await user.clear(label)
    expect(label.getAttribute('aria-invalid')).toBe('true')
    expect(submit).toHaveProperty('disabled', true)
    await user.type(label, '  gear v2 ')
    await user.selectOptions(screen.getByTestId('history-reprint-priority'), 'low')
    expect(submit.textContent).toBe('Queue 3 copies')
    await user.click(submit)

    expect(api.reprint).toHaveBeenCalledTimes(1)
    expect(api.reprint).toHaveBeenCalledWith({
      entryId: 'e1',
      quantity: 3,
      label: 'gear v2',
      priority: 'low',
      routing: { mode: 'any' },
      material: null
    })
    expect((await screen.findByTestId('history-action-notice')).textContent).toBe(
      'Queued again: 3 copies.'
    )
    expect(screen.queryByTestId('history-reprint-form')).toBeNull()
    expect(onReprinted).toHaveBeenCalledWith(again)
  })

  it('Print again opens with the original routing and material, and sends the changed ones', async () => {
    const user = userEvent.setup()
    vi.mocked(api.reprint).mockResolvedValue({
      ok: true,
      value: { entry: historyEntry({ id: 'e2' }) }
    })
    show(
      historyEntry({
        routing: { mode: 'tags', tags: ['PLA'] },
        material: { kind: 'type', type: 'PLA' },
        dimensions: [200, 200, 20],
        copies: [copy('j1', 'completed')]
      })
    )
    await user.click(screen.getByTestId('history-reprint'))
    expect((screen.getByTestId('history-reprint-mode') as HTMLSelectElement).value).toBe('tags')
    expect(screen.getByRole('checkbox', { name: 'PLA' })).toHaveProperty('checked', true)
    expect((screen.getByTestId('history-reprint-material') as HTMLSelectElement).value).toBe(
      'type:PLA'
    )
    await user.selectOptions(screen.getByTestId('history-reprint-mode'), 'printer')
    const printer = screen.getByTestId('history-reprint-printer')
    // 200 mm does not fit the A1 mini's bed: it cannot be chosen.
    expect(within(printer).getByRole('option', { name: 'A1 mini (too small)' })).toHaveProperty(
      'disabled',
      true
    )
    expect(screen.getByTestId('history-reprint-submit')).toHaveProperty('disabled', true)
    await user.selectOptions(printer, 'p1')
    await user.click(screen.getByTestId('history-reprint-submit'))
    expect(api.reprint).toHaveBeenCalledWith({
      entryId: 'e1',
      quantity: 1,
      label: 'gear',
      priority: 'normal',
      routing: { mode: 'printer', printerId: 'p1' },
      material: { kind: 'type', type: 'PLA' }
    })
  })

  it('Print again whose answer was lost: "not confirmed yet", never "could not reach"', async () => {
    const user = userEvent.setup()
    vi.mocked(api.reprint).mockResolvedValue({
      ok: false,
      error: { code: 'outcome-unknown', message: 'Printago did not confirm whether gear.stl…' }
    })
    show(historyEntry({ copies: [copy('j1', 'completed')] }))
    await user.click(screen.getByTestId('history-reprint'))
    await user.click(screen.getByTestId('history-reprint-submit'))
    const notice = await screen.findByTestId('history-action-notice')
    expect(notice.textContent).toMatch(
      /^Not confirmed yet: .* It will be checked before anything is sent again/
    )
    expect(notice.textContent).not.toMatch(/reach/)
    expect(screen.queryByTestId('history-action-error')).toBeNull()
    // Closed, so a second click cannot queue the same copies again.
    expect(screen.queryByTestId('history-reprint-form')).toBeNull()
  })

  it('Cancel asks first, naming each copy and its printer; "Keep them" cancels nothing', async () => {
    const user = userEvent.setup()
    show(
      historyEntry({
        quantity: 2,
        copies: [copy('j1', 'printing', { printerId: 'p1' }), copy('j2', 'pending')]
      })
    )
    await user.click(screen.getByTestId('history-cancel'))
    const dialog = screen.getByRole('dialog', { name: 'Cancel 2 copies of gear?' })
    expect(
      within(dialog)
        .getAllByRole('listitem')
        .map((li) => li.textContent)
    ).toEqual(['Copy 1: printing on P1S #1 — the print stops', 'Copy 2: queued'])
    // The safe choice has the focus.
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Keep them' }))
    await user.click(within(dialog).getByRole('button', { name: 'Keep them' }))
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(api.cancel).not.toHaveBeenCalled()
    expect(document.activeElement).toBe(screen.getByTestId('history-cancel'))
  })

  it('one copy can be cancelled on its own, after its own confirmation', async () => {
    const user = userEvent.setup()
    vi.mocked(api.cancel).mockResolvedValue({ ok: true, value: { affected: ['j2'] } })
    show(
      historyEntry({
        quantity: 2,
        copies: [copy('j1', 'printing', { printerId: 'p1' }), copy('j2', 'pending')]
      })
    )
    const cancels = screen.getAllByTestId('copy-cancel')
    expect(cancels.map((b) => b.getAttribute('aria-label'))).toEqual([
      'Cancel copy 1',
      'Cancel copy 2'
    ])
    await user.click(cancels[1]!)
    const dialog = screen.getByRole('dialog', { name: 'Cancel copy 2 of gear?' })
    await user.click(within(dialog).getByRole('button', { name: 'Cancel this copy' }))
    expect(api.cancel).toHaveBeenCalledWith({ entryId: 'e1', printJobIds: ['j2'] })
    expect((await screen.findByTestId('history-action-notice')).textContent).toBe(
      'Cancelled 1 copy.'
    )
  })

  it('Cancel: busy while it runs, then the count of cancelled copies', async () => {
    const user = userEvent.setup()
    const answer = deferred<Awaited<ReturnType<Api['cancel']>>>()
    vi.mocked(api.cancel).mockReturnValue(answer.promise)
    show(historyEntry({ copies: [copy('j1', 'pending'), copy('j2', 'pending')], quantity: 2 }))

    await user.click(screen.getByTestId('history-cancel'))
    await user.click(screen.getByRole('button', { name: 'Cancel 2 copies' }))
    expect(screen.getByTestId('history-cancel').textContent).toBe('Cancelling…')
    // One action at a time: every button waits (the queue actions too).
    const groups = screen.getAllByRole('group')
    expect(groups.map((g) => g.getAttribute('aria-label'))).toEqual([
      'Actions for gear',
      'Queue actions for gear'
    ])
    for (const g of groups)
      for (const b of within(g).getAllByRole('button')) expect(b).toHaveProperty('disabled', true)
    answer.resolve({ ok: true, value: { affected: ['j1', 'j2'] } })
    expect((await screen.findByTestId('history-action-notice')).textContent).toBe(
      'Cancelled 2 copies.'
    )
    expect(api.cancel).toHaveBeenCalledWith({ entryId: 'e1', printJobIds: ['j1', 'j2'] })
    // Done: the actions are free again.
    expect(screen.getByTestId('history-cancel')).toHaveProperty('disabled', false)
  })

  it('Retry: a refusal is shown as an error, not a notice', async () => {
    const user = userEvent.setup()
    vi.mocked(api.retry).mockResolvedValue({
      ok: false,
      error: { code: 'forbidden', message: 'This key cannot manage the queue.' }
    })
    show(historyEntry({ copies: [copy('j1', 'failed')] }))
    await user.click(screen.getByTestId('history-retry'))
    const error = await screen.findByTestId('history-action-error')
    expect(screen.getByTestId('history-action-error-text').textContent).toBe(
      'This API key is not allowed to do that. Ask the store owner for a key with the permission (Printago → Settings → API Keys).'
    )
    // Printago's own words stay one click away.
    expect(error.querySelector('details')!.textContent).toContain(
      'This key cannot manage the queue.'
    )
    expect(screen.queryByTestId('history-action-notice')).toBeNull()
  })

  it('Why is it waiting?: asks about the first queued copy and lists each printer', async () => {
    const user = userEvent.setup()
    vi.mocked(api.troubleshoot).mockResolvedValue({
      ok: true,
      value: {
        printJobId: 'j1',
        summary: 'No printer carries the tag RackC.',
        printers: [
          { printerId: 'p1', printerName: 'P1S #1', matched: false, reason: 'lacks tag RackC' },
          { printerId: 'p2', printerName: 'X1 Carbon', matched: true, reason: null }
        ]
      }
    })
    show(historyEntry({ copies: [copy('j1', 'pending')] }))
    await user.click(screen.getByTestId('history-troubleshoot'))
    const result = await screen.findByTestId('history-troubleshoot-result')
    expect(api.troubleshoot).toHaveBeenCalledWith({ printJobId: 'j1' })
    expect(result.textContent).toContain('No printer carries the tag RackC.')
    expect(
      within(result)
        .getAllByRole('listitem')
        .map((li) => li.textContent)
    ).toEqual(['P1S #1: lacks tag RackC', 'X1 Carbon: can take it'])
    expect(result.textContent).toContain('About copy 1, asked')
  })

  it('drops a "why" answer once that job has moved on (it would be stale)', async () => {
    const user = userEvent.setup()
    vi.mocked(api.troubleshoot).mockResolvedValue({
      ok: true,
      value: { printJobId: 'j1', summary: 'Waiting for a ready printer.', printers: [] }
    })
    const view = show(historyEntry({ copies: [copy('j1', 'pending')] }))
    await user.click(screen.getByTestId('history-troubleshoot'))
    await screen.findByTestId('history-troubleshoot-result')
    view.showEntry(historyEntry({ copies: [copy('j1', 'printing')] }))
    expect(screen.queryByTestId('history-troubleshoot-result')).toBeNull()
  })

  it('Open in Printago: where no browser could be opened, shows the address to copy', async () => {
    const user = userEvent.setup()
    vi.mocked(api.openExternal).mockResolvedValue({ ok: true, value: { opened: false } })
    show(historyEntry({ copies: [copy('j1', 'pending')] }))
    const open = screen.getByTestId('history-open')
    await user.click(open)
    const link = await screen.findByTestId('history-open-url-link')
    expect(link.getAttribute('href')).toBe(open.getAttribute('title'))
    expect(api.openExternal).toHaveBeenCalledWith({ url: open.getAttribute('title') })
    await user.click(screen.getByRole('button', { name: 'Copy address' }))
    expect(screen.getByTestId('history-open-url').textContent).toMatch(/Copied\.|Selected:/)
  })

  it('Open in Printago: says so when the browser opened', async () => {
    const user = userEvent.setup()
    vi.mocked(api.openExternal).mockResolvedValue({ ok: true, value: { opened: true } })
    show(historyEntry({}))
    await user.click(screen.getByTestId('history-open'))
    expect((await screen.findByTestId('history-action-notice')).textContent).toBe(
      'Opened in your browser.'
    )
    expect(screen.queryByTestId('history-open-url')).toBeNull()
  })

  it('an answer for an entry no longer shown is dropped, and the new entry starts clean', async () => {
    const user = userEvent.setup()
    const answer = deferred<Awaited<ReturnType<Api['cancel']>>>()
    vi.mocked(api.cancel).mockReturnValue(answer.promise)
    const view = show(historyEntry({ copies: [copy('j1', 'pending')] }))
    await user.click(screen.getByTestId('history-reprint'))
    await user.click(screen.getByTestId('history-cancel'))
    await user.click(screen.getByRole('button', { name: 'Cancel this copy' }))
    view.showEntry(historyEntry({ id: 'e2', label: 'bracket', copies: [copy('j9', 'pending')] }))
    answer.resolve({ ok: true, value: { affected: ['j1'] } })
    await answer.promise
    expect(screen.queryByTestId('history-action-notice')).toBeNull()
    expect(screen.queryByTestId('history-reprint-form')).toBeNull()
    expect(screen.getByTestId('history-cancel')).toHaveProperty('disabled', false)
    expect(screen.getByRole('group', { name: 'Actions for bracket' })).toBeTruthy()
  })
})
