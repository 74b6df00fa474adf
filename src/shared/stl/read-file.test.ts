// Real files (a Node Blob from disk behaves like a dropped File) are read in
// scripts/make-fixtures.test.ts: shared code may not import Node.
import { describe, expect, it } from 'vitest'
import { binaryStl, tetrahedron, unitCube } from '../../test-support/stl'
import { parseStl } from './parse-stl'
import { readStlBytes, type StlFileLike } from './read-file'

/**
 * A File stand-in that only knows its size and first bytes, and records every read. Reading more
 * than `head` fails the test: that is the allocation a too-large or lying file must not cause.
 */
function fakeFile(size: number, head: Uint8Array = new Uint8Array(0)) {
  const reads: Array<[number, number]> = []
  const file: StlFileLike = {
    size,
    slice(start = 0, end = size) {
      return {
        arrayBuffer: async () => {
          reads.push([start, end])
          if (end > head.length) throw new Error(`read past the head: ${start}..${end}`)
          return head.slice(start, end).buffer
        }
      }
    },
    async arrayBuffer() {
      reads.push([0, size])
      throw new Error(`the whole ${size}-byte file was read`)
    }
  }
  return { file, reads }
}

describe('readStlBytes', () => {
  it('answers too-large for a 2.2 GB file without reading a byte', async () => {
    const { file, reads } = fakeFile(2.2e9)
    const r = await readStlBytes(file)
    expect(r.ok ? 'ok' : r.error.code).toBe('too-large')
    expect(reads).toEqual([])
  })

  it('answers empty for a 0-byte file without reading', async () => {
    const { file, reads } = fakeFile(0)
    const r = await readStlBytes(file)
    expect(r.ok ? 'ok' : r.error.code).toBe('empty')
    expect(reads).toEqual([])
  })

  it('rejects a 20-million-triangle claim in a 50 MB file from its first 84 bytes', async () => {
    const { file, reads } = fakeFile(50_000_000, binaryStl([], { count: 20_000_000 }))
    const r = await readStlBytes(file)
    expect(r.ok ? 'ok' : r.error.code).toBe('truncated')
    expect(reads).toEqual([[0, 84]])
  })

  it('reads a valid file whole, after its head, and the engine parses it', async () => {
    const bytes = binaryStl(unitCube())
    const r = await readStlBytes(new Blob([bytes]))
    if (!r.ok) throw new Error(r.error.message)
    expect(new Uint8Array(r.value)).toEqual(bytes)
    const parsed = parseStl(r.value)
    expect(parsed.ok && parsed.value.triangles).toBe(12)
  })

  it('reads a small file whole (the engine decides)', async () => {
    const bytes = binaryStl(tetrahedron().slice(0, 1), { count: 20_000_000 })
    const r = await readStlBytes(new Blob([bytes]))
    expect(r.ok && r.value.byteLength).toBe(134)
  })

  it('turns a read error into unreadable with the reason', async () => {
    const failing: StlFileLike = {
      size: 10_000,
      slice: () => ({ arrayBuffer: () => Promise.reject(new Error('permission denied')) }),
      arrayBuffer: () => Promise.reject(new Error('permission denied'))
    }
    const r = await readStlBytes(failing)
    expect(r.ok ? 'ok' : r.error).toEqual({
      code: 'unreadable',
      message: 'Could not read this file: permission denied'
    })
  })
})
