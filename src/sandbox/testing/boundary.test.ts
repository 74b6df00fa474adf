// The product emulator cannot import its test surfaces: the ESLint rule that holds it, checked on
// sample sources with ESLint's API and the repo's own config.
import { join } from 'node:path'
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

import { REPO_ROOT } from '../../test-support/processes'

async function restrictedImports(file: string, source: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: REPO_ROOT })
  const [result] = await eslint.lintText(source, { filePath: join(REPO_ROOT, file) })
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message)
}

describe('lint: the product sandbox never imports sandbox/testing', () => {
  it.each([
    ['src/sandbox/server.ts', "import { handleAdmin } from './testing/admin'"],
    ['src/sandbox/index.ts', "import { FaultSet } from './testing/faults'"],
    ['src/sandbox/index.ts', "export { startTestSandbox } from './testing'"],
    ['src/sandbox/store.ts', "import type { FaultRule } from './testing/index'"]
  ])('%s: %s is refused', async (file, source) => {
    expect(await restrictedImports(file, source)).toEqual([
      expect.stringContaining('never imports sandbox/testing')
    ])
  })

  it.each([
    ['src/sandbox/testing/index.ts', "import { startSandbox } from '../index'"],
    ['src/sandbox/cli.ts', "import { startTestSandbox } from './testing'"],
    ['src/sandbox/faults.test.ts', "import { startTestSandbox } from './testing'"],
    ['src/sandbox/server.ts', "import { readBody } from './http'"]
  ])('%s: %s is allowed', async (file, source) => {
    expect(await restrictedImports(file, source)).toEqual([])
  })
})
