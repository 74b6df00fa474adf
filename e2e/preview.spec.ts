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

  // Keyboard: the list is a listbox; arrows move, Delete removes.
  await rows.first().click()
  await page.getByTestId('file-list').press('ArrowDown')
  await expect(rows.nth(1)).toHaveAttribute('aria-selected', 'true')
  await page.getByTestId('file-list').press('Delete')
  await expect(rows).toHaveCount(4)
  await page.screenshot({ path: info.outputPath('preview-list.png') })
})
