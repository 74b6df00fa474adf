// collectDropped on hand-made DataTransfer / FileSystemEntry stand-ins that behave like
// Chromium's: readEntries hands out at most 100 children per call, callbacks are asynchronous,
// and the DataTransfer is emptied once the drop event's synchronous part is over.
import { describe, expect, it } from 'vitest'

import { collectDropped } from './files'

interface FakeEntry {
  name: string
  isFile: boolean
  isDirectory: boolean
}

const later = (fn: () => void): void => void setTimeout(fn, 0)

function fileEntry(name: string, opts: { fail?: string } = {}): FakeEntry & { file: unknown } {
  return {
    name,
    isFile: true,
    isDirectory: false,
    file(ok: (f: File) => void, fail: (e: Error) => void) {
      later(() => (opts.fail ? fail(new Error(opts.fail)) : ok(new File([`solid ${name}`], name))))
    }
  }
}

/** A directory whose reader returns its children in batches of `batch` (Chromium: 100). */
function dirEntry(
  name: string,
  children: FakeEntry[],
  batch = 100
): FakeEntry & { createReader: unknown; reads: number } {
  const dir = {
    name,
    isFile: false,
    isDirectory: true,
    reads: 0,
    createReader() {
      let at = 0
      return {
        readEntries(ok: (entries: FakeEntry[]) => void) {
          dir.reads++
          later(() => {
            const out = children.slice(at, at + batch)
            at += out.length
            ok(out)
          })
        }
      }
    }
  }
  return dir
}

interface FakeItem {
  kind: 'file' | 'string'
  type: string
  entry: FakeEntry | null
  file: File | null
}

const fileItem = (entry: FakeEntry | null, file: File | null = null): FakeItem => ({
  kind: 'file',
  type: '',
  entry,
  file
})
const textItem = (type = 'text/uri-list'): FakeItem => ({
  kind: 'string',
  type,
  entry: null,
  file: null
})

/**
 * A DataTransfer as the drop handler sees it. Like the real one it is emptied right after the
 * handler's synchronous part (on the next microtask): reading it after an await gets nothing.
 * `files` is what Chromium puts in `dt.files`, where a dropped folder shows up as a File too.
 */
function dataTransfer(
  items: FakeItem[],
  files: File[],
  opts: { entries?: boolean } = {}
): DataTransfer {
  let live = true
  queueMicrotask(() => (live = false))
  const dtItems = items.map((it) => ({
    kind: it.kind,
    type: it.type,
    getAsFile: () => (live && it.kind === 'file' ? it.file : null),
    ...(opts.entries === false ? {} : { webkitGetAsEntry: () => (live ? it.entry : null) })
  }))
  return {
    get items() {
      return live ? dtItems : []
    },
    get files() {
      return live ? files : []
    }
  } as unknown as DataTransfer
}

const names = (files: File[]): string[] => files.map((f) => f.name)
const fileFor = (name: string): File => new File(['x'], name)

