// First run without credentials: demo store → drop → send → history, watched live from Queued to
// Printed (MQTT from the sandbox's broker), then printed again without a second upload.
import { boxStl } from './stl-files'
import { dropFiles, expect, openWithDemo, test, type SandboxSummary } from './fixtures'

// The scheduler is paused (speed 0) so the test moves jobs itself and sees every state.
test.use({ webArgs: ['--demo-speed', '0'] })

test('first run → demo → drop → send → history live → print again', async ({ page, web }, info) => {
  await page.goto(web.url)
  await expect(page.getByTestId('first-run')).toBeVisible()
  await page.screenshot({ path: info.outputPath('first-run.png') })
  await openWithDemo(page, web)

  await dropFiles(page, [{ name: 'gear.stl', bytes: boxStl(30, 30, 8) }])
  await expect(page.getByTestId('file-row').first()).toHaveAttribute('data-status', 'ready')
  await page.getByLabel('Quantity for gear.stl').fill('2')
  await page.getByTestId('send-button').click()
  await expect(page.getByTestId('progress-row').first()).toHaveAttribute('data-step', 'done')

  await page.getByTestId('tab-history').click()
  const row = page.getByTestId('history-row').first()
  await expect(row).toContainText('gear')
  await expect(row).toHaveAttribute('data-status', 'queued')
  await page.screenshot({ path: info.outputPath('history-queued.png') })

  // Let the sandbox's scheduler run: the UI follows over MQTT, without a reload.
  const logBefore = await web.sandbox<Array<{ path: string }>>('/_sandbox/log')
  const pollsBefore = logBefore.filter((e) => e.path.startsWith('/v1/print-jobs')).length
  await web.sandbox('/_sandbox/tick', { method: 'POST', body: { steps: 2 } })
  await expect(row).toHaveAttribute('data-status', 'in-progress')
  await page.screenshot({ path: info.outputPath('history-in-progress.png') })
  await web.sandbox('/_sandbox/tick', { method: 'POST', body: { steps: 10 } })
  await expect(row).toHaveAttribute('data-status', 'printed')
  const logAfter = await web.sandbox<Array<{ path: string }>>('/_sandbox/log')
  const pollsAfter = logAfter.filter((e) => e.path.startsWith('/v1/print-jobs')).length
  // Live, not polled: at most one reconciliation request while the job moved.
  expect(pollsAfter - pollsBefore).toBeLessThanOrEqual(1)

  await row.click()
  await expect(page.getByTestId('history-detail')).toBeVisible()
  await expect(page.getByTestId('history-copy')).toHaveCount(2)
  await page.screenshot({ path: info.outputPath('history-printed.png') })

  // Print again: one build call, no upload.
  const before = await web.sandbox<SandboxSummary>('/_sandbox/state')
  await page.getByTestId('history-reprint').click()
  await expect(page.getByTestId('history-reprint-form')).toBeVisible()
  await page.getByTestId('history-reprint-quantity').fill('1')
  await page.getByTestId('history-reprint-submit').click()
  await expect(page.getByTestId('history-row')).toHaveCount(2)
  const after = await web.sandbox<SandboxSummary>('/_sandbox/state')
  expect(after.counts.partBuilds).toBe(before.counts.partBuilds + 1)
  expect(after.counts.uploads).toBe(before.counts.uploads)
  expect(after.counts.parts).toBe(before.counts.parts)
  await page.screenshot({ path: info.outputPath('history-reprinted.png') })
})
