// @vitest-environment happy-dom
// 3MF projects in the send view, from the real fixtures through the shared engine: the preview's
// plate buffers and colours, the plate tabs (keyboard), per-plate copies and the project-settings
// choice, and the verdicts that keep sliced G-code on its printer model.
import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { parse3mf } from '../../../shared/3mf'
import projectUrl from '../../../shared/3mf/fixtures/bambu-two-plates.3mf?inline'
import slicedUrl from '../../../shared/3mf/fixtures/bambu-two-plates.gcode.3mf?inline'
import type { LoadedFile } from '../lib/files'
import { projectFitSize, projectView, type ProjectView } from '../lib/project-view'
import { PlateSwitcher } from './PlateSwitcher'
import { ProjectOptions } from './send/ProjectOptions'
import { checkSend } from './send/send-rules'
import { printerSummary } from '../../../test-support/printers'

afterEach(cleanup)

// The committed fixtures (src/shared/3mf/fixtures), inlined by Vite as data URLs.
const fromDataUrl = (url: string): Uint8Array =>
  Uint8Array.from(atob(url.slice(url.indexOf(',') + 1)), (c) => c.charCodeAt(0))
const BYTES: Record<string, string> = {
  'bambu-two-plates.3mf': projectUrl,
  'bambu-two-plates.gcode.3mf': slicedUrl
}
function view(name: string): ProjectView {
  const parsed = parse3mf(fromDataUrl(BYTES[name]!))
  if (!parsed.ok) throw new Error(parsed.error.message)
  return projectView(parsed.value)
}

function projectFile(name: string, over: Partial<LoadedFile['options']> = {}): LoadedFile {
  const project = view(name)
  const plate = project.plates[0]!
  return {
    key: `k-${name}`,
    name,
    size: 4000,
    path: `/models/${name}`,
    sha256: 'b'.repeat(64),
    status: 'ready',
    project,
    plateIndex: 0,
    report: plate.report ?? undefined,
    options: { label: 'x', quantity: 1, priority: 'normal', position: 'back', ...over }
  }
}

const printer = printerSummary
const FLEET = [
  printer('P1S #1', 'P1S'),
  printer('A1 mini #1', 'A1 mini'),
  printer('X1C', 'X1 Carbon')
]

describe('the preview of a project', () => {
  it('one buffer per plate, colour groups per part, sizes from the engine', () => {
    const p = view('bambu-two-plates.3mf')
    expect(p.plates.map((x) => x.positions!.length / 9)).toEqual([24, 24])
    expect(p.plates[0]!.groups).toEqual([{ start: 0, count: 24, color: '#ffffff' }])
    expect(p.plates[1]!.groups).toEqual([
      { start: 0, count: 12, color: '#ffffff' },
      { start: 12, count: 12, color: '#d32f2f' }
    ])
    // Every plate goes to the same printers: the file must fit the largest of each axis.
    expect(projectFitSize(p)).toEqual([76, 20, 20])
    expect(p.plates[0]!.thumbnail).toMatch(/^data:image\/png;base64,/)
  })

  it('a sliced file has plates with the slicer figures and no geometry', () => {
    const p = view('bambu-two-plates.gcode.3mf')
    expect(p.kind).toBe('gcode3mf')
    expect(p.plates.every((x) => x.positions === null && x.sliced !== null)).toBe(true)
    expect(projectFitSize(p)).toBeNull()
  })
})

describe('PlateSwitcher', () => {
  it('tabs follow the arrow keys, Home and End, and wrap around', () => {
    const onShow = vi.fn()
    const project = view('bambu-two-plates.3mf')
    const { rerender } = render(<PlateSwitcher project={project} index={0} onShow={onShow} />)
    const tabs = screen.getAllByRole('tab')
    expect(tabs.map((t) => t.textContent)).toEqual(['1: Cubes', '2: Two-tone'])
    expect(tabs[0]!.getAttribute('aria-selected')).toBe('true')
    expect(tabs[1]!.getAttribute('tabindex')).toBe('-1')
    fireEvent.keyDown(tabs[0]!, { key: 'ArrowRight' })
    expect(onShow).toHaveBeenLastCalledWith(1)
    fireEvent.keyDown(tabs[0]!, { key: 'ArrowLeft' })
    expect(onShow).toHaveBeenLastCalledWith(1)
    fireEvent.keyDown(tabs[0]!, { key: 'End' })
    expect(onShow).toHaveBeenLastCalledWith(1)
    rerender(<PlateSwitcher project={project} index={1} onShow={onShow} />)
    fireEvent.keyDown(screen.getAllByRole('tab')[1]!, { key: 'Home' })
    expect(onShow).toHaveBeenLastCalledWith(0)
    expect(screen.getByRole('tabpanel').textContent).toContain('Two-tone')
  })

  it("a sliced plate shows the slicer's picture, model, nozzle, time and filament", () => {
    render(
      <PlateSwitcher project={view('bambu-two-plates.gcode.3mf')} index={0} onShow={() => {}} />
    )
    expect(screen.getByTestId('plate-sliced').textContent).toContain(
      'Sliced for Bambu Lab P1S, 0.4 mm nozzle · 1 h 2 min print · 24.6 g filament'
    )
    expect(screen.getByTestId('plate-thumbnail').getAttribute('src')).toMatch(/^data:image\/png/)
  })
})

