import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'

import { boxStl } from '../../test-support/stl'
import { tempDir } from '../../test-support/temp'
import { withMillimetreFiles } from './units'

let dir: string
let cleanup: () => Promise<void>
beforeEach(async () => {
  ;({ dir, cleanup } = await tempDir('printago-units-'))
})
afterEach(() => cleanup())

it('items in inches become their millimetre copies; millimetre items stay as they are', async () => {
  const a = join(dir, 'a.stl')
  const b = join(dir, 'b.stl')
  await writeFile(a, boxStl(1, 1, 1))
  await writeFile(b, boxStl(10, 10, 10))
  const out = await withMillimetreFiles(
    {
      routing: { mode: 'any' },
      items: [
        { path: a, quantity: 2, unit: 'inch', meta: { bytes: 684, size: [25.4, 25.4, 25.4] } },
        { path: b, quantity: 1, unit: 'mm' }
      ]
    },
    join(dir, 'store')
  )
  expect(out.items[0]).toEqual({
    path: expect.stringContaining('a (from inches).stl'),
    quantity: 2,
    meta: {
      size: [25.4, 25.4, 25.4],
      original: { path: a, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), unit: 'inch' }
    }
  })
  expect(out.items[1]).toEqual({ path: b, quantity: 1 })
})
