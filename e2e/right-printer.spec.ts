// The right thing to the right printer, in the browser against the demo sandbox: a model too big
// for some printers is kept off them, files read in inches (or metres) reach Printago scaled, one
// bad file does not block a batch, a material routes to the printer that has it loaded, and the
// dry run counts the jobs before they are queued.
import { DEMO_API_KEY, DEMO_STORE_ID } from '../src/sandbox/fleet'
import { inspectStl } from '../src/shared/stl'
import { userLabel } from '../src/shared/send'
import { boxStl } from '../src/test-support/stl'
import {
  dropFiles,
  expect,
  openWithDemo,
  shot,
  test,
  type SandboxSummary,
  type WebAppHandle
} from './fixtures'

/** The bytes Printago stored for a part, read back with the demo key (as any client could). */
async function storedModelSize(web: WebAppHandle, partId: string): Promise<number[]> {
  const base = await web.sandboxUrl()
  const headers = {
    authorization: `ApiKey ${DEMO_API_KEY}`,
    'x-printago-storeid': DEMO_STORE_ID,
    'content-type': 'application/json'
  }
  const part = (await (await fetch(`${base}/v1/parts/${partId}`, { headers })).json()) as {
    fileUris: string[]
  }
  const signed = (await (
    await fetch(`${base}/v1/storage/signed-urls`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ paths: part.fileUris })
    })
  ).json()) as { signedUrls: string[] }
  const bytes = new Uint8Array(await (await fetch(signed.signedUrls[0]!)).arrayBuffer())
  const report = inspectStl(bytes)
  if (!report.ok) throw new Error(report.error.message)
  return report.value.size.map((v) => Math.round(v * 100) / 100)
}

const tick = (web: WebAppHandle, steps: number): Promise<SandboxSummary> =>
  web.sandbox<SandboxSummary>('/_sandbox/tick', { method: 'POST', body: { steps } })