describe('ProjectOptions', () => {
  it('per-plate copies keep every plate in the map and count the jobs', async () => {
    const onChange = vi.fn()
    const f = projectFile('bambu-two-plates.3mf', { quantity: 2 })
    const { rerender } = render(<ProjectOptions file={f} onChange={onChange} />)
    expect(screen.getByTestId('plate-jobs').textContent).toContain(
      '4 print jobs (2 copies of the project)'
    )
    fireEvent.change(screen.getByTestId('plate-qty-2'), { target: { value: '3' } })
    expect(onChange).toHaveBeenLastCalledWith({ plateQuantities: { '1': 1, '2': 3 } })
    rerender(
      <ProjectOptions
        file={{ ...f, options: { ...f.options, plateQuantities: { '1': 1, '2': 3 } } }}
        onChange={onChange}
      />
    )
    expect(screen.getByTestId('plate-jobs').textContent).toContain('8 print jobs')
    await userEvent.click(screen.getByTestId('use-3mf-profile'))
    expect(onChange).toHaveBeenLastCalledWith({ use3MFProcessProfile: true })
  })

  it('a sliced file has no process settings to choose', () => {
    render(<ProjectOptions file={projectFile('bambu-two-plates.gcode.3mf')} onChange={() => {}} />)
    expect(screen.queryByTestId('use-3mf-profile')).toBeNull()
    expect(screen.getAllByRole('spinbutton')).toHaveLength(2)
  })
})

describe('send rules for projects', () => {
  const input = (files: LoadedFile[], over: Partial<Parameters<typeof checkSend>[0]> = {}) => ({
    files,
    unitScale: 1,
    printers: FLEET,
    mode: 'any' as const,
    printerId: null,
    tags: [],
    ...over
  })

  it('sliced G-code: only printers of its model, the others named as excluded', () => {
    const f = projectFile('bambu-two-plates.gcode.3mf')
    const check = checkSend(input([f]))
    const v = check.verdicts.get(f.key)!
    expect(v.tone).toBe('warn')
    expect(v.fitText).toBe('1 of 3 printers is its model')
    expect(v.message).toBe(
      'Sliced for a Bambu Lab P1S with a 0.4 mm nozzle: only those printers take it. A1 mini #1 and X1C are excluded: other models.'
    )
    expect(check.fits.get('id-A1 mini #1')).toBe('other-model')
    expect(check.fits.get('id-P1S #1')).toBe('fits')
    expect(check.problems).toEqual([])
  })

  it('sliced G-code sent to one printer of another model is blocked', () => {
    const f = projectFile('bambu-two-plates.gcode.3mf')
    const check = checkSend(input([f], { mode: 'printer', printerId: 'id-A1 mini #1' }))
    expect(check.blocked[0]?.reason).toBe(
      'Sliced for a Bambu Lab P1S with a 0.4 mm nozzle: A1 mini #1 is another model. G-code made for one model must never run on another.'
    )
  })

  it('a project counts plate jobs and refuses per-plate copies that print nothing', () => {
    const f = projectFile('bambu-two-plates.3mf', {
      quantity: 2,
      plateQuantities: { '1': 2, '2': 1 }
    })
    const check = checkSend(input([f]))
    expect(check.copies).toBe(6)
    expect(check.summary).toMatch(/^1 file, 6 print jobs, to any printer/)
    const none = projectFile('bambu-two-plates.3mf', { plateQuantities: { '1': 0, '2': 0 } })
    expect(checkSend(input([none])).problems).toEqual([
      'bambu-two-plates.3mf: At least one plate needs a quantity above 0.'
    ])
  })
})
