// @vitest-environment happy-dom
// The mesh report: its room is held (hidden grid) with no file and while a file is read, so the
// viewer keeps its size; then the numbers a user can trust, or why the file cannot be used.

import { cleanup, render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'

import type { MeshReport } from '../../../shared/stl/types'
import type { LoadedFile } from '../lib/files'
import { ReportPanel } from './ReportPanel'

afterEach(cleanup)

const report: MeshReport = {
  format: 'binary',
  triangles: 9120,
  bbox: { min: [0, 0, 0], max: [0.5, 0.4, 0.3] },
  size: [0.5, 0.4, 0.3],
  surfaceArea: 1.5,
  volume: null,
  volumeNote: '568 open edges',
  closed: false,
  openEdges: 568,
  nonManifoldEdges: 0,
  inconsistentEdges: 0,
  degenerate: 2,
  nonFiniteVertices: 0,
  shells: 3,
  inchSuspect: true,
  unitSuspect: null,
  verdict: 'warning',
  notes: ['568 open edges: the mesh has holes.']
}

const file = (over: Partial<LoadedFile>): LoadedFile => ({
  key: 'k',
  name: 'teapot.stl',
  size: 456_084,
  path: '/m/teapot.stl',
  sha256: null,
  status: 'ready',
  report,
  options: { label: 'teapot', quantity: 1, priority: 'normal', position: 'back' },
  ...over
})

/** The hidden grid that holds the report's room. */
const placeholder = (container: HTMLElement): Element | null =>
  container.querySelector('.report-placeholder[aria-hidden="true"] .report-grid')

describe('ReportPanel', () => {
  it('with no file, says what will appear and holds the room of the grid', () => {
    const { container } = render(<ReportPanel file={null} fitText={null} unitScale={1} />)
    expect(screen.getByText('Select a file to see its mesh report.')).toBeTruthy()
    expect(placeholder(container)?.querySelectorAll('dt')).toHaveLength(10)
    expect(screen.queryByTestId('report')).toBeNull()
  })

  it('while reading, names the file, holds the room and has no numbers to test against', () => {
    const { container } = render(
      <ReportPanel
        file={file({ status: 'parsing', report: undefined, sha256: 'a'.repeat(64) })}
        fitText={null}
        unitScale={1}
      />
    )
    expect(container.querySelector('.report.busy')?.getAttribute('aria-busy')).toBe('true')
    expect(screen.getByText('Reading teapot.stl…')).toBeTruthy()
    expect(placeholder(container)).not.toBeNull()
    // The hash alone does not change the pending grid (no repaint until the numbers come).
    expect(container.textContent).not.toContain('SHA-256')
    expect(screen.queryByTestId('report-triangles')).toBeNull()
  })

  it('says why a file cannot be used, with the engine’s code', () => {
    render(
      <ReportPanel
        file={file({
          status: 'error',
          report: undefined,
          error: { code: 'truncated', message: 'The file ends early.' }
        })}
        fitText={null}
        unitScale={1}
      />
    )
    const box = screen.getByTestId('report-error')
    expect(box.getAttribute('role')).toBe('alert')
    expect(box.textContent).toBe('teapot.stl cannot be used. The file ends early. (truncated)')
  })

  it('shows the numbers, the fit, the notes and the hash once known', () => {
    const { container } = render(
      <ReportPanel
        file={file({ sha256: 'ab'.repeat(32) })}
        fitText="fits 8 of 8 printers"
        unitScale={1}
      />
    )
    expect(screen.getByTestId('model-summary').textContent).toBe(
      '0.5 × 0.4 × 0.3 mm, 9,120 triangles, open, fits 8 of 8 printers'
    )
    expect(screen.getByTestId('report-triangles').textContent).toBe('9,120')
    expect(screen.getByTestId('report-volume').textContent).toBe('n/a – 568 open edges')
    expect(screen.getByTestId('unit-hint').textContent).toBe(
      'Tiny: 0.5 × 0.4 × 0.3 mm. Drawn in inches? Then it is 12.7 × 10.2 × 7.62 mm.'
    )
    expect(container.querySelector('dd.mono')?.getAttribute('title')).toBe('ab'.repeat(32))
    expect(container.querySelector('.report-notes')?.textContent).toBe(
      '568 open edges: the mesh has holes.'
    )
    expect(placeholder(container)).toBeNull()
  })

  it('with inches assumed, scales sizes and says so', () => {
    render(<ReportPanel file={file({})} fitText={null} unitScale={25.4} />)
    expect(screen.getByTestId('model-summary').textContent).toMatch(/^12\.7 × 10\.2 × 7\.62 mm/)
    expect(screen.getByTestId('unit-note').textContent).toMatch(
      /^Read in inches \(Settings\): .* Printago gets a copy in millimetres/
    )
    expect(screen.queryByTestId('unit-hint')).toBeNull()
  })

  it('a model drawn in metres is flagged with the fix; the fix sets the file’s unit', async () => {
    const onUnit = vi.fn()
    const metres = {
      ...report,
      size: [0.07, 0.03, 0.03] as [number, number, number],
      inchSuspect: false,
      unitSuspect: 'm' as const,
      volume: 0.000063,
      closed: true
    }
    const { rerender } = render(
      <ReportPanel file={file({ report: metres })} fitText={null} unitScale={1} onUnit={onUnit} />
    )
    expect(screen.getByTestId('unit-hint').textContent).toContain(
      'Tiny: 0.07 × 0.03 × 0.03 mm, too small to print. Drawn in metres? Then it is 70 × 30 × 30 mm.'
    )
    await userEvent.click(screen.getByRole('button', { name: 'Read as metres' }))
    expect(onUnit).toHaveBeenCalledWith('m')
    rerender(
      <ReportPanel
        file={file({ report: metres, options: { ...file({}).options, unit: 'm' } })}
        fitText={null}
        unitScale={1}
        onUnit={onUnit}
      />
    )
    expect(screen.getByTestId('model-summary').textContent).toMatch(/^70 × 30 × 30 mm/)
    expect(screen.getByTestId('report-volume').textContent).toBe('63,000 mm³')
    expect(screen.queryByTestId('unit-hint')).toBeNull()
    await userEvent.selectOptions(screen.getByTestId('unit-select'), '')
    expect(onUnit).toHaveBeenLastCalledWith(undefined)
  })
})
