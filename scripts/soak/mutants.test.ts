// The planted bugs stay armed: each one's text is in today's source exactly once, and planting a
// text that is missing or ambiguous fails loudly instead of running a soak against a clean copy.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

import { REPO_ROOT } from '../../src/test-support/processes'
import { CLASSES } from './classes'
import { MUTANTS, plantIn, type Mutant } from './mutants'

const m: Mutant = {
  name: 'm',
  breaks: '',
  file: 'f.ts',
  find: 'a = 1',
  replace: 'a = 2',
  soak: { classes: [], runs: 1, seed: 1 }
}

describe('mutants', () => {
  it.each(MUTANTS.map((x) => [x.name, x] as const))('%s is armed against the source', (_, x) => {
    const text = readFileSync(join(REPO_ROOT, x.file), 'utf8')
    const planted = plantIn(text, x)
    expect(planted).not.toBe(text)
    expect(planted).toContain(x.replace)
    for (const c of x.soak.classes) expect(CLASSES.map((k) => k.name)).toContain(c)
  })

  it('refuses text that is missing or occurs twice', () => {
    expect(plantIn('let a = 1', m)).toBe('let a = 2')
    expect(() => plantIn('let b = 1', m)).toThrow(/occurs 0 times in f\.ts/)
    expect(() => plantIn('a = 1; a = 1', m)).toThrow(/occurs 2 times/)
  })

  it('there are at least eight, each with a soak to catch it', () => {
    expect(MUTANTS.length).toBeGreaterThanOrEqual(8)
    for (const x of MUTANTS) expect(x.soak.classes.length).toBeGreaterThan(0)
  })
})
