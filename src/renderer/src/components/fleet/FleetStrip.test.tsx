// @vitest-environment happy-dom
// The fleet strip and the bed-clear confirmation as a user meets them: printers that need a hand
// first, the job with its progress and time left, health errors; "Mark bed clear" asks first, a
// refusal (a key without printer.ready) is shown in words, and a notification's action opens the
// same confirmation.
import { act, cleanup, render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { useEffect, type ReactElement } from 'react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import type { PrinterList, PrinterSummary } from '../../../../shared/ipc'
import { useBedClear } from '../../hooks/useBedClear'
import { provideBedClear } from './bed-clear-bus'
import { BedClearDialog } from './BedClearDialog'
import { FleetStrip } from './FleetStrip'

const printer = (over: Partial<PrinterSummary>): PrinterSummary => ({
  id: 'p',
  name: 'P',
  model: 'P1S',
  state: 'ready',
  online: true,
  available: true,
  ready: true,
  enabled: true,
  tags: [],
  printingJobId: null,
  ...over
})

const list: PrinterList = {
  fetchedAt: 0,
  printers: [
    printer({ id: 'a', name: 'A1 mini #1' }),
    printer({
      id: 'x',
      name: 'X1 Carbon',
      state: 'printing',
      job: {
        printJobId: 'j',
        label: 'Bracket',
        percent: 42,
        layer: 61,
        totalLayers: 145,
        minutesLeft: 12,
        mine: true
      },
      health: [{ level: 'error', code: 'HMS_0300', message: 'Nozzle clog' }]
    }),
    printer({ id: 'b', name: 'P1S #2', state: 'waiting-bed-clear', ready: false })
  ]
}

let confirmReady: ReturnType<typeof vi.fn>
let ask: (p: { printerId: string }) => void = () => undefined
beforeEach(() => {
  confirmReady = vi.fn(async () => ({ ok: true, value: list.printers[2] }))
  window.api = {
    printers: {
      confirmReady,
      onAskBedClear: (l: typeof ask) => ((ask = l), () => undefined)
    }
  } as unknown as Window['api']
})
afterEach(cleanup)

/** The strip and the dialog wired as App wires them. */
function Harness(): ReactElement {
  const bed = useBedClear(list)
  useEffect(() => provideBedClear(bed.ask), [bed.ask])
  return (
    <>
      <FleetStrip printers={list} />
      <BedClearDialog bed={bed} />
    </>
  )
}

describe('the fleet strip', () => {
  it('puts the printers that need a hand first, with the job, progress and errors', () => {
    render(<Harness />)
    const chips = screen.getAllByTestId('fleet-printer')
    expect(chips.map((c) => c.dataset.printerId)).toEqual(['x', 'b', 'a'])
    expect(screen.getByTestId('fleet-summary').textContent).toBe('2 printers need a hand')
    expect(within(chips[0]!).getByTestId('fleet-progress').textContent).toBe(
      ' 42% · layer 61/145 · 12 min left'
    )
    expect(within(chips[0]!).getByTestId('fleet-health').textContent).toBe('HMS_0300: Nozzle clog')
    expect(within(chips[1]!).getByTestId('fleet-clear-bed')).toBeTruthy()
    expect(within(chips[2]!).queryByTestId('fleet-clear-bed')).toBeNull()
  })

  it('Mark bed clear asks first; Cancel changes nothing; confirming marks it', async () => {
    const user = userEvent.setup()
    render(<Harness />)
    await user.click(screen.getByTestId('fleet-clear-bed'))
    expect(screen.getByRole('dialog').textContent).toMatch(/Mark the bed of P1S #2 clear\?/)
    await user.click(screen.getByTestId('bed-clear-cancel'))
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(confirmReady).not.toHaveBeenCalled()
    await user.click(screen.getByTestId('fleet-clear-bed'))
    await user.click(screen.getByTestId('bed-clear-confirm'))
    expect(confirmReady).toHaveBeenCalledWith({ printerId: 'b' })
    await vi.waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
  })

  it('a refusal stays in the dialog, in words; a notification’s action opens the dialog', async () => {
    const user = userEvent.setup()
    confirmReady.mockResolvedValue({
      ok: false,
      error: {
        code: 'forbidden',
        message: 'This API key lacks the printer.ready permission, so it cannot mark a bed clear.'
      }
    })
    render(<Harness />)
    act(() => ask({ printerId: 'b' }))
    expect(screen.getByRole('dialog').textContent).toMatch(/P1S #2/)
    await user.click(screen.getByTestId('bed-clear-confirm'))
    expect((await screen.findByTestId('bed-clear-error')).textContent).toMatch(/printer\.ready/)
    expect(screen.getByRole('dialog')).toBeTruthy()
  })
})
