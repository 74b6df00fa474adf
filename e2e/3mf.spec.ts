// 3MF projects and sliced plates in the browser against the demo sandbox: a two-plate two-colour
// project and a sliced gcode.3mf are dropped, their plates switched (mouse and keyboard), per-plate
// copies set, the dry run counts jobs per plate, and the send leaves the sandbox holding a 3mf part
// and a gcode3mf part with exactly the plate jobs asked for, the sliced one routed to its model.
import { join } from 'node:path'

import { DEMO_API_KEY, DEMO_STORE_ID } from '../src/sandbox/fleet'
import type { Part, PrintJob } from '../src/shared/printago/api-types'
import {
  dropFiles,
  expect,
  openWithDemo,
  test,
  type SandboxSummary,
  type WebAppHandle
} from './fixtures'

const FIXTURES = join(import.meta.dirname, '../src/shared/3mf/fixtures')

/** A GET on the sandbox with the demo key (as any client could read it). */
async function rest<T>(web: WebAppHandle, path: string): Promise<T> {
  const res = await fetch(`${await web.sandboxUrl()}${path}`, {
    headers: { authorization: `ApiKey ${DEMO_API_KEY}`, 'x-printago-storeid': DEMO_STORE_ID }
  })
  if (!res.ok) throw new Error(`${path}: ${res.status}`)
  return (await res.json()) as T
}

