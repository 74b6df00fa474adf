// Hot folders in the browser: the user adds a folder (typed path, checked by core), a file
// written into it shows up as picked up and sent (one build in the sandbox, the file in Sent/),
// a broken one as failed with a toast, and the panel passes axe in both themes. Screenshots at
// 1100×640 and 1280×800, light and dark.
import AxeBuilder from '@axe-core/playwright'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { expect, openWithDemo, test, type SandboxSummary } from './fixtures'
import { boxStl, truncatedStl } from '../src/test-support/stl'

const folders: string[] = []
test.afterEach(() => {
  for (const f of folders.splice(0)) rmSync(f, { recursive: true, force: true })
})

test('a file written into a hot folder is sent, a broken one fails with a toast', async ({
  page,
  web
}, info) => {
  // Beside the app's data folder (never inside it: core refuses that), removed after the test.
  const folder = mkdtempSync(join(tmpdir(), 'printago-e2e-inbox-'))
  folders.push(folder)
  await openWithDemo(page, web)
  await page.getByTestId('tab-watch').click()

  // A folder that is not there is refused, in words.
  await page.getByTestId('watch-folder-input').fill(join(folder, 'nope'))
  await page.getByTestId('watch-add').click()
  await expect(page.getByTestId('watch-add-error')).toContainText('There is no folder')

  await page.getByTestId('watch-folder-input').fill(folder)
  await page.getByTestId('watch-add').click()
  const card = page.getByTestId('watch-folder')
  await expect(card.getByTestId('watch-state')).toHaveText('Watching')

  // 20 mm: fits every printer of the demo farm (hot folders do not route by fit yet).
  writeFileSync(join(folder, 'order-17.stl'), boxStl(20, 20, 17))
  writeFileSync(join(folder, 'invoice.pdf'), '%PDF-1.7')
  const sent = page.locator('[data-testid="watch-event"][data-fate="sent"]', {
    hasText: 'order-17.stl'
  })
  await expect(sent).toBeVisible({ timeout: 30_000 })
  await expect(card.getByTestId('watch-counts')).toContainText('1 sent')
  await expect(
    page.locator('[data-testid="watch-event"][data-fate="ignored"]', { hasText: 'invoice.pdf' })
  ).toBeVisible()
  expect(readdirSync(join(folder, 'Sent'))).toEqual(['order-17.stl'])
  const summary = await web.sandbox<SandboxSummary>('/_sandbox/state')
  expect(summary.builds.map((b) => b.label.includes('order-17'))).toEqual([true])

  writeFileSync(join(folder, 'broken.stl'), truncatedStl())
  await expect(page.getByTestId('watch-toast')).toContainText('broken.stl was not sent')
  await page.screenshot({ path: info.outputPath('hot-folder-toast.png') })
  await expect(
    page.locator('[data-testid="watch-event"][data-fate="failed"]', { hasText: 'broken.stl' })
  ).toBeVisible()

  for (const theme of ['light', 'dark'] as const) {
    await web.invoke('settings:set', { theme })
    await page.reload()
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme)
    await page.getByTestId('tab-watch').click()
    await expect(sent).toBeVisible()
    const axe = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
      .analyze()
    expect(axe.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target}`))).toEqual([])
    for (const [width, height] of [
      [1100, 640],
      [1280, 800]
    ] as const) {
      await page.setViewportSize({ width, height })
      await page.screenshot({ path: info.outputPath(`hot-folder-${width}x${height}-${theme}.png`) })
    }
  }

  // Keyboard: the tab, then pause and resume, by keys alone.
  await page.getByTestId('tab-watch').focus()
  await page.keyboard.press('Enter')
  await card.getByTestId('watch-pause').focus()
  await page.keyboard.press('Enter')
  await expect(card.getByTestId('watch-state')).toHaveText('Paused')
  await page.keyboard.press('Enter')
  await expect(card.getByTestId('watch-state')).toHaveText('Watching')
})
