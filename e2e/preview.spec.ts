// Drop and preview: several files at once, including broken ones; each gets a specific verdict,
// the good ones a report and a real rendering; a file dropped twice is flagged, not added again.
import { boxStl, torusStl, truncatedStl } from '../src/test-support/stl'
import { dropFiles, expect, openWithDemo, test } from './fixtures'

const ascii = Buffer.from(
  [
    'solid tri',
    '  facet normal 0 0 1',
    '    outer loop',
    '      vertex 0 0 0',
    '      vertex 20 0 0',
    '      vertex 0 20 0',
    '    endloop',
    '  endfacet',
    'endsolid tri',
    ''
  ].join('\r\n')
)
const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex')

test('drops several files, broken ones included, and shows list, report and rendering', async ({
  page,
  web
}, info) => {
  await openWithDemo(page, web)
  await dropFiles(page, [
    { name: 'cube.stl', bytes: boxStl(20, 20, 20) },
    { name: 'ring.stl', bytes: torusStl(24, 12) },
    { name: 'cut-off.stl', bytes: truncatedStl() },
    { name: 'photo.stl', bytes: png },
    { name: 'triangle.stl', bytes: ascii }
  ])
  const rows = page.getByTestId('file-row')
  await expect(rows).toHaveCount(5)
  await expect(page.locator('[data-testid="file-row"][data-status="parsing"]')).toHaveCount(0)

  const row = (name: string) => page.locator('[data-testid="file-row"]', { hasText: name })
  await expect(row('cube.stl')).toHaveAttribute('data-status', 'ready')
  await expect(row('cube.stl').getByTestId('file-verdict')).toHaveText('Closed mesh')
  await expect(row('ring.stl')).toHaveAttribute('data-status', 'ready')
  await expect(row('cut-off.stl')).toHaveAttribute('data-status', 'error')
  await expect(row('photo.stl')).toHaveAttribute('data-status', 'error')
  await expect(row('triangle.stl')).toHaveAttribute('data-status', 'ready')
  // A single flat triangle parses but cannot be printed: it says so and is left out of the send.
  await expect(row('triangle.stl').getByTestId('file-verdict')).toContainText(/flat/i)
  await expect(page.getByTestId('options-row')).toHaveCount(2)
  await expect(page.getByTestId('send-summary')).toContainText('2 files, 2 copies')

  // The cube's report, checked against hand-computed values, and its rendering.
  await row('cube.stl').click()
  await expect(page.getByTestId('model-summary')).toContainText(
    '20 × 20 × 20 mm, 12 triangles, closed'
  )
  await expect(page.getByTestId('report-volume')).toHaveText('8,000 mm³')
  await expect(page.getByTestId('rendered-tris')).toHaveText('12')
  await page.screenshot({ path: info.outputPath('preview-cube.png') })

  // The torus (a closed, seam-welded mesh) renders all its triangles.
  await row('ring.stl').click()
  await expect(page.getByTestId('report-triangles')).toHaveText('576')
  await expect(page.getByTestId('rendered-tris')).toHaveText('576')
  await page.screenshot({ path: info.outputPath('preview-torus.png') })

  // Broken files say what is wrong, with the engine's error code.
  await row('cut-off.stl').click()
  await expect(page.getByTestId('report-error')).toContainText(/truncated|count-mismatch/)
  await page.screenshot({ path: info.outputPath('preview-truncated.png') })
  await row('photo.stl').click()
  await expect(page.getByTestId('report-error')).toContainText('not-stl')

  // Dropping the cube again: same content, flagged instead of added.
  await dropFiles(page, [{ name: 'cube-copy.stl', bytes: boxStl(20, 20, 20) }])
  await expect(page.getByTestId('notice').first()).toContainText('already in the list')
  await expect(rows).toHaveCount(5)

  // Keyboard: arrows move the selection (and the focus), Delete removes the selected file.
  await rows.first().click()
  await page.keyboard.press('ArrowDown')
  await expect(rows.nth(1).locator('.file-select')).toHaveAttribute('aria-current', 'true')
  await expect(rows.nth(1).locator('.file-select')).toBeFocused()
  await page.keyboard.press('Delete')
  await expect(rows).toHaveCount(4)
  await page.screenshot({ path: info.outputPath('preview-list.png') })
})

