// @vitest-environment happy-dom
// The send panel as a user drives it: the routing picker (any / this printer / tags), every
// reason Send is disabled in words, per-file options, and the progress of a send.
import { cleanup, render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'

import type { MeshReport } from '../../../../shared/stl/types'
import { IDLE_SEND, type SendState } from '../../hooks/useSend'
import type { LoadedFile } from '../../lib/files'
import { SendPanel, type SendPanelProps } from './SendPanel'
import { printerSummary } from '../../../../test-support/printers'

afterEach(cleanup)

const printer = printerSummary

const FLEET = [
  printer('P1S #1', 'P1S', { tags: ['PLA', 'RackA'] }),
  printer('P1S #2', 'P1S', { tags: ['PETG', 'RackA'], state: 'printing' }),
  printer('A1 mini', 'A1 mini', { tags: ['PLA', 'RackB'] }),
  printer('Old', 'P1S', { tags: ['PLA|PETG'], enabled: false, state: 'disabled' })
]

function report(size: [number, number, number], over: Partial<MeshReport> = {}): MeshReport {
  return {
    format: 'binary',
    triangles: 12,
    bbox: { min: [0, 0, 0], max: size },
    size,
    surfaceArea: 1,
    volume: 1,
    volumeNote: null,
    closed: true,
    openEdges: 0,
    nonManifoldEdges: 0,
    inconsistentEdges: 0,
    degenerate: 0,
    nonFiniteVertices: 0,
    shells: 1,
    inchSuspect: false,
    unitSuspect: null,
    verdict: 'ok',
    notes: [],
    ...over
  }
}

function file(name: string, size: [number, number, number] = [20, 20, 20]): LoadedFile {
  return {
    key: `k-${name}`,
    name,
    size: 1000,
    path: `/models/${name}`,
    sha256: 'a'.repeat(64),
    status: 'ready',
    report: report(size),
    options: { label: name.replace('.stl', ''), quantity: 1, priority: 'normal', position: 'back' }
  }
}

function panel(over: Partial<SendPanelProps> = {}) {
  const props: SendPanelProps = {
    files: [file('gear.stl')],
    unitScale: 1,
    defaultRoutingMode: 'any',
    defaultTags: [],
    printers: { printers: FLEET, fetchedAt: Date.now() },
    printersError: null,
    onRefreshPrinters: vi.fn(),
    onOptionsChange: vi.fn(),
    onSend: vi.fn(),
    onCancel: vi.fn(),
    onOpenSettings: vi.fn(),
    send: IDLE_SEND,
    ...over
  }
  const view = render(<SendPanel {...props} />)
  return {
    ...view,
    props,
    update: (more: Partial<SendPanelProps>) => view.rerender(<SendPanel {...props} {...more} />)
  }
}

const problems = (): string[] =>
  screen.queryByTestId('send-problems')
    ? within(screen.getByTestId('send-problems'))
        .getAllByRole('listitem')
        .map((li) => li.textContent!)
    : []
const sendButton = (): HTMLButtonElement => screen.getByTestId('send-button')

describe('validation', () => {
  it('with nothing to send, says to add a file', () => {
    panel({ files: [] })
    expect(problems()).toEqual(['Add at least one readable STL or 3MF file.'])
    expect(sendButton().disabled).toBe(true)
    expect(screen.getByText('Readable files appear here.')).toBeTruthy()
  })

  it('a file still being read, or unreadable, is not sendable', () => {
    const reading = { ...file('a.stl'), status: 'parsing' as const, report: undefined }
    const broken = { ...file('b.stl'), status: 'error' as const, report: undefined }
    panel({ files: [reading, broken] })
    expect(problems()).toEqual(['Add at least one readable STL or 3MF file.'])
  })

  it('an unprintable file is left out (not blocking), with the engine’s reason', () => {
    const flat = file('flat.stl')
    flat.report = report([20, 20, 0], { verdict: 'error', notes: ['The model is flat.'] })
    panel({ files: [file('gear.stl'), flat] })
    expect(screen.getByTestId('send-left-out').textContent).toBe(
      'flat.stl is left out: The model is flat.'
    )
    expect(problems()).toEqual([])
    expect(sendButton().disabled).toBe(false)
    expect(screen.getAllByTestId('options-row')).toHaveLength(1)
  })

  it('already sent files are skipped, and all-sent says to use History', () => {
    const sent = { ...file('old.stl'), sent: { partBuildId: 'b', at: 1, reusedPart: false } }
    const view = panel({ files: [file('gear.stl'), sent] })
    expect(screen.getByTestId('send-left-out').textContent).toContain(
      '1 already sent file is skipped'
    )
    view.update({ files: [sent] })
    expect(problems()).toEqual([
      'Every file here is already sent. Add files, or use History → Print again.'
    ])
  })

  it('a blank label or a bad quantity names the file and the rule', () => {
    const f = file('gear.stl')
    f.options = { ...f.options, label: '  ', quantity: 0 }
    panel({ files: [f] })
    expect(problems()).toEqual(['gear.stl: Label must be 1–1024 characters.'])
    expect(screen.getByLabelText('Label for gear.stl').getAttribute('aria-invalid')).toBe('true')
    cleanup()
    f.options = { ...f.options, label: 'gear', quantity: 501 }
    panel({ files: [f] })
    expect(problems()).toEqual(['gear.stl: Quantity must be a whole number from 1 to 500.'])
    expect(screen.getByLabelText('Quantity for gear.stl').getAttribute('aria-invalid')).toBe('true')
  })

  it('a model too big for every printer is named with its reason; one click leaves it out', async () => {
    const user = userEvent.setup()
    const { props, update } = panel({
      files: [file('gear.stl'), file('tower.stl', [300, 300, 300])],
      selectedKey: 'k-tower.stl'
    })
    const blocked = screen.getByTestId('send-blocked')
    expect(blocked.textContent).toContain(
      "tower.stl Too big for every printer this routing reaches (300 × 300 × 300 mm; the largest bed is P1S #1's, 256 × 256 × 256 mm)."
    )
    const rows = screen.getAllByTestId('options-row')
    expect(rows.map((r) => r.dataset.tone)).toEqual(['ok', 'blocked'])
    expect(within(rows[1]!).getByTestId('file-fit').textContent).toBe('fits 0 of 3 printers')
    expect(sendButton().disabled).toBe(true)
    // The Bed column is the selected file's.
    expect(screen.getByTestId('bed-for').textContent).toBe(' (tower.stl)')
    for (const row of screen.getAllByTestId('printer-row'))
      expect(row.className).toContain('blocked')
    await user.click(within(blocked).getByRole('button', { name: 'Leave out tower.stl' }))
    expect(props.onOptionsChange).toHaveBeenCalledWith('k-tower.stl', { excluded: true })
    // Left out: the rest goes, and the file can be put back.
    const out = file('tower.stl', [300, 300, 300])
    out.options = { ...out.options, excluded: true }
    update({ files: [file('gear.stl'), out] })
    expect(screen.queryByTestId('send-blocked')).toBeNull()
    expect(sendButton().disabled).toBe(false)
    expect(sendButton().textContent).toBe('Send')
    expect(screen.getByTestId('send-left-out').textContent).toBe(
      'tower.stl is left out (your choice).'
    )
    await user.click(
      within(screen.getByTestId('excluded-files')).getByRole('button', { name: 'Put back' })
    )
    expect(props.onOptionsChange).toHaveBeenLastCalledWith('k-tower.stl', { excluded: false })
  })

  it('too big for some printers: kept off them by model (the default), or sent anyway by choice', async () => {
    const user = userEvent.setup()
    const { props, update } = panel({ files: [file('tray.stl', [200, 200, 50])] })
    const row = screen.getByTestId('options-row')
    expect(row.dataset.tone).toBe('warn')
    expect(within(row).getByTestId('file-verdict-message').textContent).toBe(
      'Too big for A1 mini: it goes only to P1S printers.'
    )
    await user.click(sendButton())
    expect(props.onSend).toHaveBeenCalledWith({ mode: 'any' }, [
      { key: 'k-tray.stl', printerModels: ['P1S'] }
    ])
    await user.click(within(row).getByRole('radio', { name: /Send anyway/ }))
    expect(props.onOptionsChange).toHaveBeenCalledWith('k-tray.stl', { fit: 'anyway' })
    const anyway = file('tray.stl', [200, 200, 50])
    anyway.options = { ...anyway.options, fit: 'anyway' }
    update({ files: [anyway] })
    expect(
      within(screen.getByTestId('options-row')).getByTestId('file-verdict-message').textContent
    ).toBe(
      'Sent to every printer the routing reaches, A1 mini included: if Printago starts it there, the job fails at slicing.'
    )
    await user.click(sendButton())
    expect(props.onSend).toHaveBeenLastCalledWith({ mode: 'any' }, [
      { key: 'k-tray.stl', printerModels: undefined }
    ])
  })

  it('a material: the row counts the printers that have it loaded, and the send carries it', () => {
    const f = file('clip.stl')
    f.options = { ...f.options, material: { kind: 'type', type: 'PETG' } }
    panel({
      files: [f],
      materials: {
        types: ['PETG', 'PLA'],
        options: [],
        loaded: {
          'id-P1S #1': [
            {
              type: 'PLA',
              variantId: null,
              materialId: null,
              name: 'PLA',
              color: null,
              where: 'spool'
            }
          ],
          'id-P1S #2': [
            {
              type: 'PETG',
              variantId: null,
              materialId: null,
              name: 'PETG',
              color: '#000000',
              where: 'spool'
            }
          ]
        },
        fetchedAt: Date.now()
      }
    })
    expect(screen.getByTestId('material-match').textContent).toBe(
      'PETG (any colour): loaded in 1 of 3 printers this routing reaches.'
    )
    expect(within(screen.getByTestId('options-row')).getByTestId('file-fit').textContent).toBe(
      'fits 1 of 1 printer'
    )
    // Names for screen readers, types at a glance, every slot in the tooltip.
    const loaded = screen.getAllByTestId('printer-loaded')
    expect(loaded.map((c) => c.querySelector('.loaded-text')!.textContent)).toEqual(['PLA', 'PETG'])
    expect(loaded[1]!.getAttribute('title')).toBe('PETG (spool)')
    expect(
      (screen.getByRole('combobox', { name: 'Material for clip.stl' }) as HTMLSelectElement).value
    ).toBe('type:PETG')
  })

  it('several files or copies: Send asks Printago for a dry run first, then sends', async () => {
    const user = userEvent.setup()
    const onPreview = vi.fn(async () => ({
      ok: true as const,
      value: {
        files: [
          { path: '/models/a.stl', label: 'a', jobs: 1, jobLabels: ['a'] },
          { path: '/models/b.stl', label: 'b', jobs: 3, jobLabels: ['b', 'b', 'b'] }
        ],
        jobCount: 4,
        uploaded: 2
      }
    }))
    const b = file('b.stl')
    b.options = { ...b.options, quantity: 3 }
    const { props } = panel({ files: [file('a.stl'), b], onPreview })
    await user.click(sendButton())
    expect(onPreview).toHaveBeenCalledTimes(1)
    expect(props.onSend).not.toHaveBeenCalled()
    const dialog = await screen.findByRole('dialog', { name: 'Check with Printago' })
    expect(within(dialog).getByTestId('dry-run-total').textContent).toBe('This creates 4 jobs.')
    expect(
      within(dialog)
        .getAllByTestId('dry-run-row')
        .map((r) => r.textContent)
    ).toEqual(['a.stla1', 'b.stlb3'])
    const send = within(dialog).getByRole('button', { name: 'Send 4 jobs' })
    expect(document.activeElement).toBe(send)
    await user.click(send)
    expect(props.onSend).toHaveBeenCalledTimes(1)
    expect(screen.queryByRole('dialog')).toBeNull()
  })
})

describe('routing picker', () => {
  it('any printer: the summary counts enabled and ready printers; Send sends {mode: any}', async () => {
    const user = userEvent.setup()
    const { props } = panel()
    expect(screen.getByRole('radio', { name: 'Any printer' })).toHaveProperty('checked', true)
    expect(screen.getByTestId('send-summary').textContent).toBe(
      '1 file, 1 copy, to any printer — 3 enabled, 2 ready'
    )
    await user.click(sendButton())
    expect(props.onSend).toHaveBeenCalledWith({ mode: 'any' }, [
      { key: 'k-gear.stl', printerModels: undefined }
    ])
  })

  it('this printer: asks for a choice, refuses a disabled or too small one, sends printer.id', async () => {
    const user = userEvent.setup()
    const { props, update } = panel({ files: [file('box.stl', [200, 200, 100])] })
    await user.click(screen.getByRole('radio', { name: 'This printer' }))
    expect(problems()).toEqual(['Choose a printer.'])
    // The A1 mini's 180 mm bed is too small: its radio is disabled and says why.
    expect(screen.getByRole('radio', { name: 'Send to A1 mini (model too big)' })).toHaveProperty(
      'disabled',
      true
    )
    await user.click(screen.getByRole('radio', { name: 'Send to Old' }))
    expect(problems()).toEqual([
      'Old is disabled in Printago: it takes no jobs until it is enabled.'
    ])
    await user.click(screen.getByRole('radio', { name: 'Send to P1S #2' }))
    expect(problems()).toEqual([])
    expect(screen.getByTestId('send-summary').textContent).toBe(
      '1 file, 1 copy, to P1S #2 (printing)'
    )
    await user.click(sendButton())
    expect(props.onSend).toHaveBeenCalledWith({ mode: 'printer', printerId: 'id-P1S #2' }, [
      { key: 'k-box.stl', printerModels: undefined }
    ])
    // The printer leaves the fleet: the choice is flagged, not silently sent elsewhere.
    update({ printers: { printers: FLEET.slice(0, 1), fetchedAt: Date.now() } })
    expect(problems()).toEqual(['The chosen printer is no longer in the list.'])
  })

  it('tags: all-of, exact case, a live read-out; "|" tags cannot be chosen', async () => {
    const user = userEvent.setup()
    const { props } = panel()
    await user.click(screen.getByRole('radio', { name: 'Printers with tags' }))
    const picker = screen.getByTestId('tag-picker')
    expect(problems()).toEqual(['Choose at least one tag.'])
    expect(within(picker).getByRole('button', { name: 'PLA|PETG' })).toHaveProperty(
      'disabled',
      true
    )
    expect(screen.getByTestId('tag-pipe-note').textContent).toContain('(PLA|PETG)')

    await user.click(within(picker).getByRole('button', { name: 'PLA' }))
    expect(within(picker).getByRole('button', { name: 'PLA' }).getAttribute('aria-pressed')).toBe(
      'true'
    )
    // The disabled "Old" carries PLA|PETG, not PLA: two enabled printers match.
    expect(screen.getByTestId('tag-match').textContent).toBe(
      '2 match, 2 ready now: P1S #1, A1 mini'
    )
    await user.click(within(picker).getByRole('button', { name: 'RackB' }))
    expect(screen.getByTestId('send-summary').textContent).toBe(
      '1 file, 1 copy, to printers tagged PLA and RackB — 1 match, 1 ready'
    )
    await user.click(sendButton())
    expect(props.onSend).toHaveBeenCalledWith({ mode: 'tags', tags: ['PLA', 'RackB'] }, [
      { key: 'k-gear.stl', printerModels: undefined }
    ])

    await user.click(within(picker).getByRole('button', { name: 'PETG' }))
    expect(screen.getByTestId('tag-match').textContent).toContain(
      'No printer carries all of these tags'
    )
    expect(problems()).toEqual(['No printer carries all of these tags.'])
    expect(sendButton().disabled).toBe(true)
  })

  it('tags: the file is kept off matching printers too small, and blocked when none fits', async () => {
    const user = userEvent.setup()
    const { update } = panel({ files: [file('box.stl', [200, 200, 100])] })
    await user.click(screen.getByRole('radio', { name: 'Printers with tags' }))
    await user.click(screen.getByRole('button', { name: 'PLA' }))
    expect(screen.getByTestId('file-verdict-message').textContent).toBe(
      'Too big for A1 mini: it goes only to P1S printers.'
    )
    expect(problems()).toEqual([])
    await user.click(screen.getByRole('button', { name: 'RackB' }))
    expect(screen.getByTestId('send-blocked').textContent).toContain(
      'Too big for every printer this routing reaches'
    )
    expect(sendButton().disabled).toBe(true)
    update({ files: [file('box.stl')] })
    expect(screen.queryByTestId('send-blocked')).toBeNull()
  })

  it('starts from the saved defaults until the user picks routing', () => {
    const { update } = panel({ defaultRoutingMode: 'tags', defaultTags: ['RackA'] })
    expect(screen.getByRole('radio', { name: 'Printers with tags' })).toHaveProperty(
      'checked',
      true
    )
    expect(screen.getByTestId('tag-match').textContent).toBe('2 match, 1 ready now: P1S #1, P1S #2')
    update({ defaultRoutingMode: 'any', defaultTags: [] })
    expect(screen.getByRole('radio', { name: 'Any printer' })).toHaveProperty('checked', true)
  })
})

describe('printer list', () => {
  it('searches names, models and tags, filters by state, and refreshes on demand', async () => {
    const user = userEvent.setup()
    const { props } = panel()
    const names = () =>
      screen.getAllByTestId('printer-row').map((r) => r.querySelector('.printer-name')!.textContent)
    await user.type(screen.getByRole('searchbox', { name: 'Search printers' }), 'rackb')
    expect(names()).toEqual(['A1 mini'])
    await user.clear(screen.getByRole('searchbox', { name: 'Search printers' }))
    await user.selectOptions(screen.getByRole('combobox', { name: 'Filter by state' }), 'printing')
    expect(names()).toEqual(['P1S #2'])
    await user.click(screen.getByRole('button', { name: 'Refresh printers' }))
    expect(props.onRefreshPrinters).toHaveBeenCalledTimes(1)
  })

  it('says when the list is stale, empty, or every printer is offline', () => {
    const { update } = panel({
      printersError: { code: 'network', message: 'Printago cannot be reached.' }
    })
    expect(screen.getByTestId('printers-error-text').textContent).toMatch(
      /^Printago cannot be reached \(offline\?\)\. Check the connection; the app tries again by itself\. Showing the list from /
    )
    // The technical message stays one click away.
    expect(screen.getByTestId('printers-error').querySelector('details')!.textContent).toContain(
      'code: network'
    )
    update({ printersError: null, printers: { printers: [], fetchedAt: Date.now() } })
    expect(screen.getByText(/This store has no printers yet/)).toBeTruthy()
    update({
      printers: {
        printers: FLEET.map((p) => ({ ...p, state: 'offline' as const })),
        fetchedAt: Date.now()
      }
    })
    expect(screen.getByText(/All printers are offline/)).toBeTruthy()
  })
})

describe('copies and labels', () => {
  it('edits reach the file options; "Apply to all" sets every file', async () => {
    const user = userEvent.setup()
    const { props } = panel({ files: [file('a.stl'), file('b.stl')] })
    expect(sendButton().textContent).toBe('Send 2 files')
    await user.selectOptions(screen.getByLabelText('Priority for b.stl'), 'low')
    expect(props.onOptionsChange).toHaveBeenLastCalledWith('k-b.stl', { priority: 'low' })
    vi.mocked(props.onOptionsChange).mockClear()
    await user.type(screen.getByLabelText('Quantity for all files'), '3')
    await user.selectOptions(screen.getByLabelText('Queue position for all files'), 'front')
    await user.click(screen.getByRole('button', { name: 'Apply to all' }))
    expect(vi.mocked(props.onOptionsChange).mock.calls).toEqual([
      ['k-a.stl', { quantity: 3, position: 'front' }],
      ['k-b.stl', { quantity: 3, position: 'front' }]
    ])
  })
})

describe('a send', () => {
  const running: SendState = {
    ...IDLE_SEND,
    jobId: 'job1',
    running: true,
    keys: ['k-a.stl', 'k-b.stl'],
    progress: {
      0: { jobId: 'job1', index: 0, path: '/models/a.stl', step: 'uploading', fraction: 0.42 },
      1: {
        jobId: 'job1',
        index: 1,
        path: '/models/b.stl',
        step: 'waiting-rate-limit',
        waitSeconds: 2.2
      }
    }
  }

  it('shows each file’s step and lets the user cancel', async () => {
    const user = userEvent.setup()
    const { props } = panel({ files: [file('a.stl'), file('b.stl')], send: running })
    expect(sendButton().textContent).toBe('Sending…')
    expect(sendButton().disabled).toBe(true)
    const rows = screen.getAllByTestId('progress-row')
    expect(rows.map((r) => r.dataset.step)).toEqual(['uploading', 'waiting-rate-limit'])
    expect(rows[0]!.textContent).toBe('a.stlUploading 42%')
    expect(rows[1]!.textContent).toBe("b.stlWaiting 3 s for Printago's rate limit")
    await user.click(screen.getByRole('button', { name: 'Cancel' }))
    expect(props.onCancel).toHaveBeenCalledTimes(1)
  })

  it('a resumed send says so instead of looking like a second one', () => {
    panel({ send: { ...IDLE_SEND, resumed: ['/models/a.stl', 'C:\\m\\b.stl'] } })
    expect(screen.getByTestId('send-resumed').textContent).toBe(
      'Resumed your unfinished send of a.stl, b.stl instead of sending it twice.'
    )
  })

  it('an answer that never came is "not confirmed yet", a notice, not an alarm', () => {
    panel({
      send: {
        ...IDLE_SEND,
        error: { code: 'outcome-unknown', message: 'Printago did not confirm (timeout)' }
      }
    })
    const box = screen.getByTestId('send-error')
    expect(box.getAttribute('role')).toBe('status')
    expect(screen.getByTestId('send-error-text').textContent).toMatch(/^Not confirmed yet: /)
  })

  it('an auth error offers the settings; a network error says what to do', async () => {
    const user = userEvent.setup()
    const { props, update } = panel({
      send: { ...IDLE_SEND, error: { code: 'auth', message: '401' } }
    })
    const box = screen.getByTestId('send-error')
    expect(box.textContent).toContain('Printago refused the API key or store id.')
    await user.click(within(box).getByRole('button', { name: 'Open settings' }))
    expect(props.onOpenSettings).toHaveBeenCalledTimes(1)
    update({ send: { ...IDLE_SEND, error: { code: 'network', message: 'ECONNRESET' } } })
    expect(screen.getByTestId('send-error-text').textContent).toMatch(
      /^Printago cannot be reached \(offline\?\)\. .*only the files not yet queued are sent\.$/
    )
  })
})
