// The CLI runs in plain Node: neither it nor the services it loads may import Electron. The lint
// rule enforcing that is checked here on sample sources (ESLint's API, the repo's own config).
import { join } from 'node:path'
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '../..')

async function restrictedImports(file: string, source: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT })
  const [result] = await eslint.lintText(source, { filePath: join(ROOT, file) })
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message)
}

describe('lint: no Electron outside src/main (the adapter) and the preload', () => {
  it.each([
    ["import { app } from 'electron'", 'electron'],
    ["import { app } from 'electron/main'", 'electron/main'],
    ["import { clipboard } from 'electron/common'", 'electron/common'],
    ["export { ipcMain } from 'electron/main'", 're-export']
  ])('main-process code may not %s', async (line) => {
    for (const file of ['src/cli/commands/send.ts', 'src/core/send/service.ts']) {
      const messages = await restrictedImports(file, `${line}\nexport const x = 1\n`)
      expect(messages, file).toHaveLength(1)
      expect(messages[0]).toContain('Only src/main')
    }
  })

  it('src/main/index.ts stays exempt', async () => {
    expect(
      await restrictedImports(
        'src/main/index.ts',
        "import { app } from 'electron/main'\napp.quit()\n"
      )
    ).toEqual([])
  })
})
