// @vitest-environment happy-dom
// The dropped-file list with a stand-in parser and window.api: the triangles reach the preview
// before the report; the selected file's report waits for its first frame; duplicates, unreadable
// files and files with no place on disk say so.
import { act, cleanup, renderHook, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import type { MeshReport } from '../../../shared/stl/types'
import { forgetDrawn, markDrawn, setPreviewAvailable } from '../lib/first-frame'
import type { ParseOptions } from '../lib/parse-client'
import type { ParseResult } from '../lib/parse-protocol'
import { useDroppedFiles } from './useDroppedFiles'

interface Pending {
  file: File
  options: ParseOptions
  resolve: (r: ParseResult) => void
}
const parses: Pending[] = []

vi.mock('../lib/parse-client', () => ({
  warmParser: vi.fn(),
  parseInWorker: (file: File, options: ParseOptions) =>
    new Promise<ParseResult>((resolve) => parses.push({ file, options, resolve }))
}))

const bbox = {
  min: [0, 0, 0] as [number, number, number],
  max: [1, 2, 3] as [number, number, number]
}
const report = {
  triangles: 1,
  bbox,
  size: [1, 2, 3],
  verdict: 'ok',
  notes: []
} as unknown as MeshReport
const done = (p: Pending): void =>
  p.resolve({ id: 1, type: 'done', ok: true, report, thumbnail: null, parseMs: 1 })
const mesh = (p: Pending): void =>
  p.options.onMesh?.({ positions: new Float32Array(9), bbox, triangles: 1 })

let hashes: Record<string, string>
beforeEach(() => {
  parses.length = 0
  hashes = {}
  setPreviewAvailable(true)
  window.api = {
    files: {
      pathFor: async (f: File) => (f.name.startsWith('nowhere') ? '' : `/m/${f.name}`),
      hash: async ({ path }: { path: string }) => ({
        ok: true,
        value: { path, sha256: hashes[path] ?? path }
      })
    }
  } as unknown as Window['api']
})
afterEach(cleanup)

function setup() {
  const onDrop = vi.fn()
  const hook = renderHook(() => useDroppedFiles({ defaultQuantity: 2, onDrop }))
  const add = (...names: string[]) =>
    act(() => hook.result.current.addFiles(names.map((n) => new File(['x'], n))))
  return { hook, add, onDrop, files: () => hook.result.current.files }
}

describe('useDroppedFiles', () => {
  it('the selected file: triangles first, then the report once its first frame is drawn', async () => {
    const { hook, add, files } = setup()
    add('gear.stl')
    expect(files()[0]).toMatchObject({ name: 'gear.stl', status: 'parsing' })
    expect(files()[0]!.options).toEqual({
      label: 'gear',
      quantity: 2,
      priority: 'normal',
      position: 'back'
    })
    const key = files()[0]!.key
    expect(hook.result.current.selectedKey).toBe(key)
    act(() => mesh(parses[0]!))
    expect(files()[0]).toMatchObject({ status: 'parsing', bbox })
    expect(files()[0]!.positions).toHaveLength(9)
    await act(async () => done(parses[0]!))
    await waitFor(() => expect(files()[0]!.sha256).toBe('/m/gear.stl'))
    // Parsed and hashed, but not drawn yet: the report waits.
    expect(files()[0]!.status).toBe('parsing')
    act(() => markDrawn(key))
    await waitFor(() => expect(files()[0]!.status).toBe('ready'))
    expect(files()[0]).toMatchObject({ report, path: '/m/gear.stl' })
    forgetDrawn(key)
  })

  it('a file that is not shown does not wait for a frame', async () => {
    const { add, files } = setup()
    add('a.stl', 'b.stl')
    await act(async () => done(parses[1]!))
    await waitFor(() => expect(files()[1]!.status).toBe('ready'))
    expect(files()[0]!.status).toBe('parsing')
  })

  it('nothing waits while the preview cannot draw', async () => {
    setPreviewAvailable(false)
    const { add, files } = setup()
    add('a.stl')
    await act(async () => done(parses[0]!))
    await waitFor(() => expect(files()[0]!.status).toBe('ready'))
  })

  it('the same content twice is flagged, not added', async () => {
    hashes = { '/m/a.stl': 'same', '/m/copy.stl': 'same' }
    setPreviewAvailable(false)
    const { hook, add, files } = setup()
    add('a.stl')
    await act(async () => done(parses[0]!))
    await waitFor(() => expect(files()[0]!.status).toBe('ready'))
    add('copy.stl')
    await act(async () => done(parses[1]!))
    await waitFor(() => expect(files()).toHaveLength(1))
    expect(hook.result.current.notices[0]).toBe(
      'copy.stl is already in the list (same file as a.stl); not added twice.'
    )
  })

  it('a parse error or a file with no place on disk is an error, without a preview', async () => {
    const { add, files } = setup()
    add('bad.stl', 'nowhere.stl')
    act(() => mesh(parses[0]!))
    await act(async () =>
      parses[0]!.resolve({
        id: 1,
        type: 'done',
        ok: false,
        error: { code: 'truncated', message: 'The file ends early.' }
      })
    )
    await waitFor(() => expect(files()[0]!.status).toBe('error'))
    expect(files()[0]!.positions).toBeUndefined()
    expect(files()[0]!.error?.code).toBe('truncated')
    await act(async () => done(parses[1]!))
    await waitFor(() => expect(files()[1]!.status).toBe('error'))
    expect(files()[1]!.error?.message).toMatch(/no location on disk/)
  })

  it('removing the selected file selects its neighbour; sent marks come and go', async () => {
    const { hook, add, files } = setup()
    add('a.stl', 'b.stl', 'c.stl')
    const [a, b, c] = files().map((f) => f.key)
    act(() => hook.result.current.select(b!))
    act(() => hook.result.current.removeFile(b!))
    expect(hook.result.current.selectedKey).toBe(c)
    act(() => hook.result.current.removeFile(c!))
    expect(hook.result.current.selectedKey).toBe(a)
    act(() => hook.result.current.setOptions(a!, { quantity: 5 }))
    expect(files()[0]!.options.quantity).toBe(5)
  })

  it('a finished send marks its files sent; another store clears the marks', async () => {
    setPreviewAvailable(false)
    const { hook, add, files } = setup()
    add('a.stl', 'b.stl')
    await act(async () => parses.forEach(done))
    await waitFor(() => expect(files().every((f) => f.status === 'ready')).toBe(true))
    const keys = files().map((f) => f.key)
    act(() =>
      hook.result.current.markSent(
        keys,
        [{ file: '/m/b.stl', partBuildId: 'pb', reusedPart: true }],
        7
      )
    )
    expect(files().map((f) => f.sent ?? null)).toEqual([
      null,
      { partBuildId: 'pb', at: 7, reusedPart: true }
    ])
    act(() => hook.result.current.clearSent())
    expect(files().every((f) => f.sent === undefined)).toBe(true)
  })

  it('a drop on the window is taken (and never navigates); the send view is shown', async () => {
    const { hook, onDrop } = setup()
    const dt = new DataTransfer()
    dt.items.add(new File(['x'], 'gear.stl'))
    const drop = new Event('drop', { cancelable: true }) as DragEvent
    Object.defineProperty(drop, 'dataTransfer', { value: dt })
    act(() => void window.dispatchEvent(drop))
    expect(drop.defaultPrevented).toBe(true)
    expect(onDrop).toHaveBeenCalledTimes(1)
    await waitFor(() => expect(hook.result.current.files).toHaveLength(1))
  })
})