test.describe('the right printer', () => {
  // A still fleet: jobs move only when the test ticks the scheduler.
  test.use({ webArgs: ['--demo-speed', '0'] })

  test('a tray too big for the A1 mini, sent to any printer: warned, then kept off it', async ({
    page,
    web
  }, info) => {
    await openWithDemo(page, web)
    await dropFiles(page, [{ name: 'tray.stl', bytes: boxStl(200, 200, 50) }])
    await expect(page.getByTestId('file-row').first()).toHaveAttribute('data-status', 'ready')
    const row = page.getByTestId('options-row')
    await expect(row).toHaveAttribute('data-tone', 'warn')
    await expect(row.getByTestId('file-fit')).toHaveText('fits 6 of 7 printers')
    // The Prusa reports no model of its own, so the model list cannot name it: said, not hidden.
    await expect(row.getByTestId('file-verdict-message')).toHaveText(
      'Too big for A1 mini #1: it goes only to A1, P1S, X1 Carbon, H2D printers. Prusa MK4 is left out too: its model is not one Printago can route by.'
    )
    // The Bed column is the selected file's; the report counts the same printers.
    const mini = page.locator('[data-testid="printer-row"]', { hasText: 'A1 mini #1' })
    await expect(mini.locator('td.fit')).toHaveText('too big')
    await expect(page.getByTestId('model-summary')).toContainText('fits 6 of 7 printers')
    await shot(page, info.outputPath('fit-warned.png'))
    await page.getByTestId('send-button').click()
    await expect(page.getByTestId('progress-row').first()).toHaveAttribute('data-step', 'done')
    const state = await tick(web, 3)
    expect(state.builds[0]!.tags).toEqual({ 'printer.modelName': '=A1|P1S|X1 Carbon|H2D' })
    const mini1 = state.printers.find((p) => p.name === 'A1 mini #1')!
    const assigned = state.builds[0]!.jobs[0]!.assignedPrinterId
    expect(assigned).not.toBeNull()
    expect(assigned).not.toBe(mini1.id)
  })

  test('a file read in inches reaches Printago 25.4× larger (per-file choice and the setting)', async ({
    page,
    web
  }, info) => {
    await openWithDemo(page, web)
    await dropFiles(page, [{ name: 'bracket.stl', bytes: boxStl(2, 1, 0.5) }])
    await expect(page.getByTestId('file-row').first()).toHaveAttribute('data-status', 'ready')
    await expect(page.getByTestId('unit-hint')).toContainText('Drawn in inches? Then it is 50.8')
    await page.getByTestId('unit-fix').click()
    await expect(page.getByTestId('model-summary')).toContainText('50.8 × 25.4 × 12.7 mm')
    await expect(page.getByTestId('viewer-dims')).toHaveText('50.8 × 25.4 × 12.7 mm')
    await shot(page, info.outputPath('inch-fixed.png'))
    await page.getByTestId('send-button').click()
    await expect(page.getByTestId('send-result')).toContainText('Queued 1 file')
    let state = await web.sandbox<SandboxSummary>('/_sandbox/state')
    const partOf = (label: string) => state.builds.find((b) => userLabel(b.label) === label)!.partId
    // The bytes Printago stored are the model in millimetres: 25.4× the file's numbers.
    expect(await storedModelSize(web, partOf('bracket'))).toEqual([50.8, 25.4, 12.7])

    // The setting: every file without a choice of its own is read in inches.
    await web.invoke('settings:set', { assumedUnit: 'inch' })
    await page.reload()
    await expect(page.getByTestId('store-banner')).toContainText('Demo')
    await dropFiles(page, [{ name: 'plate.stl', bytes: boxStl(4, 3, 0.25) }])
    await expect(page.getByTestId('unit-note')).toContainText('Read in inches (Settings)')
    await page.getByTestId('send-button').click()
    await expect(page.getByTestId('send-result')).toContainText('Queued 1 file')
    state = await web.sandbox<SandboxSummary>('/_sandbox/state')
    expect(await storedModelSize(web, partOf('plate'))).toEqual([101.6, 76.2, 6.35])
    // The history names the file the user chose and says it was sent as a scaled copy.
    await page.getByTestId('tab-history').click()
    await page.getByTestId('history-row').filter({ hasText: 'plate' }).click()
    await expect(page.getByTestId('history-original')).toHaveText(
      'a millimetre copy of plate.stl, read in inches'
    )
  })

  test('a model drawn in metres is flagged, framed, and fixed before it is sent', async ({
    page,
    web
  }, info) => {
    await openWithDemo(page, web)
    await dropFiles(page, [{ name: 'hourglass.stl', bytes: boxStl(0.07, 0.03, 0.03) }])
    await expect(page.getByTestId('file-row').first()).toHaveAttribute('data-status', 'ready')
    // Not a clean "Closed mesh": the row and the report say what is wrong.
    await expect(page.getByTestId('file-verdict')).toContainText('too small to print')
    await expect(page.getByTestId('unit-hint')).toContainText(
      'too small to print. Drawn in metres? Then it is 70 × 30 × 30 mm.'
    )
    await expect(page.getByTestId('file-verdict-message')).toHaveText(
      'Only 0.07 × 0.03 × 0.03 mm: probably drawn in metres. Check its units under the preview.'
    )
    // Framed: the viewer draws it as large as any model (the pixels prove more than a count).
    await shot(page, info.outputPath('metre-tiny.png'))
    await expectModelFillsView(page)
    await page.getByTestId('unit-fix').click()
    await expect(page.getByTestId('model-summary')).toContainText('70 × 30 × 30 mm')
    await expect(page.getByTestId('file-verdict')).toHaveText('Closed mesh')
    await expect(page.getByTestId('file-verdict-message')).toHaveCount(0)
    await shot(page, info.outputPath('metre-fixed.png'))
    await page.getByTestId('send-button').click()
    await expect(page.getByTestId('send-result')).toContainText('Queued 1 file')
    const state = await web.sandbox<SandboxSummary>('/_sandbox/state')
    expect(await storedModelSize(web, state.builds[0]!.partId)).toEqual([70, 30, 30])
  })

  test('a batch with one file too big for every printer: named, left out, the rest sends', async ({
    page,
    web
  }, info) => {
    await openWithDemo(page, web)
    await dropFiles(page, [
      { name: 'clip.stl', bytes: boxStl(10, 10, 5) },
      { name: 'billboard.stl', bytes: boxStl(500, 400, 20) },
      { name: 'gear.stl', bytes: boxStl(30, 30, 8) }
    ])
    await expect(page.locator('[data-testid="file-row"][data-status="ready"]')).toHaveCount(3)
    const blocked = page.getByTestId('send-blocked')
    await expect(blocked).toContainText(
      "billboard.stl Too big for every printer this routing reaches (500 × 400 × 20 mm; the largest bed is H2D's, 325 × 320 × 325 mm)."
    )
    await expect(
      page.locator('[data-testid="options-row"][data-tone="blocked"]').getByTestId('file-fit')
    ).toHaveText('fits 0 of 7 printers')
    await expect(page.getByTestId('send-button')).toBeDisabled()
    await shot(page, info.outputPath('batch-blocked.png'))
    await blocked.getByRole('button', { name: 'Leave out billboard.stl' }).click()
    await expect(page.getByTestId('send-button')).toHaveText('Send 2 files')
    // The button went with the row: focus is on the one that undoes it.
    await expect(
      page.getByTestId('excluded-files').getByRole('button', { name: 'Put back' })
    ).toBeFocused()
    await expect(page.getByTestId('send-left-out')).toHaveText(
      'billboard.stl is left out (your choice).'
    )
    await page.getByTestId('send-button').click()
    await page.getByTestId('dry-run-send').click()
    await expect(page.locator('[data-testid="progress-row"][data-step="done"]')).toHaveCount(2)
    const state = await web.sandbox<SandboxSummary>('/_sandbox/state')
    expect(state.builds.map((b) => userLabel(b.label)).sort()).toEqual(['clip', 'gear'])
  })

  test('a material routes the job to the printer that has it loaded', async ({
    page,
    web
  }, info) => {
    await openWithDemo(page, web)
    await dropFiles(page, [{ name: 'knob.stl', bytes: boxStl(20, 20, 15) }])
    await expect(page.getByTestId('file-row').first()).toHaveAttribute('data-status', 'ready')
    const h2d = page.locator('[data-testid="printer-row"]', { hasText: 'H2D' })
    await expect(h2d.getByTestId('printer-loaded')).toContainText('PETG HF White')
    await page
      .getByLabel('Material for knob.stl')
      .selectOption({ label: 'PETG HF White (1 loaded)' })
    await expect(page.getByTestId('material-match')).toHaveText(
      'PETG HF White: loaded in 1 of 7 printers this routing reaches.'
    )
    await expect(page.getByTestId('file-fit')).toHaveText('fits 1 of 1 printer')
    await shot(page, info.outputPath('material.png'))
    await page.getByTestId('send-button').click()
    await expect(page.getByTestId('send-result')).toContainText('Queued 1 file')
    const state = await tick(web, 3)
    expect(state.builds[0]!.jobs[0]!.assignedPrinterId).toBe(
      state.printers.find((p) => p.name === 'H2D')!.id
    )
    await page.getByTestId('tab-history').click()
    await page.getByTestId('history-row').first().click()
    await expect(page.getByTestId('history-material')).toHaveText('PETG HF White')
  })

  test('the dry run says how many jobs a send creates before anything is queued', async ({
    page,
    web
  }, info) => {
    await openWithDemo(page, web)
    await dropFiles(page, [
      { name: 'a.stl', bytes: boxStl(10, 10, 10) },
      { name: 'b.stl', bytes: boxStl(20, 10, 10) }
    ])
    await expect(page.locator('[data-testid="file-row"][data-status="ready"]')).toHaveCount(2)
    await page.getByLabel('Quantity for a.stl').fill('3')
    await page.getByLabel('Quantity for b.stl').fill('2')
    await page.getByTestId('send-button').click()
    const dialog = page.getByRole('dialog', { name: 'Check with Printago' })
    await expect(dialog.getByTestId('dry-run-total')).toHaveText('This creates 5 jobs.')
    await expect(dialog.getByTestId('dry-run-row')).toHaveText(['a.stla3', 'b.stlb2'])
    await expect(dialog.getByTestId('dry-run-send')).toBeFocused()
    await shot(page, info.outputPath('dry-run.png'))
    const log = await web.sandbox<Array<{ method: string; path: string }>>('/_sandbox/log')
    expect(log.filter((e) => e.path === '/v2/builds/preview')).toHaveLength(1)
    expect((await web.sandbox<SandboxSummary>('/_sandbox/state')).builds).toHaveLength(0)
    await page.keyboard.press('Enter')
    await expect(page.locator('[data-testid="progress-row"][data-step="done"]')).toHaveCount(2)
    const after = await web.sandbox<SandboxSummary>('/_sandbox/state')
    expect(after.builds.map((b) => b.jobs.length).sort()).toEqual([2, 3])
    // The dry run uploaded the files; the send reused their parts.
    const puts = (await web.sandbox<Array<{ method: string }>>('/_sandbox/log')).filter(
      (e) => e.method === 'PUT'
    )
    expect(puts).toHaveLength(2)
    // Focus was on the dialog's Send: it is on the send's outcome now, not lost.
    await expect(page.getByTestId('send-outcome')).toBeFocused()
  })
})

/** The drawn model covers a fair share of the canvas (a 0.07 mm model is not a dot). */
async function expectModelFillsView(page: import('@playwright/test').Page): Promise<void> {
  const canvas = page.getByTestId('viewer').locator('canvas')
  await expect(page.getByTestId('rendered-tris')).not.toHaveText('0')
  const shotBytes = await canvas.screenshot()
  const share = await page.evaluate(async (b64) => {
    const img = new Image()
    img.src = `data:image/png;base64,${b64}`
    await img.decode()
    const c = new OffscreenCanvas(img.width, img.height)
    const g = c.getContext('2d')!
    g.drawImage(img, 0, 0)
    const d = g.getImageData(0, 0, img.width, img.height).data
    let orange = 0
    // The model's colour (#f08a28, shaded): red high, blue low.
    for (let i = 0; i < d.length; i += 4)
      if (d[i]! > 120 && d[i + 2]! < 90 && d[i]! - d[i + 2]! > 80) orange++
    return orange / (img.width * img.height)
  }, shotBytes.toString('base64'))
  expect(share).toBeGreaterThan(0.05)
}
