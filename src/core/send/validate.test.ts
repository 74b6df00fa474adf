import { describe, expect, it } from 'vitest'
import { MAX_FILES_PER_SEND } from '../../shared/send'
import { uploadFilename, validateSendRequest } from './validate'

describe('validateSendRequest', () => {
  const item = { path: '/x.stl', quantity: 1 }
  it('accepts a plain request and names the first problem of a bad one', () => {
    expect(validateSendRequest({ items: [item], routing: { mode: 'any' } })).toBeNull()
    expect(validateSendRequest({ items: [], routing: { mode: 'any' } })).toBe('nothing to send')
    expect(
      validateSendRequest({
        items: Array.from({ length: MAX_FILES_PER_SEND + 1 }, () => item),
        routing: { mode: 'any' }
      })
    ).toContain(`at most ${MAX_FILES_PER_SEND}`)
    expect(
      validateSendRequest({ items: [{ path: '/x', quantity: 501 }], routing: { mode: 'any' } })
    ).toContain('1 to 500')
    expect(
      validateSendRequest({ items: [{ ...item, label: '' }], routing: { mode: 'any' } })
    ).toContain('/x.stl:')
    expect(
      validateSendRequest({ items: [item], routing: { mode: 'printer', printerId: '' } })
    ).toBe('no printer chosen')
    expect(validateSendRequest({ items: [item], routing: { mode: 'tags', tags: [] } })).toBe(
      'no tags chosen'
    )
    expect(
      validateSendRequest({ items: [item], routing: { mode: 'tags', tags: ['a|b'] } })
    ).toContain("'|'")
    const any = { mode: 'any' } as const
    expect(
      validateSendRequest({ items: [{ ...item, printerModels: ['P1S', 'A|B'] }], routing: any })
    ).toContain("'|'")
    expect(
      validateSendRequest({
        items: [{ ...item, material: { kind: 'type', type: 'PLA|PETG' } }],
        routing: any
      })
    ).toContain('material type')
    expect(
      validateSendRequest({
        items: [{ ...item, printerModels: ['P1S'], material: { kind: 'type', type: 'PLA' } }],
        routing: any
      })
    ).toBeNull()
  })
})

describe('uploadFilename', () => {
  it('keeps names ≤ 64 characters with their extension and strips control characters', () => {
    expect(uploadFilename('/a/b/benchy.stl')).toBe('benchy.stl')
    expect(uploadFilename('C:\\models\\cube.STL')).toBe('cube.STL')
    const long = uploadFilename(`/x/${'n'.repeat(100)}.stl`)
    expect(long).toHaveLength(64)
    expect(long.endsWith('.stl')).toBe(true)
    expect(uploadFilename('/x/a\u0001b.stl')).toBe('a_b.stl')
  })
})
