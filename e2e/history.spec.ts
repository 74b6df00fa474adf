// First run without credentials: demo store → drop → send → history, watched live from Queued to
// Printed (MQTT from the sandbox's broker), then printed again without a second upload.
import { boxStl } from '../src/test-support/stl'
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
  // Two copies: the dry run says so first.
  await expect(page.getByTestId('dry-run-total')).toHaveText('This creates 2 jobs.')
  await page.getByTestId('dry-run-send').click()
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

test('history: keyboard, stale "Why is it waiting?", no Printago link on the demo store', async ({
  page,
  web
}, info) => {
  await openWithDemo(page, web)
  await dropFiles(page, [
    { name: 'bracket.stl', bytes: boxStl(20, 10, 5) },
    { name: 'spacer.stl', bytes: boxStl(10, 10, 3) }
  ])
  await expect(page.getByTestId('file-row')).toHaveCount(2)
  for (const r of await page.getByTestId('file-row').all())
    await expect(r).toHaveAttribute('data-status', 'ready')
  await page.getByTestId('send-button').click()
  await page.getByTestId('dry-run-send').click()
  await expect(page.getByTestId('progress-row')).toHaveCount(2)
  for (const r of await page.getByTestId('progress-row').all())
    await expect(r).toHaveAttribute('data-step', 'done')

  await page.getByTestId('tab-history').click()
  const rows = page.getByTestId('history-row')
  await expect(rows).toHaveCount(2)
  // Every row is named for screen readers: name, status, copies, time.
  for (const r of await rows.all())
    await expect(r).toHaveAttribute('aria-label', /\.stl, (Queued|In progress), 1 copy, .*sent /)

  // Keyboard: Tab reaches the list (focus visible), arrows move, Home/End jump, Enter/Space select.
  const list = page.getByTestId('history-list')
  await page.getByTestId('history-export').focus()
  await page.keyboard.press('Tab')
  await expect(list).toBeFocused()
  await expect(rows.nth(0)).toHaveAttribute('aria-selected', 'true')
  await expect(list).toHaveAttribute('aria-activedescendant', /^history-/)
  const outline = await rows
    .nth(0)
    .evaluate((el) => getComputedStyle(el).outlineStyle + ' ' + getComputedStyle(el).outlineWidth)
  expect(outline).toBe('solid 2px')
  await page.keyboard.press('ArrowDown')
  await expect(rows.nth(1)).toHaveAttribute('aria-selected', 'true')
  await expect(rows.nth(0)).toHaveAttribute('aria-selected', 'false')
  await page.keyboard.press('Home')
  await expect(rows.nth(0)).toHaveAttribute('aria-selected', 'true')
  await page.keyboard.press('End')
  await expect(rows.nth(1)).toHaveAttribute('aria-selected', 'true')
  await page.keyboard.press('Space')
  await page.keyboard.press('Enter')
  await expect(rows.nth(1)).toHaveAttribute('aria-selected', 'true')
  await expect(list).toBeFocused()
  await expect(page.getByTestId('history-detail')).toBeVisible()
  const actions = page.getByRole('group', { name: /^Actions for / })
  for (const name of ['Print again', 'Cancel…', 'Retry', 'Why is it waiting?'])
    await expect(actions.getByRole('button', { name, exact: true })).toBeVisible()
  // The demo store's parts exist only in this app: nothing to open in Printago.
  await expect(actions.getByRole('button', { name: 'Open in Printago' })).toHaveCount(0)
  await page.screenshot({ path: info.outputPath('history-keyboard.png') })

  // "Why is it waiting?": answered for the queued job…
  await page.keyboard.press('Home')
  const first = rows.nth(0)
  await expect(page.getByTestId('history-copy')).toHaveCount(1)
  await expect(first).toHaveAttribute('data-status', 'queued')
  await page.getByTestId('history-troubleshoot').click()
  const why = page.getByTestId('history-troubleshoot-result')
  await expect(why).toBeVisible()
  await expect(why).toContainText(/asked .* ago/)
  await page.screenshot({ path: info.outputPath('history-why.png') })
  // …gone once another entry is selected, and not back when returning to it.
  await rows.nth(1).click()
  await expect(why).toHaveCount(0)
  await first.click()
  await expect(why).toHaveCount(0)
  // …and gone once the job moves on (taken by a printer).
  await page.getByTestId('history-troubleshoot').click()
  await expect(why).toBeVisible()
  await web.sandbox('/_sandbox/tick', { method: 'POST', body: { steps: 2 } })
  await expect(first).toHaveAttribute('data-status', 'in-progress')
  await expect(why).toHaveCount(0)
})

test('Open in Printago on a connected store: the browser mode shows the address to copy', async ({
  page,
  web,
  standaloneSandbox: sb
}, info) => {
  await page.goto(web.url)
  await page.getByTestId('connect-start').click()
  await page.getByTestId('api-key').fill(sb.apiKey)
  await page.getByTestId('store-id').fill(sb.storeId)
  await page.getByText('Advanced').click()
  await page.getByTestId('base-url').fill(sb.url)
  await page.getByTestId('connect-button').click()
  await expect(page.getByTestId('store-banner')).toContainText('Printago')
  await dropFiles(page, [{ name: 'bracket.stl', bytes: boxStl(20, 10, 5) }])
  await expect(page.getByTestId('file-row').first()).toHaveAttribute('data-status', 'ready')
  await page.getByTestId('send-button').click()
  await expect(page.getByTestId('progress-row').first()).toHaveAttribute('data-step', 'done')
  await page.getByTestId('tab-history').click()
  await page.getByTestId('history-row').first().click()

  // Open in Printago: the browser bridge has no shell, so the address is shown to copy.
  await page.getByTestId('history-open').click()
  const openUrl = page.getByTestId('history-open-url')
  await expect(openUrl).toContainText(
    /Open this address in your browser: https:\/\/app\.printago\.io\/parts\/\S+/
  )
  const link = page.getByTestId('history-open-url-link')
  const href = await link.getAttribute('href')
  expect(href).toMatch(/^https:\/\/app\.printago\.io\/parts\//)
  await expect(link).toHaveText(href!)
  await page.screenshot({ path: info.outputPath('history-open-url.png') })
  // When the call fails, its message is shown instead.
  await page.route(
    (url) => url.pathname.endsWith('/__bridge/invoke/shell%3AopenExternal'),
    (route) =>
      route.fulfill({
        contentType: 'application/json',
        body: JSON.stringify({
          ok: false,
          error: { code: 'blocked-url', message: 'Only https links to Printago can be opened.' }
        })
      })
  )
  await page.getByTestId('history-open').click()
  await expect(page.getByTestId('history-action-error-text')).toHaveText(
    'Only https links to Printago can be opened.'
  )
  await expect(openUrl).toHaveCount(0)
})
