// Writes the small STL fixtures listed in src/test-support/stl-catalog.ts to src/shared/stl/fixtures/.
// `npx tsx scripts/make-fixtures.ts` regenerates; `--check` exits 1 if a committed file differs.

import { writeFixtures } from '../src/test-support/fixture-files'
import { FIXTURE_DIR, FIXTURES } from '../src/test-support/stl-catalog'

process.exitCode = await writeFixtures(FIXTURES, FIXTURE_DIR, {
  check: process.argv.includes('--check'),
  upToDate: 'fixtures up to date'
})
