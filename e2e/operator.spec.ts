// The operator's loop on the demo farm, from queued to the next print without Printago's web app:
// three copies sent to a printer whose bed is not cleared wait for it (the fleet strip and the
// history say so) → Mark bed clear (confirmed) → the copy waits for approval in Printago, is
// approved there, and prints while progress and time left move live → a second job moved to the
// front starts next once the bed is cleared again → the history shows the estimate, the printer
// and the time it took. Screenshots in light and dark at 1280×800 and 1100×640.
import type { Page } from '@playwright/test'

import { DEMO_API_KEY } from '../src/sandbox/fleet'
import { boxStl } from '../src/test-support/stl'
import { dropFiles, expect, openWithDemo, test, type WebAppHandle } from './fixtures'

// The farm moves only when the test says so (ticks), or at a chosen speed while printing.
test.use({ webArgs: ['--demo-speed', '0'] })

const P1S2 = 'sbxprinter00000000000004'

interface Job {
  id: string
  status: string
  assignedPrinterId: string | null
}
interface State {
  builds: Array<{ id: string; label: string; jobs: Job[] }>
  printers: Array<{ id: string; name: string }>
}

const state = (web: WebAppHandle): Promise<State> => web.sandbox<State>('/_sandbox/state')
const tick = (web: WebAppHandle, steps = 1): Promise<unknown> =>
  web.sandbox('/_sandbox/tick', { method: 'POST', body: { steps } })
const speed = (web: WebAppHandle, n: number): Promise<unknown> =>
  web.sandbox('/_sandbox/speed', { method: 'POST', body: { speed: n } })

/** The jobs of the build whose label contains `label`, in copy order. */
async function jobsOf(web: WebAppHandle, label: string): Promise<Job[]> {
  const b = (await state(web)).builds.find((x) => x.label.includes(label))
  return b?.jobs ?? []
}

/** Approves a job in Printago, as an operator would in its web app (the spec has no endpoint). */
async function approveInPrintago(web: WebAppHandle, jobId: string): Promise<void> {
  const { store } = await web.invoke('app:info')
  const res = await fetch(`${await web.sandboxUrl()}/v1/print-jobs/${jobId}`, {
    method: 'PATCH',
    headers: {
      authorization: `ApiKey ${DEMO_API_KEY}`,
      'x-printago-storeid': store.storeId!,
      'content-type': 'application/json'
    },
    body: JSON.stringify({ status: 'ready-for-printer' })
  })
  expect(res.status).toBe(200)
}

