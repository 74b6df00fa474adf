// `npm test`: everything CI checks, in order, stopping at the first failing step:
// typecheck, lint, format, unit + integration + sandbox conformance tests (vitest), the build,
// the browser tests (Playwright on the built renderer), short STL and 3MF fuzzes, a short soak of
// every fault class and the soak's mutants (each planted bug must be caught).
// After every step, no process that the step started may still be running (servers, browsers,
// workers): any that are get named, stopped, and fail the run.
// Ends with one line "N passed, M failed, K skipped" counted from the test runners' reports.
import { spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs'
import { dirname, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const quick = process.argv.includes('--quick')
const steps = [
  ['typecheck', 'npm', ['run', '--silent', 'typecheck']],
  ['lint', 'npm', ['run', '--silent', 'lint']],
  ['format', 'npm', ['run', '--silent', 'format:check']],
  [
    'unit',
    'npx',
    [
      'vitest',
      'run',
      '--reporter=default',
      '--reporter=json',
      '--outputFile=test-results/vitest.json'
    ]
  ],
  ['build', 'npm', ['run', '--silent', 'build']],
  ['packaging', 'npm', ['run', '--silent', 'check:packaging']],
  ['security', 'npm', ['run', '--silent', 'security:scan']],
  // Informational: reports a newer Electron patch (use --strict to fail on one).
  ['electron-version (info)', 'npm', ['run', '--silent', 'security:electron-version']],
  ['e2e', 'npm', ['run', '--silent', 'test:e2e']],
  [
    'fuzz',
    'npm',
    ['run', '--silent', 'fuzz:stl', '--', '--cases', quick ? '200' : '1000', '--seed', '1']
  ],
  [
    'fuzz 3mf',
    'npm',
    ['run', '--silent', 'fuzz:3mf', '--', '--cases', quick ? '200' : '1000', '--seed', '1']
  ],
  // Every fault class four times (twice with --quick): 11 classes, so 44 runs.
  ['soak', 'npm', ['run', '--silent', 'soak', '--', '--runs', quick ? '22' : '44', '--seed', '1']],
  // Each planted bug must be caught by a short soak (scripts/soak/mutants.ts).
  ['soak mutants', 'npm', ['run', '--silent', 'soak:mutants']]
]

// --- leftover processes --------------------------------------------------------------------------
// Every process of this run carries RUN_MARK in its environment (inherited); the few started with
// a clean environment (the CLI tests) are found by their working directory in this checkout. Only
// processes started after this script count, so a server someone runs by hand is never touched.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const RUN_MARK = `PRINTAGO_TEST_RUN=${randomUUID()}`
process.env.PRINTAGO_TEST_RUN = RUN_MARK.split('=')[1]

/** /proc/<pid>/stat fields after "(comm)": [state, ppid, pgrp, …]; starttime is index 19. */
function stat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return text.slice(text.lastIndexOf(')') + 2).split(' ')
  } catch {
    return null
  }
}
const read = (fn) => {
  try {
    return fn()
  } catch {
    return ''
  }
}
const startedAt = Number(stat(process.pid)?.[19] ?? 0)
const ancestors = new Set()
for (let pid = process.pid; pid > 1; pid = Number(stat(pid)?.[1] ?? 0)) ancestors.add(pid)

/** Processes of this run still alive (zombies excluded), with their command lines. */
function leftovers() {
  if (process.platform !== 'linux') return []
  const found = []
  for (const name of readdirSync('/proc')) {
    const pid = Number(name)
    if (!Number.isInteger(pid) || ancestors.has(pid)) continue
    const st = stat(pid)
    if (!st || st[0] === 'Z' || st[0] === 'X' || Number(st[19]) < startedAt) continue
    const marked = read(() => readFileSync(`/proc/${pid}/environ`, 'latin1'))
      .split('\0')
      .includes(RUN_MARK)
    const cwd = read(() => readlinkSync(`/proc/${pid}/cwd`))
    if (!marked && cwd !== root && !cwd.startsWith(root + sep)) continue
    const cmd = read(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8'))
      .split('\0')
      .join(' ')
    found.push({ pid, cmd: cmd.trim() || `[${name}]` })
  }
  return found
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
async function waitUntilGone(pids, ms) {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) {
    const alive = new Set(leftovers().map((p) => p.pid))
    if (!pids.some((pid) => alive.has(pid))) return true
  }
  return false
}

/** Names and stops what a step left running; returns how many there were. */
async function reapLeftovers(step) {
  let left = leftovers()
  // A process on its way out (a worker flushing its last output) gets a moment to finish.
  if (
    left.length &&
    (await waitUntilGone(
      left.map((p) => p.pid),
      3_000
    ))
  )
    return 0
  left = leftovers()
  if (!left.length) return 0
  console.log(`\n✗ ${step}: ${left.length} process(es) still running after the step:`)
  for (const p of left) console.log(`    ${p.pid}  ${p.cmd.slice(0, 200)}`)
  const kill = (signal) =>
    left.forEach((p) => {
      try {
        process.kill(p.pid, signal)
      } catch {
        // already gone
      }
    })
  kill('SIGTERM')
  if (
    !(await waitUntilGone(
      left.map((p) => p.pid),
      5_000
    ))
  )
    kill('SIGKILL')
  console.log(`  stopped them`)
  return left.length
}

mkdirSync('test-results', { recursive: true })
// Counts must come from this run only.
rmSync('test-results/vitest.json', { force: true })
rmSync('test-results/playwright.json', { force: true })
let failedStep = null
const leftBehind = []
const runStart = Date.now()
for (const [name, cmd, args] of steps) {
  const t0 = Date.now()
  console.log(`\n▶ ${name}: ${cmd} ${args.join(' ')}`)
  const r = spawnSync(cmd, args, { stdio: 'inherit' })
  console.log(
    `◀ ${name}: ${r.status === 0 ? 'ok' : `FAILED (exit ${r.status ?? r.signal})`} in ${((Date.now() - t0) / 1000).toFixed(1)} s`
  )
  const left = await reapLeftovers(name)
  if (left) leftBehind.push(`${name} (${left})`)
  if (r.status !== 0) {
    failedStep = name
    break
  }
}
// The final check, over the whole run.
const stray = await reapLeftovers('npm test')
if (stray) leftBehind.push(`npm test (${stray})`)
console.log(
  leftBehind.length
    ? `\nleftover processes: FAILED — left running by ${leftBehind.join(', ')}`
    : '\nleftover processes: none (every process this run started has ended)'
)
if (leftBehind.length && !failedStep) failedStep = 'leftover processes'

let passed = 0
let failed = 0
let skipped = 0
if (existsSync('test-results/vitest.json')) {
  const v = JSON.parse(readFileSync('test-results/vitest.json', 'utf8'))
  passed += v.numPassedTests ?? 0
  failed += v.numFailedTests ?? 0
  skipped += (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0)
}
if (existsSync('test-results/playwright.json') && failedStep !== 'unit') {
  const s = JSON.parse(readFileSync('test-results/playwright.json', 'utf8')).stats ?? {}
  passed += s.expected ?? 0
  failed += (s.unexpected ?? 0) + (s.flaky ?? 0)
  skipped += s.skipped ?? 0
}
if (failedStep && failed === 0) failed = 1 // a failing non-test step (typecheck, lint, …) is a failure too
const total = `${((Date.now() - runStart) / 1000).toFixed(1)} s`
console.log(
  failedStep
    ? `\nnpm test: step "${failedStep}" failed (${total})`
    : `\nnpm test: all steps passed in ${total}`
)
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(failedStep ? 1 : 0)
