// A UI that holds at every window size: the declared minimum (900 × 600, Electron's minWidth and
// the page's min size), 1100 × 640, 1280 × 800 and 1920 × 1080, light and dark. At each: nothing
// spills sideways, every panel scrolls inside itself, Send is on screen and not covered, and axe
// finds no WCAG A/AA violation (contrast, labels, names). Screenshots of both tabs and the dry run
// are saved for a person to look at.
import AxeBuilder from '@axe-core/playwright'
import type { Page } from '@playwright/test'

import { MIN_WINDOW_SIZE } from '../src/shared/settings'
import { boxStl, torusStl } from '../src/test-support/stl'
import { dropFiles, expect, openWithDemo, shot, test } from './fixtures'

const SIZES: Array<[number, number]> = [
  [MIN_WINDOW_SIZE.width, MIN_WINDOW_SIZE.height],
  [1100, 640],
  [1280, 800],
  [1920, 1080]
]

/** Axe over the page as it is: every WCAG 2.x A/AA rule; the violations, in words. */
async function axeViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    // The 3D canvas is a picture drawn by WebGL: it has no text to check.
    .exclude('[data-testid="viewer"] canvas')
    // Experimental in axe (not in its WCAG set): it wants a history row's whole visible text
    // ("×5", "0 s ago"…) inside its name, while the row's name is composed on purpose for
    // screen readers ("bracket.stl, In progress, 5 copies, sent 1 min ago").
    .disableRules(['label-content-name-mismatch'])
    .analyze()
  return result.violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} — ${n.failureSummary?.split('\n')[1] ?? ''}`)
  )
}

/** Nothing spills: the page does not scroll sideways and each panel fits its own width. */
async function expectNoSpill(page: Page): Promise<void> {
  const spill = await page.evaluate(() => {
    const out: string[] = []
    const doc = document.documentElement
    if (doc.scrollWidth > window.innerWidth + 1) out.push(`page ${doc.scrollWidth}`)
    for (const sel of ['.files-col', '.center-col', '.send-scroll', '.send-box', '.history-body'])
      for (const el of document.querySelectorAll<HTMLElement>(sel))
        if (el.offsetParent && el.scrollWidth > el.clientWidth + 1) {
          // Name what sticks out, so a failure says where to look.
          const right = el.getBoundingClientRect().right
          const culprits = [...el.querySelectorAll<HTMLElement>('*')]
            .filter((c) => c.getBoundingClientRect().right > right + 1)
            .slice(-2)
            .map((c) => `${c.tagName.toLowerCase()}.${c.className}`)
          out.push(`${sel} ${el.scrollWidth} > ${el.clientWidth}: ${culprits.join(', ')}`)
        }
    return out
  })
  expect(spill).toEqual([])
}

/** Send is inside the window and is what a click at its centre reaches. */
async function expectSendReachable(page: Page): Promise<void> {
  const send = page.getByTestId('send-button')
  const box = (await send.boundingBox())!
  const view = page.viewportSize()!
  expect(box.y + box.height).toBeLessThanOrEqual(view.height)
  expect(box.x + box.width).toBeLessThanOrEqual(view.width)
  const hit = await page.evaluate(
    ([x, y]) =>
      document.elementFromPoint(x!, y!)?.closest('[data-testid]')?.getAttribute('data-testid'),
    [box.x + box.width / 2, box.y + box.height / 2]
  )
  expect(hit).toBe('send-button')
}

for (const theme of ['light', 'dark'] as const) {
  test(`the layout holds at every window size (${theme})`, async ({ page, web }, info) => {
    test.setTimeout(120_000)
    await openWithDemo(page, web)
    await web.invoke('settings:set', { theme })
    await page.reload()
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme)
    const long =
      'front-panel-bracket-with-cable-channel-and-two-mounting-holes-revision-C-final.stl'
    await dropFiles(page, [
      { name: long, bytes: boxStl(60, 40, 12) },
      { name: 'tray.stl', bytes: boxStl(200, 200, 50) },
      { name: 'knob.stl', bytes: torusStl(24, 12) }
    ])
    await expect(page.locator('[data-testid="file-row"][data-status="ready"]')).toHaveCount(3)
    await page.getByLabel('Material for knob.stl').selectOption({ index: 2 })
    await page.getByLabel('Quantity for tray.stl').fill('2')
    await page.getByTestId('file-row').nth(1).click()

    for (const [width, height] of SIZES) {
      await page.setViewportSize({ width, height })
      // The long name is readable: wrapped, not cut.
      const name = page.getByTestId('file-row').first().locator('.file-name')
      await expect(name).toHaveText(long)
      expect(await name.evaluate((el) => el.scrollWidth <= el.clientWidth + 1)).toBe(true)
      await expectNoSpill(page)
      await expectSendReachable(page)
      await shot(page, info.outputPath(`send-${width}x${height}-${theme}.png`))
      expect(await axeViolations(page)).toEqual([])
    }

    // The dry run at the smallest size: the dialog fits, its buttons on screen.
    await page.setViewportSize({ width: SIZES[0]![0], height: SIZES[0]![1] })
    await page.getByTestId('send-button').click()
    const dialog = page.getByRole('dialog', { name: 'Check with Printago' })
    await expect(dialog.getByTestId('dry-run-total')).toHaveText('This creates 4 jobs.')
    await expect(dialog.getByTestId('dry-run-send')).toBeInViewport()
    await page.screenshot({ path: info.outputPath(`dry-run-min-${theme}.png`) })
    expect(await axeViolations(page)).toEqual([])
    await dialog.getByTestId('dry-run-send').click()
    await expect(page.locator('[data-testid="progress-row"][data-step="done"]')).toHaveCount(3)

    await page.getByTestId('tab-history').click()
    await page.getByTestId('history-row').first().click()
    for (const [width, height] of SIZES) {
      await page.setViewportSize({ width, height })
      await expect(page.getByTestId('history-detail')).toBeVisible()
      await expectNoSpill(page)
      await page.screenshot({ path: info.outputPath(`history-${width}x${height}-${theme}.png`) })
      expect(await axeViolations(page)).toEqual([])
    }
    await page.setViewportSize({ width: SIZES[0]![0], height: SIZES[0]![1] })
    await page.getByTestId('tab-send').click()
    await page.getByTestId('open-settings').click()
    await expect(page.getByTestId('settings')).toBeVisible()
    await page.screenshot({ path: info.outputPath(`settings-min-${theme}.png`) })
    expect(await axeViolations(page)).toEqual([])
  })
}

test('first run: a dropped file is acknowledged and waits for a store', async ({
  page,
  web
}, info) => {
  await page.setViewportSize({ width: MIN_WINDOW_SIZE.width, height: MIN_WINDOW_SIZE.height })
  await page.goto(web.url)
  await expect(page.getByTestId('first-run')).toBeVisible()
  await dropFiles(page, [{ name: 'gear.stl', bytes: boxStl(30, 30, 8) }])
  await expect(page.getByTestId('first-run-waiting')).toHaveText(
    'gear.stl is waiting: choose a store below and it appears on the Send screen.'
  )
  await page.screenshot({ path: info.outputPath('first-run-dropped.png') })
  expect(await axeViolations(page)).toEqual([])
  await page.getByTestId('use-demo').click()
  await expect(page.getByTestId('file-row')).toHaveCount(1)
  await expect(page.getByTestId('file-row').first()).toHaveAttribute('data-status', 'ready')
})