async function sendTo(
  page: Page,
  name: string,
  quantity: number,
  bytes: Uint8Array
): Promise<void> {
  await page.getByTestId('tab-send').click()
  await dropFiles(page, [{ name, bytes }])
  const row = page.locator('[data-testid="file-row"]', { hasText: name })
  await expect(row).toHaveAttribute('data-status', 'ready')
  await row.click()
  await page.getByLabel(`Quantity for ${name}`).fill(String(quantity))
  await page.getByText('This printer', { exact: true }).click()
  await page.getByRole('radio', { name: /Send to P1S #2/ }).check()
  await page.getByTestId('send-button').click()
  // More than one copy: the app first shows what Printago would queue, and sends on the user's word.
  if (quantity > 1) {
    const check = page.getByRole('dialog', { name: 'Check with Printago' })
    await expect(check.getByRole('status')).toHaveText(`This creates ${quantity} jobs.`)
    await check.getByRole('button', { name: `Send ${quantity} jobs` }).click()
  }
  await expect(page.getByTestId('progress-row').last()).toHaveAttribute('data-step', 'done')
}

test('the operator loop: bed clear, live progress, move to front, estimate and time taken', async ({
  page,
  web
}, info) => {
  test.setTimeout(240_000)
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.emulateMedia({ colorScheme: 'dark' })
  await openWithDemo(page, web)
  const strip = page.getByTestId('fleet-strip')
  const chip = strip.locator(`[data-testid="fleet-printer"][data-printer-id="${P1S2}"]`)
  await expect(chip).toHaveAttribute('data-state', 'waiting-bed-clear')

  // 1. Three copies to the P1S #2, whose bed nobody cleared: they wait for it.
  await sendTo(page, 'gear.stl', 3, boxStl(40, 30, 12))
  await expect(page.getByTestId('file-row').first()).toContainText('sent')
  const tableRow = page.locator(`[data-testid="printer-row"][data-printer-id="${P1S2}"]`)
  await expect(tableRow.getByTestId('printer-clear-bed')).toBeVisible()
  await page.screenshot({ path: info.outputPath('1-sent-waiting-for-bed-1280-dark.png') })
  await page.getByTestId('tab-history').click()
  const gear = page.locator('[data-testid="history-row"]', { hasText: 'gear' })
  await expect(gear).toContainText('waiting for a bed clear on P1S #2')
  await gear.click()
  await expect(page.getByTestId('history-bed-wait')).toContainText(
    'Waiting for the bed of P1S #2 to be cleared'
  )
  await expect(page.getByTestId('history-copy')).toHaveCount(3)
  await expect(page.getByTestId('history-copy-live').first()).toContainText(
    /#\d of \d in the queue/
  )
  await page.screenshot({ path: info.outputPath('2-history-waiting-for-bed-1280-dark.png') })

  // 2. Mark bed clear: asked first, then Printago takes the first copy.
  await chip.getByTestId('fleet-clear-bed').click()
  const dialog = page.getByTestId('bed-clear-dialog')
  await expect(dialog).toContainText('Mark the bed of P1S #2 clear?')
  await page.screenshot({ path: info.outputPath('3-mark-bed-clear-1280-dark.png') })
  await page.getByTestId('bed-clear-confirm').click()
  await expect(dialog).toHaveCount(0)
  await expect(chip).toHaveAttribute('data-state', 'ready')
  await expect(page.getByTestId('history-bed-wait')).toHaveCount(0)

  // The full lifecycle; the P1S #2 holds sliced jobs for approval.
  const [first, second, third] = await jobsOf(web, 'gear')
  const copies = page.getByTestId('history-copy')
  for (const s of ['assigned', 'slicing', 'sliced', 'finalizing', 'waiting-for-approval']) {
    await tick(web)
    await expect(copies.first()).toHaveAttribute('data-state', s)
  }
  await expect(page.getByTestId('history-detail').getByTestId('history-status')).toHaveText(
    'Waiting for approval'
  )
  await expect(chip).toHaveAttribute('data-state', 'printing')
  await page.screenshot({ path: info.outputPath('4-waiting-for-approval-1280-dark.png') })
  await approveInPrintago(web, first!.id)
  await expect(copies.first()).toHaveAttribute('data-state', 'ready-for-printer')
  for (const s of ['sending-to-printer', 'printing']) {
    await tick(web)
    await expect(copies.first()).toHaveAttribute('data-state', s)
  }

  // 3. It prints: progress, layer and time left move live (printer stats over MQTT).
  await speed(web, 2)
  const progress = chip.getByTestId('fleet-progress')
  await expect(progress).toHaveText(/\d+% · layer \d+\/60 · \d+ min left/)
  const seen = new Set<string>()
  await expect
    .poll(
      async () => {
        seen.add((await progress.textContent()) ?? '')
        return seen.size
      },
      { timeout: 30_000 }
    )
    .toBeGreaterThanOrEqual(3)
  await expect(copies.first().getByTestId('history-copy-live')).toHaveText(
    /layer \d+\/60 · \d+ min left/
  )
  await page.screenshot({ path: info.outputPath('5-printing-live-1280-dark.png') })

  // 4. A rush order for the same printer goes to the front of the queue.
  await sendTo(page, 'clip.stl', 1, boxStl(15, 15, 6))
  await page.getByTestId('tab-history').click()
  const clip = page.locator('[data-testid="history-row"]', { hasText: 'clip' })
  await clip.click()
  await expect(clip).toContainText('#3 of 3 in the queue')
  await page.getByTestId('history-move-front').click()
  await expect(page.getByTestId('history-queue-notice')).toHaveText(
    'Moved to the front of the queue: 1 copy.'
  )
  await expect(clip).toContainText('#1 of 3 in the queue')
  await page.screenshot({ path: info.outputPath('6-moved-to-front-1280-dark.png') })

  // 5. The first copy finishes; the bed waits again; clearing it starts the rush order next.
  await speed(web, 40)
  await expect
    .poll(async () => (await jobsOf(web, 'gear'))[0]!.status, { timeout: 30_000 })
    .toBe('completed')
  await speed(web, 0)
  await expect(chip).toHaveAttribute('data-state', 'waiting-bed-clear')
  await expect(clip).toContainText('waiting for a bed clear on P1S #2')
  await page.getByTestId('history-clear-bed').click()
  await page.getByTestId('bed-clear-confirm').click()
  await expect(chip).toHaveAttribute('data-state', 'ready')
  await tick(web)
  await expect(clip).toHaveAttribute('data-status', 'in-progress')
  const rush = (await jobsOf(web, 'clip'))[0]!
  expect(rush.assignedPrinterId).toBe(P1S2)
  const gearNow = await jobsOf(web, 'gear')
  expect(gearNow.map((j) => j.status)).toEqual(['completed', 'pending', 'pending'])
  expect([second!.id, third!.id]).toEqual(gearNow.slice(1).map((j) => j.id))

  // 6. The history: Printago's estimate, the printer and how long the print took.
  await gear.click()
  await expect(page.getByTestId('history-estimate')).toHaveText(
    /^\d+ (min|h)( \d+ min)? · [\d.]+ g PLA per copy$/
  )
  const done = copies.first()
  await expect(done).toHaveAttribute('data-state', 'completed')
  await expect(done).toContainText('P1S #2')
  await expect(done.getByTestId('history-copy-took')).toHaveText(/^took \d+ (s|min)$/)
  // Printago's own thumbnail (a data URL fetched by main) is shown beside the app's.
  await expect(page.getByTestId('history-printago-thumb').locator('img')).toHaveAttribute(
    'src',
    /^data:image\/png;base64,/
  )
  await page.getByTestId('tab-send').click()
  await expect(page.getByTestId('file-estimate').first()).toContainText(/Printago: \d+/)

  // Looked at in both themes and at both window sizes.
  for (const scheme of ['dark', 'light'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await expect(page.locator('html')).toHaveAttribute('data-theme', scheme)
    for (const [w, h] of [
      [1280, 800],
      [1100, 640]
    ] as const) {
      await page.setViewportSize({ width: w, height: h })
      await page.getByTestId('tab-send').click()
      await page.screenshot({ path: info.outputPath(`7-send-fleet-${w}-${scheme}.png`) })
      await page.getByTestId('tab-history').click()
      await gear.click()
      await page.screenshot({ path: info.outputPath(`8-history-done-${w}-${scheme}.png`) })
    }
  }
})
