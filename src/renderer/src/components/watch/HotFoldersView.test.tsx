// @vitest-environment happy-dom
// The Hot folders tab over a fake window.api: a folder's state and reason, what happened to each
// file, Send again for a duplicate, pause by keyboard, the core's refusal of a typed path shown
// with the field, and a toast only for failures that happen after the tab loaded.
import { act, cleanup, render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { DEFAULT_WATCH_RULES, type WatchEvent, type WatchView } from '../../../../shared/watch'
import { useWatch } from '../../hooks/useWatch'
import { HotFoldersView } from './HotFoldersView'
import { WatchToasts } from './WatchToasts'

const folder = (
  over: Partial<WatchView['folders'][number]> = {}
): WatchView['folders'][number] => ({
  config: { ...DEFAULT_WATCH_RULES, id: 'f1', folder: '/farm/orders', paused: false },
  state: 'watching',
  settling: 0,
  held: [],
  counts: { sent: 1, failed: 0, duplicate: 1 },
  ...over
})
const ev = (id: number, file: string, fate: WatchEvent['fate'], message?: string): WatchEvent => ({
  id,
  folderId: 'f1',
  at: Date.parse('2026-12-07T10:00:00Z'),
  file,
  fate,
  ...(message ? { message } : {})
})

function fakeApi(view: WatchView) {
  let changed: (v: WatchView) => void = () => undefined
  const answer = async () => ({ ok: true, value: view })
  const api = {
    list: vi.fn(answer),
    pause: vi.fn(answer),
    sendAgain: vi.fn(answer),
    release: vi.fn(answer),
    remove: vi.fn(answer),
    add: vi.fn(async () => ({
      ok: false,
      error: { code: 'watch-folder', message: 'There is no folder /nope.' }
    })),
    onChanged: (l: typeof changed) => ((changed = l), () => undefined)
  }
  window.api = { watch: api } as unknown as Window['api']
  return { api, push: (v: WatchView) => act(() => changed(v)) }
}

function Harness(): React.ReactElement {
  const watch = useWatch()
  return (
    <>
      <HotFoldersView watch={watch} printers={[]} />
      <WatchToasts toasts={watch.toasts} onShow={() => undefined} onDismiss={watch.dismiss} />
    </>
  )
}

afterEach(cleanup)

describe('HotFoldersView', () => {
  it('shows each folder and what happened to each file; Send again and Pause call core', async () => {
    const view: WatchView = {
      folders: [folder({ state: 'error', message: 'The folder /farm/orders is not there.' })],
      events: [
        ev(3, 'copy.stl', 'duplicate', 'Same content as a.stl: not sent again.'),
        ev(2, 'a.stl', 'sent'),
        ev(1, 'old.stl', 'failed', 'Broken.')
      ]
    }
    const { api } = fakeApi(view)
    render(<Harness />)
    expect((await screen.findByTestId('watch-state')).textContent).toContain('Error')
    expect(screen.getByTestId('watch-message').textContent).toContain('is not there')
    const rows = screen.getAllByTestId('watch-event')
    expect(rows.map((r) => r.dataset['fate'])).toEqual(['duplicate', 'sent', 'failed'])
    // A failure from before the tab loaded is listed, not toasted.
    expect(screen.queryByTestId('watch-toast')).toBeNull()

    await userEvent.click(screen.getByRole('button', { name: 'Send again copy.stl' }))
    expect(api.sendAgain).toHaveBeenCalledWith({ id: 'f1', file: 'copy.stl' })
    screen.getByTestId('watch-pause').focus()
    await userEvent.keyboard('{Enter}')
    expect(api.pause).toHaveBeenCalledWith({ id: 'f1', paused: true })
  })

  it("shows the core's refusal of a typed folder beside the field", async () => {
    const { api } = fakeApi({ folders: [], events: [] })
    render(<Harness />)
    await userEvent.type(screen.getByTestId('watch-folder-input'), '/nope')
    await userEvent.click(screen.getByTestId('watch-add'))
    expect((await screen.findByTestId('watch-add-error')).textContent).toContain(
      'There is no folder'
    )
    expect(screen.getByTestId('watch-folder-input').getAttribute('aria-invalid')).toBe('true')
    expect(api.add).toHaveBeenCalledWith(expect.objectContaining({ folder: '/nope' }))
  })

  it('toasts a failure that arrives while it is open', async () => {
    const { push } = fakeApi({ folders: [folder()], events: [ev(1, 'a.stl', 'sent')] })
    render(<Harness />)
    await screen.findByTestId('watch-folder')
    push({
      folders: [folder()],
      events: [ev(2, 'bad.stl', 'failed', 'Truncated.'), ev(1, 'a.stl', 'sent')]
    })
    expect((await screen.findByTestId('watch-toast')).textContent).toContain(
      'bad.stl was not sent. Truncated.'
    )
  })
})
