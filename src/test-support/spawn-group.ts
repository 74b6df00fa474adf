// Child processes for tests, each in its own process group (`detached`), so a test can kill one
// with everything it started (`process.kill(-pid)`) and teardown never leaves one running.
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'

export const REPO_ROOT = join(import.meta.dirname, '../..')

export interface GroupChild {
  child: ChildProcess
  readonly pid: number
  /** Everything written to stdout and stderr so far. */
  readonly stdout: string
  readonly stderr: string
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Resolves once stdout contains `text` (or rejects when the process ends first). */
  waitForOutput(text: string | RegExp): Promise<void>
  /** Sends `signal` to the whole group; ignores a group that is gone. */
  kill(signal?: NodeJS.Signals): void
}

const live = new Set<GroupChild>()

/** Spawns `command args` in a new process group with piped output. */
export function spawnGroup(
  command: string,
  args: string[],
  options: { env?: Record<string, string | undefined>; cwd?: string } = {}
): GroupChild {
  const child = spawn(command, args, {
    cwd: options.cwd ?? REPO_ROOT,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true
  })
  let stdout = ''
  let stderr = ''
  const waiters = new Set<() => void>()
  child.stdout!.on('data', (c: Buffer) => {
    stdout += c.toString()
    for (const w of waiters) w()
  })
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()))
  let done = false
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      done = true
      live.delete(handle)
      for (const w of [...waiters]) w()
      resolve({ code, signal })
    })
  )
  const handle: GroupChild = {
    child,
    pid: child.pid!,
    get stdout() {
      return stdout
    },
    get stderr() {
      return stderr
    },
    exited,
    waitForOutput(text) {
      const has = (): boolean =>
        typeof text === 'string' ? stdout.includes(text) : text.test(stdout)
      return new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (has()) {
            waiters.delete(check)
            resolve()
          } else if (done) {
            waiters.delete(check)
            reject(
              new Error(`process ended before printing ${String(text)}:\n${stdout}\n${stderr}`)
            )
          }
        }
        waiters.add(check)
        check()
      })
    },
    kill(signal = 'SIGKILL') {
      try {
        process.kill(-child.pid!, signal)
      } catch {
        // Already gone.
      }
    }
  }
  live.add(handle)
  return handle
}

/** Kills every group this module started that is still running, and waits for them. */
export async function killAllGroups(): Promise<void> {
  const all = [...live]
  for (const g of all) g.kill('SIGKILL')
  await Promise.all(all.map((g) => g.exited))
}