describe('collectDropped', () => {
  it('keeps plain dropped files of any extension, in drop order', async () => {
    const dt = dataTransfer(
      [
        fileItem(fileEntry('a.stl')),
        fileItem(fileEntry('b.STL')),
        fileItem(fileEntry('notes.txt'))
      ],
      [fileFor('a.stl'), fileFor('b.STL'), fileFor('notes.txt')]
    )
    const { files, skipped } = await collectDropped(dt)
    expect(names(files)).toEqual(['a.stl', 'b.STL', 'notes.txt'])
    expect(skipped).toEqual([])
  })

  it('walks a folder with nested folders: .stl and .3mf files kept, the rest listed as skipped', async () => {
    const parts = dirEntry('parts', [
      fileEntry('readme.txt'),
      fileEntry('part-10.stl'),
      fileEntry('bracket.stl'),
      fileEntry('part-2.stl'),
      dirEntry('sub', [
        fileEntry('photo.png'),
        fileEntry('arm.stl'),
        dirEntry('deeper', [fileEntry('Gear.Stl'), fileEntry('model.3mf')]),
        dirEntry('empty', [])
      ])
    ])
    const dt = dataTransfer([fileItem(parts)], [fileFor('parts')])
    const { files, skipped } = await collectDropped(dt)
    // Each folder in name order (numbers by value), its subfolders where they sort.
    expect(names(files)).toEqual([
      'bracket.stl',
      'part-2.stl',
      'part-10.stl',
      'arm.stl',
      'Gear.Stl',
      'model.3mf'
    ])
    expect(skipped).toEqual([
      { name: 'parts/readme.txt', reason: 'not an .stl or .3mf file' },
      { name: 'parts/sub/photo.png', reason: 'not an .stl or .3mf file' }
    ])
  })

  it('takes each file from its own item when a text item comes first (mixed drop)', async () => {
    // Chromium: items = [uri-list, file, folder, file without an entry];
    // dt.files = [part.stl, the folder as a File, loose.stl] (no entry for the text item).
    const folder = dirEntry('kit', [fileEntry('lid.stl'), fileEntry('kit.pdf')])
    const loose = new File(['solid loose'], 'loose.stl')
    const dt = dataTransfer(
      [textItem(), fileItem(fileEntry('part.stl')), fileItem(folder), fileItem(null, loose)],
      [fileFor('part.stl'), fileFor('kit'), loose]
    )
    const { files, skipped } = await collectDropped(dt)
    expect(names(files)).toEqual(['part.stl', 'lid.stl', 'loose.stl'])
    expect(files[2]).toBe(loose)
    expect(skipped).toEqual([{ name: 'kit/kit.pdf', reason: 'not an .stl or .3mf file' }])
  })

  it('reads a folder of more than 100 entries over several readEntries batches', async () => {
    const children = Array.from({ length: 150 }, (_, i) =>
      fileEntry(`part-${String(i).padStart(3, '0')}.${i % 3 === 0 ? 'txt' : 'stl'}`)
    )
    const big = dirEntry('big', children)
    const { files, skipped } = await collectDropped(dataTransfer([fileItem(big)], [fileFor('big')]))
    // Two batches (100 + 50), then the empty one that ends the listing.
    expect(big.reads).toBe(3)
    expect(files).toHaveLength(100)
    expect(skipped).toHaveLength(50)
    expect(names(files)[0]).toBe('part-001.stl')
    expect(names(files).at(-1)).toBe('part-149.stl')
    expect(skipped[0]).toEqual({ name: 'big/part-000.txt', reason: 'not an .stl or .3mf file' })
  })

  it('falls back to dt.files when the entries API is unavailable', async () => {
    const a = fileFor('a.stl')
    const b = fileFor('b.obj')
    const dt = dataTransfer([fileItem(null, a), fileItem(null, b)], [a, b], { entries: false })
    const { files, skipped } = await collectDropped(dt)
    expect(files).toEqual([a, b])
    expect(skipped).toEqual([])
  })

  it('lists a file that cannot be read instead of failing the whole drop', async () => {
    const folder = dirEntry('mixed', [fileEntry('gone.stl', { fail: 'NotFoundError' })])
    const dt = dataTransfer(
      [
        fileItem(fileEntry('ok.stl')),
        fileItem(folder),
        fileItem(fileEntry('locked.stl', { fail: 'denied' }))
      ],
      []
    )
    const { files, skipped } = await collectDropped(dt)
    expect(names(files)).toEqual(['ok.stl'])
    expect(skipped).toEqual([
      { name: 'mixed/gone.stl', reason: 'could not be read: NotFoundError' },
      { name: 'locked.stl', reason: 'could not be read: denied' }
    ])
  })

  it('returns nothing for a drop with only text', async () => {
    const { files, skipped } = await collectDropped(dataTransfer([textItem('text/plain')], []))
    expect([files, skipped]).toEqual([[], []])
  })
})
