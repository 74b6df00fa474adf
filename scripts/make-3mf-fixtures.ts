// Writes the 3MF fixtures listed in src/test-support/3mf-catalog.ts to src/shared/3mf/fixtures/.
// `npm run fixtures:3mf` regenerates; `-- --check` exits 1 if a committed file differs.

import { FIXTURES } from '../src/test-support/3mf-catalog'
import { writeFixtures } from '../src/test-support/fixture-files'

process.exitCode = await writeFixtures(
  FIXTURES,
  new URL('../src/shared/3mf/fixtures/', import.meta.url),
  { check: process.argv.includes('--check'), upToDate: '3MF fixtures up to date' }
)
