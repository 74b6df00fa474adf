// Child processes of tests, benches and the soak: each runs `node --import tsx <script>` directly
// (no npx/tsx wrapper whose death would orphan the real process) in its own process group, so
// stopping it stops everything it started (esbuild services, servers). A stop waits until the
// whole group is gone and escalates to SIGKILL after a bounded wait.
import { spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

import { waitFor } from './wait'

/** The checkout: scripts are resolved against it and `--import tsx` finds tsx from here. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface ScriptOptions {
  /** Default: the repo root. */
  cwd?: string
  /** Default: this process's environment. */
  env?: NodeJS.ProcessEnv
}

/** A running script; `stop()` (or the exit of this process) ends it and its children. */
export interface TestProcess {
  readonly pid: number
  readonly child: ChildProcess
  /** stdout and stderr so far, interleaved. */
  output(): string
  stdout(): string
  stderr(): string
  /** The first match of `pattern` in the output; rejects if the process exits or `timeoutMs` passes first. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>
  /** Settles when the process has exited and its output is read to the end. */
  readonly exited: Promise<Exit>
  /** SIGTERM to the group, wait until the group is gone; SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<Exit>
}

// Groups still running, killed when this process exits without having stopped them.
const live = new Set<number>()
let exitHookInstalled = false

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.on('exit', () => {
    for (const pgid of live) signalGroup(pgid, 'SIGKILL')
  })
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal)
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** True while any process of the group is alive (zombies waiting for a reaper do not count). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0)
  } catch {
    return false
  }
  if (process.platform !== 'linux') return true
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    let stat: string
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8')
    } catch {
      continue // ended while we looked
    }
    // "pid (comm) state ppid pgrp …"; comm may hold spaces and parentheses.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (pgrp === String(pgid) && state !== 'Z' && state !== 'X') return true
  }
  return false
}

/** Starts `node --import tsx <script> …args` in its own process group. */
export function startScript(
  script: string,
  args: string[] = [],
  options: ScriptOptions = {}
): TestProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: one kill(-pid) reaches the grandchildren too.
    detached: true
  })
  if (child.pid === undefined) throw new Error(`could not start ${script}`)
  const pid = child.pid
  installExitHook()
  live.add(pid)

  let out = ''
  let stdout = ''
  let stderr = ''
  // Set on 'close': the process has exited and its stdout/stderr are read to the end.
  let exit: Exit | null = null
  const listeners = new Set<() => void>()
  const changed = (): void => listeners.forEach((l) => l())
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString()
    out += d.toString()
    changed()
  })
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString()
    out += d.toString()
    changed()
  })
  const exited = new Promise<Exit>((resolve) => {
    child.once('close', (code, signal) => {
      exit = { code, signal }
      resolve(exit)
      changed()
    })
    child.once('error', (e) => {
      out += `\n[spawn error] ${e.message}`
      exit ??= { code: null, signal: null }
      resolve(exit)
      changed()
    })
  })

  let stopping: Promise<Exit> | undefined
  const stop = (graceMs = 5_000): Promise<Exit> =>
    (stopping ??= (async () => {
      signalGroup(pid, 'SIGTERM')
      const gone = (): boolean => exit !== null && !groupAlive(pid)
      try {
        await waitFor(gone, graceMs, `${script} to stop`)
      } catch {
        signalGroup(pid, 'SIGKILL')
        await waitFor(gone, 5_000, `${script} to die after SIGKILL`)
      }
      live.delete(pid)
      return exited
    })())

  return {
    pid,
    child,
    output: () => out,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    stop,
    waitForOutput(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const m = pattern.exec(out)
          if (m) done(() => resolve(m))
          else if (exit)
            done(() =>
              reject(
                new Error(
                  `${script} exited (${exit!.code ?? exit!.signal}) before ${pattern}:\n${out}`
                )
              )
            )
        }
        const timer = setTimeout(
          () =>
            done(() =>
              reject(new Error(`${script}: no ${pattern} within ${timeoutMs} ms:\n${out}`))
            ),
          timeoutMs
        )
        const done = (settle: () => void): void => {
          clearTimeout(timer)
          listeners.delete(check)
          settle()
        }
        listeners.add(check)
        check()
      })
    }
  }
}

export interface ScriptRun extends Exit {
  stdout: string
  stderr: string
}

/** Runs a script to its end (killed with its group after `timeoutMs`); the group is gone on return. */
export async function runScript(
  script: string,
  args: string[] = [],
  options: ScriptOptions & { timeoutMs?: number } = {}
): Promise<ScriptRun> {
  const p = startScript(script, args, options)
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), options.timeoutMs ?? 60_000)
  })
  const first = await Promise.race([p.exited, timedOut])
  clearTimeout(timer)
  // Also ends whatever the script left behind in its group.
  const exit = await p.stop()
  if (first === 'timeout')
    throw new Error(`${script} ${args.join(' ')} did not finish in time:\n${p.output()}`)
  return { ...exit, stdout: p.stdout(), stderr: p.stderr() }
}
