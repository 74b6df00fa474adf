// Writes, or checks, fixture files that are committed next to an engine and built from a catalog
// (scripts/make-fixtures.ts for STL, scripts/make-3mf-fixtures.ts for 3MF).

import { readFile, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

export interface FixtureFile {
  file: string
  description: string
  bytes(): Uint8Array
}

/**
 * Writes each fixture into `dir`, or with `check` only compares: the exit code is 1 when a
 * committed file is missing or differs from what its builder makes now.
 */
export async function writeFixtures(
  fixtures: readonly FixtureFile[],
  dir: URL,
  opts: { check: boolean; upToDate: string }
): Promise<number> {
  const root = fileURLToPath(dir)
  let stale = 0
  for (const f of fixtures) {
    const bytes = f.bytes()
    const path = root + f.file
    if (opts.check) {
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
  if (opts.check) console.log(stale === 0 ? opts.upToDate : `${stale} stale fixture(s)`)
  return stale === 0 ? 0 : 1
}
