// `npm test`: everything CI checks, in order, stopping at the first failing step:
// typecheck, lint, format, unit + integration + sandbox conformance tests (vitest), the build,
// the browser tests (Playwright on the built renderer), a short STL fuzz and a short soak.
// Ends with one line "N passed, M failed, K skipped" counted from the test runners' reports.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'

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
  ['soak', 'npm', ['run', '--silent', 'soak', '--', '--runs', quick ? '20' : '100', '--seed', '1']]
]

mkdirSync('test-results', { recursive: true })
// Counts must come from this run only.
rmSync('test-results/vitest.json', { force: true })
rmSync('test-results/playwright.json', { force: true })
let failedStep = null
for (const [name, cmd, args] of steps) {
  const t0 = Date.now()
  console.log(`\n▶ ${name}: ${cmd} ${args.join(' ')}`)
  const r = spawnSync(cmd, args, { stdio: 'inherit' })
  console.log(
    `◀ ${name}: ${r.status === 0 ? 'ok' : `FAILED (exit ${r.status})`} in ${((Date.now() - t0) / 1000).toFixed(1)} s`
  )
  if (r.status !== 0) {
    failedStep = name
    break
  }
}

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
console.log(failedStep ? `\nnpm test: step "${failedStep}" failed` : '\nnpm test: all steps passed')
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(failedStep ? 1 : 0)
