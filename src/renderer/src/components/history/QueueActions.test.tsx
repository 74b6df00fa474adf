// @vitest-environment happy-dom
// The operator's parts of the history detail: the estimate, where queued copies stand, live
// progress with layer and time left, how long a print took, a bed-clear wait with its action, the
// queue actions (each only when it applies, one at a time, its outcome in words) and the slicer log.
import { cleanup, render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import type { HistoryEntry, JobCopy } from '../../../../shared/history'
import { historyCopy, historyEntry } from '../../../../test-support/history-entries'
import { provideBedClear } from '../fleet/bed-clear-bus'
import { HistoryDetail } from './HistoryDetail'

const copy = (id: string, status: string, over: Partial<JobCopy> = {}): JobCopy =>
  historyCopy(status, { printJobId: id, ...over })
const now = Date.parse('2026-01-01T00:05:00.000Z')

let history: Record<string, ReturnType<typeof vi.fn>>
beforeEach(() => {
  history = {
    moveToFront: vi.fn(async () => ({ ok: true, value: { affected: ['j1', 'j2'] } })),
    pause: vi.fn(),
    resume: vi.fn(),
    clearFinished: vi.fn(async () => ({
      ok: false,
      error: {
        code: 'forbidden',
        message: 'This API key lacks the job.delete.all permission, so it cannot clear…'
      }
    })),
    slicerLog: vi.fn(async () => ({
      ok: true,
      value: { printJobId: 'j3', text: 'Slicing failed: model too big', truncated: false }
    }))
  }
  window.api = { history, shell: { openExternal: vi.fn() } } as unknown as Window['api']
})
afterEach(cleanup)

function show(entry: HistoryEntry, extra: Partial<Parameters<typeof HistoryDetail>[0]> = {}) {
  return render(
    <HistoryDetail
      entry={entry}
      sync={{ mode: 'realtime', lastSyncAt: null }}
      now={now}
      printerName={() => undefined}
      onReprinted={vi.fn()}
      {...extra}
    />
  )
}

describe('the operator’s loop in the detail pane', () => {
  it('shows the estimate, queue places, live progress and the time a print took', () => {
    show(
      historyEntry({
        quantity: 4,
        estimate: { seconds: 3900, grams: 38.4, materials: [{ type: 'PLA', grams: 38.4 }] },
        copies: [
          copy('j1', 'pending', { queue: { position: 2, total: 9 } }),
          copy('j2', 'printing', { progress: 42, layer: 61, totalLayers: 145, minutesLeft: 12 }),
          copy('j3', 'completed', {
            startedAt: '2026-01-01T00:00:00.000Z',
            finishedAt: '2026-01-01T01:05:00.000Z'
          }),
          copy('j4', 'paused')
        ]
      })
    )
    expect(screen.getByTestId('history-estimate').textContent).toBe('1 h 5 min · 38 g PLA per copy')
    expect(screen.getAllByTestId('history-copy-live').map((e) => e.textContent)).toEqual([
      '#2 of 9 in the queue',
      'layer 61/145 · 12 min left'
    ])
    expect(screen.getByTestId('history-copy-took').textContent).toBe('took 1 h 5 min')
    // Paused is said as what it is.
    expect(screen.getByTestId('history-status').textContent).toBe('Paused')
  })

  it('each queue action only when it applies; Move to front acts on the queued copies', async () => {
    const user = userEvent.setup()
    show(historyEntry({ quantity: 2, copies: [copy('j1', 'pending'), copy('j2', 'pending')] }))
    expect(screen.getByTestId('history-pause')).toHaveProperty('disabled', true)
    expect(screen.getByTestId('history-resume')).toHaveProperty('disabled', true)
    expect(screen.getByTestId('history-clear-finished')).toHaveProperty('disabled', true)
    const front = screen.getByTestId('history-move-front')
    expect(front.textContent).toBe('Move to front (2)')
    await user.click(front)
    expect(history.moveToFront).toHaveBeenCalledWith({ entryId: 'e1', printJobIds: ['j1', 'j2'] })
    expect((await screen.findByTestId('history-queue-notice')).textContent).toBe(
      'Moved to the front of the queue: 2 copies.'
    )
  })

  it('a refusal reads as Printago’s permission, and a failed copy opens its slicer log', async () => {
    const user = userEvent.setup()
    show(
      historyEntry({
        quantity: 2,
        copies: [
          copy('j1', 'completed'),
          copy('j3', 'failed', { errorMessage: 'Slicing failed: model too big' })
        ]
      })
    )
    await user.click(screen.getByTestId('history-clear-finished'))
    expect((await screen.findByTestId('history-queue-error')).textContent).toMatch(
      /lacks the job\.delete\.all permission/
    )
    expect(history.clearFinished).toHaveBeenCalledWith({ entryId: 'e1', printJobIds: ['j1'] })
    await user.click(screen.getByTestId('history-slicer-log'))
    expect((await screen.findByTestId('history-slicer-log-text')).textContent).toBe(
      'Slicing failed: model too big'
    )
    expect(history.slicerLog).toHaveBeenCalledWith({ printJobId: 'j3' })
  })

  it('a queued job waiting for a bed clear says so, and its action opens the confirmation', async () => {
    const user = userEvent.setup()
    const asked: string[] = []
    const withdraw = provideBedClear((p) => asked.push(p.id))
    const entry = historyEntry({ copies: [copy('j1', 'pending')] })
    show(entry, {
      bedWait: { entry, printers: [{ id: 'p2', name: 'P1S #2' }], printJobIds: ['j1'] }
    })
    expect(screen.getByTestId('history-bed-wait').textContent).toMatch(
      /^Waiting for the bed of P1S #2 to be cleared\./
    )
    await user.click(screen.getByTestId('history-clear-bed'))
    expect(asked).toEqual(['p2'])
    withdraw()
  })
})
