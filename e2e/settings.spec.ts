// Settings: preferences apply at once and survive a restart of the page; the key protection
// is stated; the inch setting scales the report and the bed fit.
import { boxStl } from './stl-files'
import { dropFiles, expect, openWithDemo, test } from './fixtures'

test('preferences apply, persist, and change how files are read', async ({ page, web }, info) => {
  await openWithDemo(page, web)
  await page.getByTestId('open-settings').click()
  const dialog = page.getByTestId('settings')
  await expect(dialog).toBeVisible()
  await expect(page.getByTestId('key-protection')).toContainText('memory only')
  await dialog.getByLabel('Theme').selectOption('dark')
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark')
  await dialog.getByLabel('Default copies').fill('3')
  await page.screenshot({ path: info.outputPath('settings-dialog.png') })
  await page.keyboard.press('Escape')
  await expect(dialog).toBeHidden()

  await dropFiles(page, [{ name: 'tiny.stl', bytes: boxStl(2, 1, 0.5) }])
  await expect(page.getByLabel('Quantity for tiny.stl')).toHaveValue('3')
  await expect(page.getByTestId('model-summary')).toContainText('2 × 1 × 0.5 mm')
  // Tiny models are flagged as probably in inches.
  await expect(page.getByTestId('report')).toContainText('exported in inches')

  await page.getByTestId('open-settings').click()
  await dialog.getByLabel('Units of STL files').selectOption('inch')
  await page.keyboard.press('Escape')
  await expect(page.getByTestId('model-summary')).toContainText('50.8 × 25.4 × 12.7 mm')
  await expect(page.getByTestId('file-verdict')).toHaveText('Closed mesh')
  await expect(page.getByTestId('rendered-tris')).toHaveText('12')
  await page.screenshot({ path: info.outputPath('settings-inch.png') })

  // Preferences are stored by main: a reload keeps them.
  await page.reload()
  await expect(page.getByTestId('store-banner')).toContainText('Demo')
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark')
})
