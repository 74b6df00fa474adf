// The oracle on hand-made sandbox states: it counts per intent (never nets a duplicate against a
// loss), ignores look-alikes by construction, tells same-label copies apart by marker, and treats
// an adopted look-alike as lost.
import { describe, expect, it } from 'vitest'

import { markerFor, markLabel } from '../../src/core/send/marker'
import type { PartBuild } from '../../src/shared/printago/api-types'
import { Ledger, type Intent } from './ledger'

const SHA_A = 'a'.repeat(64)
const SHA_B = 'b'.repeat(64)
const parts: Record<string, string> = { pa: SHA_A, pb: SHA_B }

let n = 0
function build(partId: string, label: string, quantity = 1): PartBuild {
  return { id: `b${++n}`, partId, label, quantity } as PartBuild
}
function intent(label: string, sha: string, extra: Partial<Intent> = {}): Intent {
  return { run: 0, cls: 'test', label, sha256: sha, quantity: 1, via: 'test', ...extra }
}
function judge(ledger: Ledger, builds: PartBuild[]) {
  return ledger.judge({ builds, shaOfPart: (id) => parts[id] })
}

describe('the soak oracle', () => {
  it('counts a duplicate of one file and a loss of another separately (no netting)', () => {
    const l = new Ledger()
    l.add(intent('one', SHA_A))
    l.add(intent('two', SHA_B))
    const v = judge(l, [
      build('pa', markLabel('one', markerFor('j1', 0))),
      build('pa', markLabel('one', markerFor('j1', 0)))
    ])
    expect(v).toMatchObject({ duplicates: 1, lost: 1 })
  })

  it('never counts a look-alike as ours, and an adopted one is a lost job', () => {
    const l = new Ledger()
    l.add(intent('one', SHA_A))
    const other = build('pa', 'one')
    l.lookalike(other)
    expect(judge(l, [other])).toMatchObject({ duplicates: 0, lost: 1, adopted: 0 })
    const ours = build('pa', markLabel('one', markerFor('j1', 0)))
    expect(judge(l, [other, ours])).toMatchObject({ duplicates: 0, lost: 0 })
    l.claim(other.id, 'a send result')
    expect(judge(l, [other, ours])).toMatchObject({ lost: 1, adopted: 1 })
  })

  it('tells a Print again of the same file and label apart by its job marker', () => {
    const l = new Ledger()
    l.add(intent('one', SHA_A))
    l.add(intent('one', SHA_A, { marker: markerFor('again', 0) }))
    const first = build('pa', markLabel('one', markerFor('j1', 0)))
    const again = build('pa', markLabel('one', markerFor('again', 0)))
    expect(judge(l, [first, again])).toMatchObject({ duplicates: 0, lost: 0 })
    // Two builds of the first send and none of the Print again: one duplicate and one lost.
    const twice = build('pa', markLabel('one', markerFor('j2', 0)))
    expect(judge(l, [first, twice])).toMatchObject({ duplicates: 1, lost: 1 })
  })

  it('the same label on another file is another intent; builds nobody asked for are duplicates', () => {
    const l = new Ledger()
    l.add(intent('one', SHA_A))
    const v = judge(l, [build('pb', markLabel('one', markerFor('j', 0)))])
    expect(v).toMatchObject({ duplicates: 1, lost: 1 })
  })

  it('counts a build with another quantity', () => {
    const l = new Ledger()
    l.add(intent('one', SHA_A, { quantity: 2 }))
    expect(judge(l, [build('pa', markLabel('one', markerFor('j', 0)), 1)])).toMatchObject({
      wrongQuantity: 1
    })
  })
})
