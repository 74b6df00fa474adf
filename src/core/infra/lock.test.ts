// The store lock with real processes: N starting together, a pid reused by an unrelated process,
// and a `kill -9`'d owner that is still a zombie.
import { existsSync, readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { tempDir } from '../../test-support/temp'
import { killAllGroups, spawnGroup, type GroupChild } from '../../test-support/spawn-group'
import { waitFor } from '../../test-support/send'
import { acquireLock, LockHeldError, ownerAlive, selfOwner } from './lock'

const CHILD = 'src/test-support/lock-child.ts'
let dir: string
let cleanup: () => Promise<void>
beforeEach(async () => {
  ;({ dir, cleanup } = await tempDir('printago-lock-'))
})
afterEach(async () => {
  await killAllGroups()
  await cleanup()
})

function lockChild(lock: string, go = ''): GroupChild {
  return spawnGroup(process.execPath, ['--import', 'tsx', CHILD, lock, go])
}

/** State letter of a process in /proc (Z = zombie), or null when it is gone. */
function procState(pid: number): string | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return text.slice(text.lastIndexOf(')') + 2).split(' ')[0] ?? null
  } catch {
    return null
  }
}

describe('the store lock', () => {
  it('of N processes starting together, exactly one holds it', { timeout: 60_000 }, async () => {
    const lock = join(dir, 'journal.lock')
    const go = join(dir, 'go')
    const kids = Array.from({ length: 6 }, () => lockChild(lock, go))
    await Promise.all(kids.map((k) => k.waitForOutput('ready')))
    await writeFile(go, '')
    await Promise.all(kids.map((k) => k.waitForOutput(/held|busy/)))
    const held = kids.filter((k) => k.stdout.includes('held'))
    expect(held).toHaveLength(1)
    // The others name the holder.
    for (const k of kids.filter((x) => x !== held[0]))
      expect(k.stdout).toContain(`busy ${held[0]!.pid}`)
    // And this process is refused too, with the holder's pid.
    const refused = await acquireLock(lock).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(LockHeldError)
    expect((refused as LockHeldError).owner.pid).toBe(held[0]!.pid)
  })

  it('a lock whose pid now belongs to an unrelated live process does not block', async () => {
    const lock = join(dir, 'journal.lock')
    const unrelated = spawnGroup('sleep', ['30'])
    // Written by a Printago Send process that died; its pid was then given to `sleep`.
    await writeFile(
      lock,
      JSON.stringify({
        pid: unrelated.pid,
        start: 1,
        boot: selfOwner().boot,
        host: selfOwner().host
      })
    )
    expect(ownerAlive({ ...selfOwner(), pid: unrelated.pid, start: 1 })).toBe(false)
    const handle = await acquireLock(lock)
    expect(handle.owner.pid).toBe(process.pid)
    await handle.release()
    // An older version's bare-pid lock naming an unrelated process does not block either.
    await writeFile(lock, String(unrelated.pid))
    const again = await acquireLock(lock)
    await again.release()
    expect(existsSync(lock)).toBe(false)
  })

  it("a kill -9'd owner that is still a zombie does not block", { timeout: 60_000 }, async () => {
    const lock = join(dir, 'journal.lock')
    // The owner's parent never reaps it (it exec'd into sleep), so after kill -9 it stays a zombie.
    const parent = spawnGroup('bash', [
      '-c',
      `"${process.execPath}" --import tsx ${CHILD} "${lock}" "" & echo "child $!"; exec sleep 60`
    ])
    await parent.waitForOutput(/held/)
    const pid = Number(/child (\d+)/.exec(parent.stdout)![1])
    process.kill(pid, 'SIGKILL')
    await waitFor(() => procState(pid) === 'Z', 20_000)
    const handle = await acquireLock(lock)
    expect(handle.owner.pid).toBe(process.pid)
    await handle.release()
  })

  it('a live owner keeps it; a waiting writer gets it once the owner lets go', async () => {
    const lock = join(dir, 'journal.lock')
    const first = await acquireLock(lock)
    await expect(acquireLock(lock)).rejects.toBeInstanceOf(LockHeldError)
    const waiting = acquireLock(lock, { waitMs: 10_000, pollMs: 5 })
    await first.release()
    const second = await waiting
    await second.release()
  })
})
