// Writes the small STL fixtures listed in src/shared/stl/fixtures/catalog.ts next to it.
// `npx tsx scripts/make-fixtures.ts` regenerates; `--check` exits 1 if a committed file differs.

import { readFile, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { FIXTURES } from '../src/shared/stl/fixtures/catalog'

const dir = fileURLToPath(new URL('../src/shared/stl/fixtures/', import.meta.url))

async function main(): Promise<number> {
  const check = process.argv.includes('--check')
  let stale = 0
  for (const f of FIXTURES) {
    const bytes = f.bytes()
    const path = dir + f.file
    if (check) {
      const current = await readFile(path).catch(() => null)
      if (!current || !Buffer.from(bytes).equals(current)) {
        stale++
        console.log(`stale: ${f.file}`)
      }
    } else {
      await writeFile(path, bytes)
      console.log(`wrote ${f.file} (${bytes.length} bytes): ${f.description}`)
    }
  }
  if (check) console.log(stale === 0 ? 'fixtures up to date' : `${stale} stale fixture(s)`)
  return stale === 0 ? 0 : 1
}

process.exitCode = await main()
