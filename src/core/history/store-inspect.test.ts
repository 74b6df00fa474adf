import { describe, expect, it } from 'vitest'

import { HISTORY_FORMAT, HISTORY_VERSION } from './store-format'
import { inspectHistoryText, salvageEntries, usableEntries } from './store-inspect'
import { numberedEntry, OTHER, STORE } from './store.test-support'

describe('reading a history file', () => {
  it('salvages whole entries from a cut-off file', () => {
    const e1 = numberedEntry(1)
    const e2 = numberedEntry(2)
    const text = JSON.stringify({
      format: HISTORY_FORMAT,
      version: 1,
      storeId: STORE,
      entries: [e1, e2]
    })
    const cut = text.slice(0, text.indexOf(e2.id) + 10)
    expect(salvageEntries(cut, STORE).map((e) => e.id)).toEqual([e1.id])
    expect(salvageEntries(text, STORE).map((e) => e.id)).toEqual([e1.id, e2.id])
    expect(salvageEntries(text, OTHER)).toEqual([])
    expect(inspectHistoryText(cut, STORE)).toMatchObject({ kind: 'damaged' })
  })

  it('says why a file is not a clean history of this store, and what can be kept', () => {
    const e1 = numberedEntry(1)
    const doc = (over: Record<string, unknown>): string =>
      JSON.stringify({ format: HISTORY_FORMAT, version: 1, storeId: STORE, entries: [e1], ...over })
    expect(inspectHistoryText(doc({}), STORE)).toMatchObject({ kind: 'ok', dropped: 0 })
    const partly = inspectHistoryText(doc({ entries: [e1, { id: 'broken' }] }), STORE)
    expect(partly).toMatchObject({ kind: 'ok', dropped: 1 })
    expect(usableEntries(partly).map((e) => e.id)).toEqual([e1.id])
    const newer = inspectHistoryText(doc({ version: HISTORY_VERSION + 1 }), STORE)
    expect(newer).toMatchObject({ kind: 'damaged', reason: expect.stringMatching(/newer version/) })
    expect(usableEntries(newer).map((e) => e.id)).toEqual([e1.id])
    expect(inspectHistoryText(doc({ version: 'one' }), STORE)).toMatchObject({
      reason: 'the file has no valid format version'
    })
    const foreign = inspectHistoryText(doc({ storeId: OTHER }), STORE)
    expect(foreign).toMatchObject({ kind: 'damaged', reason: expect.stringMatching(OTHER) })
    expect(usableEntries(foreign)).toEqual([]) // another store's jobs never mix in
    expect(inspectHistoryText(doc({ format: 'something-else' }), STORE)).toMatchObject({
      reason: 'the file is not a history file'
    })
  })
})