test.describe('3MF projects and sliced plates', () => {
  // A still fleet: jobs stay as queued until the test looks at them.
  test.use({ webArgs: ['--demo-speed', '0'] })

  test('drop a project and a sliced file, switch plates, set per-plate copies, send', async ({
    page,
    web
  }, info) => {
    await openWithDemo(page, web)
    await dropFiles(page, [
      { name: 'two-plates.3mf', path: join(FIXTURES, 'bambu-two-plates.3mf') },
      { name: 'two-plates.gcode.3mf', path: join(FIXTURES, 'bambu-two-plates.gcode.3mf') }
    ])
    const rows = page.getByTestId('file-row')
    await expect(rows).toHaveCount(2)
    await expect(rows.nth(0)).toHaveAttribute('data-status', 'ready')
    await expect(rows.nth(1)).toHaveAttribute('data-status', 'ready')
    await expect(rows.nth(0).getByTestId('file-verdict')).toHaveText('3MF, 2 plates')
    await expect(rows.nth(1).getByTestId('file-verdict')).toHaveText('Sliced 3MF, 2 plates')

    // The project: plate 1 on view, two white cubes, 76 × 20 × 20 mm.
    await rows.nth(0).click()
    const tab1 = page.getByTestId('plate-tab-1')
    const tab2 = page.getByTestId('plate-tab-2')
    await expect(tab1).toHaveAttribute('aria-selected', 'true')
    await expect(page.getByTestId('viewer-dims')).toHaveText('76 × 20 × 20 mm')
    await expect(page.getByTestId('rendered-tris')).toHaveText('24')
    await expect(page.getByTestId('unit-note')).toContainText('A 3MF says its own unit')
    // Plate 2 by mouse: the two-tone object, 30 × 20 × 14 mm, drawn in two colours.
    await tab2.click()
    await expect(tab2).toHaveAttribute('aria-selected', 'true')
    await expect(page.getByTestId('viewer-dims')).toHaveText('30 × 20 × 14 mm')
    await expect(page.getByTestId('report-volume')).toHaveText('3,400 mm³')
    await expect(page.getByTestId('rendered-tris')).toHaveText('24')
    await expect(page.getByTestId('plate-objects').locator('.swatch')).toHaveCount(2)
    await page.screenshot({ path: info.outputPath('project-plate-2.png') })
    // And back by keyboard: the tabs take arrow keys.
    await tab2.focus()
    await page.keyboard.press('ArrowLeft')
    await expect(tab1).toHaveAttribute('aria-selected', 'true')
    await expect(tab1).toBeFocused()
    await expect(page.getByTestId('viewer-dims')).toHaveText('76 × 20 × 20 mm')

    // The sliced file: the slicer's picture and estimates, and only P1S printers take it.
    await rows.nth(1).click()
    const sliced = page.getByTestId('plate-sliced')
    await expect(sliced).toContainText('Sliced for Bambu Lab P1S, 0.4 mm nozzle')
    await expect(sliced).toContainText('1 h 2 min print')
    await expect(sliced).toContainText('24.6 g filament')
    await expect(page.getByTestId('viewer-picture')).toBeVisible()
    const p1s = page.locator('[data-testid="printer-row"]', { hasText: 'P1S #1' })
    const mini = page.locator('[data-testid="printer-row"]', { hasText: 'A1 mini #1' })
    await expect(p1s.locator('td.fit')).toHaveText('fits')
    await expect(mini.locator('td.fit')).toHaveText('other model')
    await expect(page.getByTestId('plate-thumbnail')).toBeVisible()
    await page.getByTestId('plate-tab-2').click()
    await expect(sliced).toContainText('40 min print')
    const slicedRow = page.getByTestId('options-row').nth(1)
    await expect(slicedRow.getByTestId('file-fit')).toHaveText('2 of 7 printers are its model')
    await expect(slicedRow.getByTestId('file-verdict-message')).toContainText(
      'Sliced for a Bambu Lab P1S with a 0.4 mm nozzle: only those printers take it.'
    )
    await expect(slicedRow.getByTestId('file-verdict-message')).toContainText('excluded')
    await page.screenshot({ path: info.outputPath('sliced-plate-2.png') })

    // Per-plate copies: the project's plate 1 twice, plate 2 once; the sliced file's plate 2 only.
    const projectRow = page.getByTestId('options-row').nth(0)
    await projectRow.getByTestId('plate-qty-1').fill('2')
    await expect(projectRow.getByTestId('plate-jobs')).toHaveText('3 print jobs')
    await projectRow.getByTestId('use-3mf-profile').check()
    await slicedRow.getByTestId('plate-qty-1').fill('0')
    await expect(slicedRow.getByTestId('plate-jobs')).toHaveText('1 print job')
    await expect(slicedRow.getByTestId('use-3mf-profile')).toHaveCount(0)
    await expect(page.getByTestId('send-summary')).toContainText('2 files, 4 print jobs')

    // The dry run: jobs per plate, from Printago's preview.
    await page.getByTestId('preview-button').click()
    await expect(page.getByTestId('dry-run-total')).toHaveText('This creates 4 jobs.')
    const plates = page.getByTestId('dry-run-plates')
    await expect(plates.nth(0)).toContainText('plate 1 (Cubes): 2')
    await expect(plates.nth(0)).toContainText('plate 2 (Two-tone): 1')
    await expect(plates.nth(1)).toContainText('plate 1 (Cubes): 0')
    await expect(plates.nth(1)).toContainText('plate 2 (Two-tone): 1')
    await page.screenshot({ path: info.outputPath('dry-run.png') })
    await page.getByTestId('dry-run-send').click()
    await expect(page.getByTestId('send-result')).toContainText('Queued 2 files')

    // What Printago holds: a 3mf part and a gcode3mf part, with exactly those plate jobs.
    const state = await web.sandbox<SandboxSummary>('/_sandbox/state')
    expect(state.builds).toHaveLength(2)
    const jobs = await rest<PrintJob[]>(web, '/v1/print-jobs')
    const byPart = new Map<string, { part: Part; plates: number[]; tags: Record<string, string> }>()
    for (const b of state.builds) {
      const part = await rest<Part>(web, `/v1/parts/${b.partId}`)
      const plateIds = jobs
        .filter((j) => j.partBuildId === b.id)
        .map((j) => j.extensions?.['3mf']?.plateId ?? -1)
        .sort()
      byPart.set(part.type, { part, plates: plateIds, tags: b.tags })
    }
    expect(byPart.get('3mf')?.part.use3MFProcessProfile).toBe(true)
    expect(byPart.get('3mf')?.plates).toEqual([1, 1, 2])
    expect(byPart.get('gcode3mf')?.plates).toEqual([2])
    expect(byPart.get('gcode3mf')?.tags).toEqual({
      'printer.modelName': '=Bambu Lab P1S|P1S|C12',
      'printer.nozzleDiameter': '=0.4'
    })

    // The history shows the part type and the plates sent.
    await page.getByTestId('tab-history').click()
    await page.getByTestId('history-row').filter({ hasText: 'two-plates.gcode' }).click()
    await expect(page.getByTestId('history-project')).toContainText(
      'Sliced 3MF for Bambu Lab P1S: plate 2 ×1'
    )
  })

  for (const theme of ['light', 'dark'] as const)
    test(`the plates and per-plate copies hold at small and usual sizes (${theme})`, async ({
      page,
      web
    }, info) => {
      await openWithDemo(page, web)
      await web.invoke('settings:set', { theme })
      await page.reload()
      await expect(page.locator('html')).toHaveAttribute('data-theme', theme)
      await dropFiles(page, [
        { name: 'two-plates.3mf', path: join(FIXTURES, 'bambu-two-plates.3mf') },
        { name: 'two-plates.gcode.3mf', path: join(FIXTURES, 'bambu-two-plates.gcode.3mf') }
      ])
      const rows = page.getByTestId('file-row')
      await expect(rows.nth(1)).toHaveAttribute('data-status', 'ready')
      for (const [width, height] of [
        [1100, 640],
        [1280, 800]
      ] as const) {
        await page.setViewportSize({ width, height })
        await rows.nth(0).click()
        await page.getByTestId('plate-tab-2').click()
        await expect(page.getByTestId('rendered-tris')).toHaveText('24')
        await page.screenshot({ path: info.outputPath(`project-${width}x${height}-${theme}.png`) })
        await rows.nth(1).click()
        await expect(page.getByTestId('plate-thumbnail')).toBeVisible()
        await page.screenshot({ path: info.outputPath(`sliced-${width}x${height}-${theme}.png`) })
      }
    })
})
