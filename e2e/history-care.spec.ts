// Cancel and reprint with care, in the browser against the demo sandbox: Cancel asks and names the
// copies and printers, one copy can be cancelled alone, Print again opens with the original
// routing and sends a changed one; a finished job shows from the Send tab (toast and badge).
import { userLabel } from '../src/shared/send'
import { boxStl } from '../src/test-support/stl'
import { dropFiles, expect, openWithDemo, test, type SandboxSummary } from './fixtures'

test.use({ webArgs: ['--demo-speed', '0'] })

test('per-copy cancel with confirmation; Print again with a changed routing', async ({
  page,
  web
}, info) => {
  await openWithDemo(page, web)
  await dropFiles(page, [{ name: 'bracket.stl', bytes: boxStl(40, 20, 10) }])
  await expect(page.getByTestId('file-row').first()).toHaveAttribute('data-status', 'ready')
  await page.getByLabel('Quantity for bracket.stl').fill('5')
  await page.getByTestId('send-button').click()
  await expect(page.getByTestId('dry-run-total')).toHaveText('This creates 5 jobs.')
  await page.getByTestId('dry-run-send').click()
  await expect(page.getByTestId('progress-row').first()).toHaveAttribute('data-step', 'done')
  // Four copies start on the four ready printers; the fifth waits in the queue.
  await web.sandbox('/_sandbox/tick', { method: 'POST', body: { steps: 2 } })

  await page.getByTestId('tab-history').click()
  await page.getByTestId('history-row').first().click()
  const copies = page.getByTestId('history-copy')
  await expect(copies).toHaveCount(5)
  await expect(page.locator('[data-testid="history-copy"][data-state="pending"]')).toHaveCount(1)

  // Cancel (all): a confirmation naming every copy, where it is, and what stops. Kept.
  await page.getByTestId('history-cancel').click()
  const all = page.getByRole('dialog', { name: 'Cancel 5 copies of bracket?' })
  await expect(all.getByTestId('cancel-copies').getByRole('listitem')).toHaveCount(5)
  await expect(all.getByTestId('cancel-copies')).toContainText('Copy 1: ')
  await expect(all.getByTestId('cancel-copies')).toContainText(/on (A1 mini #1|A1 #1|P1S #1|H2D)/)
  await expect(all.getByRole('button', { name: 'Keep them' })).toBeFocused()
  await page.screenshot({ path: info.outputPath('cancel-all-dialog.png') })
  await page.keyboard.press('Escape')
  await expect(all).toHaveCount(0)
  await expect(page.getByTestId('history-cancel')).toBeFocused()

  // One copy: the one still queued.
  const queued = page.locator('[data-testid="history-copy"][data-state="pending"]')
  const n = (await queued.locator('td').first().textContent())!
  const queuedId = (await web.sandbox<SandboxSummary>('/_sandbox/state')).builds[0]!.jobs.find(
    (j) => j.assignedPrinterId === null
  )!.id
  await queued.getByRole('button', { name: `Cancel copy ${n}` }).click()
  const one = page.getByRole('dialog', { name: `Cancel copy ${n} of bracket?` })
  await expect(one).toContainText(`Copy ${n}: queued`)
  await page.screenshot({ path: info.outputPath('cancel-one-dialog.png') })
  await one.getByRole('button', { name: 'Cancel this copy' }).click()
  await expect(page.getByTestId('history-action-notice')).toHaveText('Cancelled 1 copy.')
  const state = await web.sandbox<SandboxSummary>('/_sandbox/state')
  const jobs = state.builds[0]!.jobs
  expect(jobs.find((j) => j.id === queuedId)!.status).toBe('cancelled')
  expect(jobs.filter((j) => j.status === 'cancelled')).toHaveLength(1)
  const third = copies.nth(Number(n) - 1)
  await expect(third).toHaveAttribute('data-state', 'cancelled')

  // Print again: the form opens with the original routing (any printer), quantity and material.
  await page.getByTestId('history-reprint').click()
  await expect(page.getByTestId('history-reprint-mode')).toHaveValue('any')
  await expect(page.getByTestId('history-reprint-quantity')).toHaveValue('5')
  await expect(page.getByTestId('history-reprint-material')).toHaveValue('')
  await page.getByTestId('history-reprint-mode').selectOption('printer')
  await page.getByTestId('history-reprint-printer').selectOption({ label: 'P1S #1' })
  await page.getByTestId('history-reprint-quantity').fill('1')
  await page.screenshot({ path: info.outputPath('reprint-form.png') })
  await page.getByTestId('history-reprint-submit').click()
  // The new entry is shown, sent to the printer chosen this time.
  await expect(page.getByTestId('history-row')).toHaveCount(2)
  await expect(page.getByTestId('history-routing')).toContainText('P1S #1')
  const after = await web.sandbox<SandboxSummary>('/_sandbox/state')
  expect(after.builds).toHaveLength(2)
  const again = after.builds.find((b) => b.id !== state.builds[0]!.id)!
  const p1s = after.printers.find((p) => p.name === 'P1S #1')!
  expect(again.tags).toEqual({ 'printer.id': `=${p1s.id}` })
  expect(userLabel(again.label)).toBe('bracket')
  expect(again.jobs).toHaveLength(1)
})

test('a job that finishes while the Send tab is shown: a toast and a badge on History', async ({
  page,
  web
}, info) => {
  await openWithDemo(page, web)
  await dropFiles(page, [{ name: 'clip.stl', bytes: boxStl(10, 10, 5) }])
  await expect(page.getByTestId('file-row').first()).toHaveAttribute('data-status', 'ready')
  await page.getByTestId('send-button').click()
  await expect(page.getByTestId('send-result')).toContainText('Queued 1 file')
  // The history follows the job live; the Send tab stays in front.
  await web.sandbox('/_sandbox/tick', { method: 'POST', body: { steps: 12 } })
  const toast = page.getByTestId('toast')
  await expect(toast).toContainText(/^clip printed on .+\./)
  await expect(page.getByTestId('history-badge')).toHaveText('1 new')
  await page.screenshot({ path: info.outputPath('toast.png') })
  await toast.getByRole('button', { name: 'Show' }).click()
  await expect(page.getByTestId('history-detail')).toBeVisible()
  await expect(page.getByTestId('history-badge')).toHaveCount(0)
  // The demo store's parts exist only here: no "Open in Printago" that would go nowhere.
  await expect(page.getByTestId('history-open')).toHaveCount(0)
})
