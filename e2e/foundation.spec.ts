// Foundation: the built renderer in Chromium, over the test bridge, with the real main-process
// services: a dropped STL reaches main as a file on disk and is rendered with WebGL.
import { dropFiles, expect, openWithDemo, test } from './fixtures'
import { torusStl } from '../src/test-support/stl'

test('drops an STL file and renders it in 3D', async ({ page, web }, testInfo) => {
  await openWithDemo(page, web)
  await dropFiles(page, [{ name: 'torus.stl', bytes: torusStl(32, 16) }])

  const row = page.getByTestId('file-row').first()
  await expect(row).toHaveAttribute('data-status', 'ready')
  await expect(row).toContainText('torus.stl')
  await expect(page.getByTestId('report-triangles')).toHaveText('1,024')
  // WebGL really drew the mesh: three's renderer counted 1024 triangles in the last frame.
  await expect(page.getByTestId('rendered-tris')).toHaveText('1024')
  // The file reached main as a file on disk: main hashed it.
  await expect(page.getByTestId('report')).toContainText('SHA-256')

  // Pixels: the model's orange covers a real share of the canvas. The canvas is the placeholder of
  // the render worker's OffscreenCanvas: it shows the worker's frames a moment after they are
  // drawn, so the same check is polled until the frame is there.
  const orangeShare = (): Promise<number> =>
    page.evaluate(() => {
      const c = document.querySelector('[data-testid="viewer"] canvas') as HTMLCanvasElement
      const tmp = document.createElement('canvas')
      tmp.width = c.width
      tmp.height = c.height
      const ctx = tmp.getContext('2d')!
      ctx.drawImage(c, 0, 0)
      const d = ctx.getImageData(0, 0, c.width, c.height).data
      let n = 0
      for (let i = 0; i < d.length; i += 4) if (d[i]! > 120 && d[i]! > d[i + 2]! * 1.8) n++
      return n / (d.length / 4)
    })
  await expect.poll(orangeShare).toBeGreaterThan(0.03)
  await page.screenshot({ path: testInfo.outputPath('foundation-torus.png') })
})
