// Writes the 3MF fixtures listed in src/test-support/3mf-catalog.ts to src/shared/3mf/fixtures/.
// `npm run fixtures:3mf` regenerates; `-- --check` exits 1 if a committed file differs.

import { readFile, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { FIXTURES } from '../src/test-support/3mf-catalog'

const dir = fileURLToPath(new URL('../src/shared/3mf/fixtures/', import.meta.url))

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
  if (check) console.log(stale === 0 ? '3MF fixtures up to date' : `${stale} stale fixture(s)`)
  return stale === 0 ? 0 : 1
}

process.exitCode = await main()
