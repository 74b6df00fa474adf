// Job setup and printer choice against the demo sandbox, through the bridge: what the user picks
// is what Printago receives.
import { userLabel } from '../src/shared/send'
import { boxStl, torusStl } from '../src/test-support/stl'
import {
  connectStore,
  dropFiles,
  expect,
  shot,
  openWithDemo,
  test,
  type SandboxSummary
} from './fixtures'

test.describe('job setup', () => {
  // A still fleet (scheduler paused): printer states stay as the demo fleet defines them.
  test.use({ webArgs: ['--demo-speed', '0'] })

  test('this printer: the build carries printer.id', async ({ page, web }, info) => {
    await openWithDemo(page, web)
    await dropFiles(page, [{ name: 'bracket.stl', bytes: boxStl(40, 20, 10) }])
    await expect(page.getByTestId('file-row').first()).toHaveAttribute('data-status', 'ready')
    await page.getByText('This printer', { exact: true }).click()
    const state = await web.sandbox<SandboxSummary>('/_sandbox/state')
    const target = state.printers.find((p) => p.name === 'P1S #1')!
    await page.getByRole('radio', { name: /Send to P1S #1/ }).check()
    await expect(page.getByTestId('send-summary')).toContainText('1 file, 1 copy, to P1S #1')
    await shot(page, info.outputPath('panel-this-printer.png'))
    await page.getByTestId('send-button').click()
    await expect(page.getByTestId('progress-row').first()).toHaveAttribute('data-step', 'done')
    const after = await web.sandbox<SandboxSummary>('/_sandbox/state')
    expect(after.builds).toHaveLength(1)
    expect(after.builds[0]!.tags).toEqual({ 'printer.id': `=${target.id}` })
    expect(userLabel(after.builds[0]!.label)).toBe('bracket')
    await expect(page.getByTestId('file-row').first()).toContainText('sent')
    await shot(page, info.outputPath('panel-sent.png'))
  })

  test('printers with tags: all-of, exact case, with the match read-out', async ({
    page,
    web
  }, info) => {
    await openWithDemo(page, web)
    await dropFiles(page, [{ name: 'clip.stl', bytes: boxStl(10, 10, 5) }])
    await expect(page.getByTestId('file-row').first()).toHaveAttribute('data-status', 'ready')
    await page.getByText('Printers with tags', { exact: true }).click()
    const picker = page.getByTestId('tag-picker')
    await picker.getByRole('button', { name: 'PETG', exact: true }).click()
    await picker.getByRole('button', { name: 'RackB', exact: true }).click()
    // P1S #1, P1S #2 and X1 Carbon carry both PETG and RackB; only P1S #1 is ready.
    await expect(page.getByTestId('tag-match')).toContainText('3 match, 1 ready')
    await expect(page.getByTestId('send-summary')).toContainText(
      'to printers tagged PETG and RackB — 3 match, 1 ready'
    )
    await shot(page, info.outputPath('panel-tags.png'))
    await page.getByTestId('send-button').click()
    await expect(page.getByTestId('progress-row').first()).toHaveAttribute('data-step', 'done')
    const after = await web.sandbox<SandboxSummary>('/_sandbox/state')
    expect(after.builds[0]!.tags).toEqual({ 'user.tags': '&=PETG|RackB' })

    // A combination nobody carries is flagged before sending.
    await picker.getByRole('button', { name: 'RackA', exact: true }).click()
    await expect(page.getByTestId('tag-match')).toContainText(
      'No printer carries all of these tags'
    )
    await expect(page.getByTestId('send-button')).toBeDisabled()
  })

  test('any printer, and a batch of three files with different quantities in one build', async ({
    page,
    web
  }, info) => {
    await openWithDemo(page, web)
    await dropFiles(page, [
      { name: 'a.stl', bytes: boxStl(10, 10, 10) },
      { name: 'b.stl', bytes: boxStl(20, 10, 10) },
      { name: 'c.stl', bytes: torusStl(16, 8) }
    ])
    await expect(page.locator('[data-testid="file-row"][data-status="ready"]')).toHaveCount(3)
    await page.getByLabel('Quantity for b.stl').fill('2')
    await page.getByLabel('Quantity for c.stl').fill('4')
    await expect(page.getByTestId('send-summary')).toContainText(
      '3 files, 7 copies, to any printer'
    )
    await shot(page, info.outputPath('panel-batch.png'))
    await page.getByTestId('send-button').click()
    // Several files: the dry run counts the jobs first (POST /v2/builds/preview, not a build).
    await expect(page.getByTestId('dry-run-total')).toHaveText('This creates 7 jobs.')
    await page.getByTestId('dry-run-send').click()
    await expect(page.locator('[data-testid="progress-row"][data-step="done"]')).toHaveCount(3)
    const after = await web.sandbox<SandboxSummary>('/_sandbox/state')
    expect(after.builds).toHaveLength(3)
    for (const b of after.builds) expect(b.tags).toEqual({})
    expect(after.builds.map((b) => [userLabel(b.label), b.jobs.length]).sort()).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 4]
    ])
    // One build call for the three files.
    const log = await web.sandbox<Array<{ method: string; path: string }>>('/_sandbox/log')
    expect(log.filter((e) => e.method === 'POST' && /\/builds$/.test(e.path))).toHaveLength(1)
    await shot(page, info.outputPath('panel-batch-sent.png'))
  })

  test('a model too big for a small bed cannot target that printer', async ({
    page,
    web
  }, info) => {
    await openWithDemo(page, web)
    await dropFiles(page, [{ name: 'big-plate.stl', bytes: boxStl(200, 200, 20) }])
    await expect(page.getByTestId('file-row').first()).toHaveAttribute('data-status', 'ready')
    await page.getByText('This printer', { exact: true }).click()
    const mini = page.locator('[data-testid="printer-row"]', { hasText: 'A1 mini #1' })
    await expect(mini.locator('td.fit')).toHaveText('too big')
    await expect(mini.getByRole('radio')).toBeDisabled()
    const a1 = page.locator('[data-testid="printer-row"]', { hasText: 'A1 #1' })
    await expect(a1.locator('td.fit')).toHaveText('fits')
    await expect(page.getByTestId('model-summary')).toContainText('200 × 200 × 20 mm')
    await shot(page, info.outputPath('panel-too-big.png'))
  })

  test('a 429 from Printago is shown as a wait and the send recovers', async ({
    page,
    web
  }, info) => {
    await openWithDemo(page, web)
    await web.sandbox('/_sandbox/faults', {
      method: 'POST',
      body: {
        method: 'POST',
        path: '/v2/builds',
        kind: 'status',
        status: 429,
        headers: { 'retry-after': '4' },
        body: { statusCode: 429, message: 'ThrottlerException: Too Many Requests' },
        times: 1
      }
    })
    await dropFiles(page, [{ name: 'cube.stl', bytes: boxStl(15, 15, 15) }])
    await expect(page.getByTestId('file-row').first()).toHaveAttribute('data-status', 'ready')
    await page.getByTestId('send-button').click()
    await expect(page.getByTestId('progress-row').first()).toContainText(
      /Waiting \d s for Printago's rate limit/
    )
    await shot(page, info.outputPath('panel-rate-limited.png'))
    await expect(page.getByTestId('progress-row').first()).toHaveAttribute('data-step', 'done', {
      timeout: 20_000
    })
    const after = await web.sandbox<SandboxSummary>('/_sandbox/state')
    expect(after.builds).toHaveLength(1)
  })

  test('a wrong API key gets a clear 401 message; the right one shows the printers', async ({
    page,
    web,
    standaloneSandbox: sb
  }, info) => {
    await connectStore(page, web, { ...sb, apiKey: 'x'.repeat(72) })
    await expect(page.getByTestId('connect-error')).toContainText('401')
    await page.screenshot({ path: info.outputPath('connect-wrong-key.png') })
    await page.getByTestId('api-key').fill(sb.apiKey)
    await page.getByTestId('connect-button').click()
    await expect(page.getByTestId('store-banner')).toContainText('Printago')
    await expect(page.getByTestId('printer-row')).toHaveCount(8)
    // The key never reaches the page.
    expect(await page.content()).not.toContain(sb.apiKey)
    await page.screenshot({ path: info.outputPath('connect-right-key.png') })
  })

  test('send-time errors say what to do: 401 → settings, 403 → permission, offline → send again', async ({
    page,
    web
  }, info) => {
    await openWithDemo(page, web)
    await dropFiles(page, [{ name: 'widget.stl', bytes: boxStl(12, 12, 12) }])
    await expect(page.getByTestId('file-row').first()).toHaveAttribute('data-status', 'ready')
    const fault = (body: Record<string, unknown>) =>
      web.sandbox('/_sandbox/faults', { method: 'POST', body })
    const clear = () => web.sandbox('/_sandbox/faults', { method: 'DELETE' })

    await fault({ path: '/v1/storage/signed-upload-urls', kind: 'status', status: 401, times: 50 })
    await page.getByTestId('send-button').click()
    await expect(page.getByTestId('send-error')).toContainText('Open settings to check them')
    await expect(
      page.getByTestId('send-error').getByRole('button', { name: 'Open settings' })
    ).toBeVisible()
    await shot(page, info.outputPath('send-error-401.png'))
    await clear()

    await fault({
      path: '/v1/storage/signed-upload-urls',
      kind: 'status',
      status: 403,
      body: { statusCode: 403, message: 'Forbidden resource', error: 'Forbidden' },
      times: 50
    })
    await page.getByTestId('send-button').click()
    await expect(page.getByTestId('send-error')).toContainText('part.create')
    await expect(page.getByTestId('send-error')).toContainText('Ask the store owner')
    await clear()

    await fault({ path: '/v1/storage/signed-upload-urls', kind: 'reset', times: 1000 })
    await page.getByTestId('send-button').click()
    await expect(page.getByTestId('send-error')).toContainText('cannot be reached', {
      timeout: 45_000
    })
    await expect(page.getByTestId('send-error')).toContainText('press Send again')
    await shot(page, info.outputPath('send-error-offline.png'))
    await clear()

    // Back online: Send again queues the file once.
    await page.getByTestId('send-button').click()
    await expect(page.getByTestId('progress-row').first()).toHaveAttribute('data-step', 'done')
    const state = await web.sandbox<SandboxSummary>('/_sandbox/state')
    expect(state.builds).toHaveLength(1)
  })

  test('a file sent before reuses its part: one API call, no upload', async ({ page, web }) => {
    await openWithDemo(page, web)
    const bytes = boxStl(25, 10, 5)
    await dropFiles(page, [{ name: 'clip.stl', bytes }])
    await expect(page.getByTestId('file-row').first()).toHaveAttribute('data-status', 'ready')
    await page.getByTestId('send-button').click()
    await expect(page.getByTestId('progress-row').first()).toHaveAttribute('data-step', 'done')
    // Remove it and drop it again (a new session with the same file).
    await page.getByRole('button', { name: 'Remove clip.stl' }).click()
    await dropFiles(page, [{ name: 'clip.stl', bytes }])
    await expect(page.getByTestId('file-row').first()).toHaveAttribute('data-status', 'ready')
    const before = await web.sandbox<SandboxSummary>('/_sandbox/state')
    const logBefore = await web.sandbox<Array<{ method: string; path: string }>>('/_sandbox/log')
    await page.getByTestId('send-button').click()
    await expect(page.getByTestId('progress-row').first()).toContainText(
      'already uploaded — reusing part'
    )
    await expect(page.getByTestId('progress-row').first()).toHaveAttribute('data-step', 'done')
    const after = await web.sandbox<SandboxSummary>('/_sandbox/state')
    expect(after.counts.uploads).toBe(before.counts.uploads)
    expect(after.counts.parts).toBe(before.counts.parts)
    expect(after.builds).toHaveLength(2)
    // One API call for the repeated file: the build (printer-list refreshes are reads, not sends).
    const log = await web.sandbox<Array<{ method: string; path: string }>>('/_sandbox/log')
    const sendCalls = log
      .slice(logBefore.length)
      .filter((e) => e.method !== 'GET' && !e.path.startsWith('/_storage'))
      .map((e) => `${e.method} ${e.path}`)
    expect(sendCalls).toEqual(['POST /v2/builds'])
  })
})
