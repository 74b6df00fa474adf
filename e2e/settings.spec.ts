// Settings: preferences apply at once and survive a restart of the page; the key protection
// is stated; the inch setting scales the report and the bed fit. Before a reload or a drop that
// depends on a setting, the test waits until main has saved it (read back over the bridge): the
// save is asynchronous, and on a busy machine a reload can otherwise land before it.
import { boxStl } from '../src/test-support/stl'
import { connectStore, dropFiles, expect, openWithDemo, test, type WebAppHandle } from './fixtures'
import type { AppSettings } from '../src/shared/settings'

/** Waits until main holds these settings (what a reload or a new file will see). */
async function saved(web: WebAppHandle, expected: Partial<AppSettings>): Promise<void> {
  await expect
    .poll(async () => {
      const { settings } = await web.invoke('settings:get')
      return Object.fromEntries(
        Object.keys(expected).map((k) => [k, settings[k as keyof AppSettings]])
      )
    })
    .toEqual(expected)
}

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
  // New files take the default copies main has saved (closing the dialog saved it).
  await saved(web, { theme: 'dark', defaultQuantity: 3 })

  await dropFiles(page, [{ name: 'tiny.stl', bytes: boxStl(2, 1, 0.5) }])
  await expect(page.getByLabel('Quantity for tiny.stl')).toHaveValue('3')
  await expect(page.getByTestId('model-summary')).toContainText('2 × 1 × 0.5 mm')
  // Tiny models are flagged as probably in inches, with the fix offered.
  await expect(page.getByTestId('unit-hint')).toContainText(
    'Drawn in inches? Then it is 50.8 × 25.4 × 12.7 mm.'
  )

  await page.getByTestId('open-settings').click()
  await dialog.getByLabel('Units of STL files').selectOption('inch')
  await page.keyboard.press('Escape')
  await expect(page.getByTestId('model-summary')).toContainText('50.8 × 25.4 × 12.7 mm')
  await expect(page.getByTestId('file-verdict')).toHaveText('Closed mesh')
  await expect(page.getByTestId('unit-hint')).toHaveCount(0)
  await expect(page.getByTestId('rendered-tris')).toHaveText('12')
  await page.screenshot({ path: info.outputPath('settings-inch.png') })

  // Preferences are stored by main: a reload keeps them.
  await saved(web, { theme: 'dark', defaultQuantity: 3, assumedUnit: 'inch' })
  await page.reload()
  await expect(page.getByTestId('store-banner')).toContainText('Demo')
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark')
  await page.getByTestId('open-settings').click()
  await expect(dialog.getByLabel('Units of STL files')).toHaveValue('inch')
  await expect(dialog.getByLabel('Default copies')).toHaveValue('3')
})

test('numbers typed key by key are saved as typed', async ({ page, web }) => {
  await openWithDemo(page, web)
  await page.getByTestId('open-settings').click()
  const size = page.getByTestId('settings').getByLabel('History size')
  await size.click()
  await size.press('ControlOrMeta+a')
  await size.pressSequentially('200')
  await size.press('Enter')
  await page.keyboard.press('Escape')
  await saved(web, { historySize: 200 })
  await page.reload()
  await page.getByTestId('open-settings').click()
  await expect(page.getByTestId('settings').getByLabel('History size')).toHaveValue('200')
})

test('switching stores never carries a send over', async ({
  page,
  web,
  standaloneSandbox: sb
}, info) => {
  await connectStore(page, web, sb)
  await expect(page.getByTestId('store-banner')).toContainText('Printago')
  await dropFiles(page, [{ name: 'part.stl', bytes: boxStl(10, 10, 10) }])
  await expect(page.getByTestId('file-row').first()).toHaveAttribute('data-status', 'ready')
  await page.getByTestId('send-button').click()
  await expect(page.getByTestId('progress-row').first()).toHaveAttribute('data-step', 'done')
  await expect(page.getByTestId('file-row').first()).toContainText('sent')

  await page.getByTestId('open-settings').click()
  await page.getByTestId('settings').getByRole('button', { name: 'Use' }).first().click()
  await expect(page.getByTestId('store-banner')).toContainText('Demo')
  await page.keyboard.press('Escape')
  await expect(page.getByTestId('file-row').first()).not.toContainText('sent')
  await expect(page.getByTestId('send-progress')).toHaveCount(0)
  await page.screenshot({ path: info.outputPath('switched-store.png') })
  // The demo store's history does not contain the other store's send.
  await page.getByTestId('tab-history').click()
  await expect(page.getByTestId('history-row')).toHaveCount(0)
})
