// The process helper's promise: stopping a script stops everything it started, a script that
// ignores SIGTERM is killed after the grace period, and a run's output is complete.
import { readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'

import { groupAlive, runScript, startScript } from './processes'
import { tempDir } from './temp'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c()
})

async function script(name: string, source: string): Promise<string> {
  const { dir, cleanup } = await tempDir('processes-')
  cleanups.push(cleanup)
  const file = join(dir, name)
  await writeFile(file, source)
  return file
}

/** Alive and not a zombie (an orphan's zombie waits for a reaper; it runs nothing). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2))
  } catch {
    return false
  }
}

describe.runIf(process.platform === 'linux')('test processes', () => {
  it('stop() ends the grandchildren too (a wrapper dying alone would orphan them)', async () => {
    const file = await script(
      'parent.mjs',
      `import { spawn } from 'node:child_process'
const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
console.log('grandchild ' + child.pid)
setInterval(() => {}, 1000)
`
    )
    const p = startScript(file)
    const grandchild = Number((await p.waitForOutput(/grandchild (\d+)/))[1])
    expect(running(grandchild)).toBe(true)
    await p.stop()
    expect(running(grandchild)).toBe(false)
    expect(groupAlive(p.pid)).toBe(false)
  })

  it('a script that ignores SIGTERM is killed after the grace period', async () => {
    const file = await script(
      'stubborn.mjs',
      `process.on('SIGTERM', () => console.log('ignoring SIGTERM'))
console.log('ready')
setInterval(() => {}, 1000)
`
    )
    const p = startScript(file)
    await p.waitForOutput(/ready/)
    // It really ignores SIGTERM (seen, not assumed)…
    process.kill(p.pid, 'SIGTERM')
    await p.waitForOutput(/ignoring SIGTERM/)
    // …so stop() has to escalate.
    expect(await p.stop(300)).toEqual({ code: null, signal: 'SIGKILL' })
  })

  it('runScript returns the exit code and the whole output', async () => {
    const file = await script(
      'talk.mjs',
      `for (let i = 0; i < 2000; i++) console.log('line ' + i)
console.error('done')
process.exitCode = 3
`
    )
    const run = await runScript(file)
    expect(run.code).toBe(3)
    expect(run.stdout.trim().split('\n')).toHaveLength(2000)
    expect(run.stderr).toBe('done\n')
  })

  it('runScript kills a script that does not finish in time', async () => {
    const file = await script('forever.mjs', `setInterval(() => {}, 1000)\n`)
    await expect(runScript(file, [], { timeoutMs: 300 })).rejects.toThrow(/did not finish in time/)
  })
})
