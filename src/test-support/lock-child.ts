// A process that takes the store lock for the lock tests: `node --import tsx lock-child.ts <lock>
// <go-file>` prints `ready`, waits for <go-file> to exist (so N of them try at the same instant),
// tries once, prints `held` or `busy <pid>`, and keeps what it got until it is killed.
import { existsSync } from 'node:fs'

import { acquireLock, LockHeldError } from '../core/infra/lock'

const [lockPath, goFile] = process.argv.slice(2) as [string, string]
process.stdout.write('ready\n')
while (goFile && !existsSync(goFile)) await new Promise((r) => setTimeout(r, 1))
try {
  await acquireLock(lockPath)
  process.stdout.write('held\n')
} catch (error) {
  if (!(error instanceof LockHeldError)) throw error
  process.stdout.write(`busy ${error.owner.pid}\n`)
}
setInterval(() => undefined, 1 << 30)