test('the view: the bounding-box toggle keeps the camera, R resets it, a bed as scale', async ({
  page,
  web
}, info) => {
  await openWithDemo(page, web)
  await dropFiles(page, [{ name: 'cube.stl', bytes: boxStl(20, 20, 20) }])
  await expect(page.getByTestId('rendered-tris')).toHaveText('12')
  const canvas = page.getByTestId('viewer').locator('canvas')
  // Each frame is drawn on demand: wait for two equal captures before comparing.
  const settled = async (): Promise<Buffer> => {
    let last = await canvas.screenshot()
    for (;;) {
      const next = await canvas.screenshot()
      if (next.equals(last)) return next
      last = next
    }
  }
  /** Two frames show the same view: under 0.5 % of pixels differ (antialiasing noise). */
  const sameView = (a: Buffer, b: Buffer): Promise<boolean> =>
    page.evaluate(
      async ([x, y]) => {
        const pixels = async (b64: string): Promise<Uint8ClampedArray> => {
          const img = new Image()
          img.src = `data:image/png;base64,${b64}`
          await img.decode()
          const c = new OffscreenCanvas(img.width, img.height)
          const g = c.getContext('2d')!
          g.drawImage(img, 0, 0)
          return g.getImageData(0, 0, img.width, img.height).data
        }
        const [p, q] = [await pixels(x!), await pixels(y!)]
        if (p.length !== q.length) return false
        let differ = 0
        for (let i = 0; i < p.length; i += 4)
          if (Math.max(...[0, 1, 2].map((k) => Math.abs(p[i + k]! - q[i + k]!))) > 24) differ++
        return differ / (p.length / 4) < 0.005
      },
      [a.toString('base64'), b.toString('base64')]
    )
  const fitted = await settled()
  await expect(page.getByTestId('viewer-bed')).toHaveText(
    'bed: smallest: A1 mini #1, 180 × 180 × 180 mm'
  )
  // Orbit away from the fitted view.
  const box = (await canvas.boundingBox())!
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
  await page.mouse.down()
  await page.mouse.move(box.x + box.width / 2 + 120, box.y + box.height / 2 + 40, { steps: 8 })
  await page.mouse.up()
  await expect.poll(async () => sameView(await settled(), fitted)).toBe(false)
  const orbited = await settled()
  // The bounding box on and off again: the same view, not the fitted one.
  await page.getByTestId('bbox-toggle').check()
  await expect.poll(async () => (await settled()).equals(orbited)).toBe(false)
  await page.getByTestId('bbox-toggle').uncheck()
  await expect.poll(async () => sameView(await settled(), orbited)).toBe(true)
  await page.screenshot({ path: info.outputPath('view-orbited.png') })
  // R (outside a text field) brings the fitted view back.
  await page.getByTestId('file-row').first().locator('.file-select').focus()
  await page.keyboard.press('r')
  await expect.poll(async () => sameView(await settled(), fitted)).toBe(true)
  // Typed into a field, R is just a letter.
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
  await page.mouse.down()
  await page.mouse.move(box.x + box.width / 2 - 80, box.y + box.height / 2, { steps: 8 })
  await page.mouse.up()
  // The drag has reached the renderer (a settled capture may still be the frame before it).
  await expect.poll(async () => sameView(await settled(), fitted)).toBe(false)
  const turned = await settled()
  await page.getByLabel('Label for cube.stl').press('r')
  await expect(page.getByLabel('Label for cube.stl')).toHaveValue('rcube')
  expect(await sameView(await settled(), turned)).toBe(true)
})
