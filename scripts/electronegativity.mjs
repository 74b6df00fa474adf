// Security gate: runs Doyensec's electronegativity 1.10.3 on src/ (and out/ when built) and fails
// on any HIGH finding, or any MEDIUM finding other than the two manual-review reminders.
//
// It runs standalone through npx (installed next to our TypeScript it breaks, see
// /work/shared/TOOLCHAIN.md §8); the first run downloads it into the npx cache (~30 s).
// We call the package's own run() in a child Node started by npx instead of its CLI with `-o`:
// 1.10.3 writes the CSV header and the rows with two concurrent fs.writeFile calls, so the header
// can overwrite the first row or the rows can be lost (seen on this tree), and in `-o` mode it
// drops parse errors, so a file it cannot parse would pass unscanned. Same checks, no writer.
//
// A finding can be allow-listed in security/electronegativity-allow.json ({ check, file, reason })
// only when the code answers it: a comment naming the check ID on the flagged line or in the
// comment block directly above it. LOW/INFO findings never fail, but are listed until answered.
//
// Run: npm run security:scan [-- --csv report.csv]. Exit 0 clean, 1 findings, 2 scanner failure.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { delimiter, dirname, isAbsolute, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const VERSION = '1.10.3'
const PACKAGE = `@doyensec/electronegativity@${VERSION}`
// MEDIUM findings that only ask for a manual review; both are answered in docs/security.md.
const REVIEW_REMINDERS = new Set(['PRELOAD_JS_CHECK', 'OPEN_EXTERNAL_JS_CHECK'])
const SEVERITY_RANK = { HIGH: 3, MEDIUM: 2, LOW: 1, INFORMATIONAL: 0 }

const here = dirname(fileURLToPath(import.meta.url))
const root = resolve(here, '..')
const self = fileURLToPath(import.meta.url)

if (process.argv[2] === '--inner') await inner(process.argv.slice(3))
else await outer(process.argv.slice(2))

// --- inner: runs inside `npx -p @doyensec/electronegativity`, next to the package ---------------

async function inner([resultFile, electronVersion, ...inputs]) {
  // npx puts the package's .bin on PATH; its target lives in the package's dist/.
  const bin = process.env.PATH.split(delimiter)
    .map((dir) => join(dir, 'electronegativity'))
    .find((file) => existsSync(file))
  if (!bin) throw new Error('electronegativity is not on PATH; run this script without --inner')
  const pkgDir = resolve(dirname(realpathSync(bin)), '..')
  const requireTool = createRequire(join(pkgDir, 'package.json'))
  const { version } = requireTool('./package.json')
  if (version !== VERSION)
    throw new Error(`expected electronegativity ${VERSION}, found ${version}`)
  const runner = requireTool('./dist/runner.js')
  const run = typeof runner === 'function' ? runner : runner.default

  const issues = []
  const errors = []
  for (const input of inputs) {
    const result = await run({ input, electronVersionOverride: electronVersion }, false)
    for (const i of result.issues) {
      issues.push({
        input,
        check: i.id,
        severity: i.severity.name,
        confidence: i.confidence.name,
        file: i.file,
        line: i.location?.line ?? 0,
        column: i.location?.column ?? 0,
        sample: i.sample ?? '',
        description: i.description ?? '',
        manualReview: !!i.manualReview
      })
    }
    for (const e of result.errors) errors.push({ input, ...e })
  }
  writeFileSync(resultFile, JSON.stringify({ version, inputs, issues, errors }, null, 2))
  // The tool leaves sockets and timers behind (translation and release look-ups).
  process.exit(0)
}

// --- outer: what `npm run security:scan` runs ---------------------------------------------------

async function outer(args) {
  const csvAt = args.indexOf('--csv')
  const csvFile = csvAt >= 0 ? resolve(args[csvAt + 1] ?? 'electronegativity.csv') : null

  const inputs = ['src', 'out'].filter((d) => existsSync(join(root, d)))
  if (!inputs.includes('out'))
    console.log(
      'note: out/ not found, scanning src/ only (run `npm run build` to scan the bundle too)'
    )
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  const electronVersion = String(
    pkg.devDependencies?.electron ?? pkg.dependencies?.electron ?? ''
  ).replace(/^[^\d]*/, '')

  const work = mkdtempSync(join(tmpdir(), 'electronegativity-'))
  let report
  try {
    const resultFile = join(work, 'result.json')
    console.log(`running ${PACKAGE} on ${inputs.join(', ')} (first run downloads it, ~30 s)`)
    const npx = spawnSync(
      'npx',
      [
        '--yes',
        `--package=${PACKAGE}`,
        '--',
        'node',
        self,
        '--inner',
        resultFile,
        electronVersion,
        ...inputs.map((d) => join(root, d))
      ],
      // Outside the repo, so npx never mixes the tool with our node_modules.
      {
        cwd: work,
        encoding: 'utf8',
        timeout: 600_000,
        shell: process.platform === 'win32',
        env: { ...process.env, npm_config_update_notifier: 'false' }
      }
    )
    if (npx.status !== 0 || !existsSync(resultFile)) {
      console.error(`electronegativity did not run (exit ${npx.status ?? npx.signal}):`)
      console.error(withoutNoise(`${npx.stdout ?? ''}${npx.stderr ?? ''}${npx.error ?? ''}`))
      process.exit(2)
    }
    report = JSON.parse(readFileSync(resultFile, 'utf8'))
  } finally {
    rmSync(work, { recursive: true, force: true })
  }

  const allowList = loadAllowList()
  const issues = report.issues.map((i) => ({
    ...i,
    file: i.file === 'N/A' ? 'N/A' : toRepoPath(i.file)
  }))
  const fromSource = issues.filter((i) => !i.file.startsWith('out/'))
  const judged = fromSource.map((i) => ({ ...i, ...verdict(i, allowList) }))
  // The bundle carries no comments, so a bundle finding cannot be answered in place. One that is
  // the same code as a source finding (same check, same flagged line) shares its verdict there;
  // anything else the bundler or a vendor brought in is judged on its own.
  for (const issue of issues.filter((i) => i.file.startsWith('out/'))) {
    const twin = judged.find((s) => s.check === issue.check && sameCode(s.sample, issue.sample))
    judged.push(
      twin
        ? { ...issue, status: `see ${twin.file}:${twin.line}`, allowEntry: twin.allowEntry }
        : { ...issue, ...verdict(issue, allowList) }
    )
  }
  const findings = judged.sort(
    (a, b) =>
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
      a.file.localeCompare(b.file) ||
      a.line - b.line
  )

  printTable(findings)
  for (const f of findings.filter((x) => x.note))
    console.log(`  ${f.check} at ${f.file}:${f.line}: ${f.note}`)

  // A source file the scanner could not parse was not scanned: a failure, not a pass. Bundles
  // (minified vendor code with ES2022 syntax the 2021-era walker rejects) are reported only.
  const unparsed = report.errors.filter(
    (e) => !e.tolerable && !toRepoPath(e.file).startsWith('out/')
  )
  for (const e of report.errors) {
    const level = e.tolerable
      ? 'warning'
      : toRepoPath(e.file).startsWith('out/')
        ? 'NOT SCANNED'
        : 'ERROR'
    console.log(`${level}: could not parse ${toRepoPath(e.file)}: ${e.message}`)
  }
  const unused = allowList.filter((a) => !findings.some((f) => f.allowEntry === a))
  for (const a of unused)
    console.log(`note: allow-list entry ${a.check} ${a.file} matches no finding; remove it`)

  if (csvFile) writeCsv(csvFile, findings)

  const blocking = findings.filter((f) => f.status === 'FAIL')
  const open = findings.filter((f) => f.status === 'needs comment')
  console.log(
    `\n${findings.length} finding(s): ${blocking.length} blocking, ${open.length} LOW/INFO without an answer in the code` +
      (unparsed.length ? `, ${unparsed.length} file(s) not parsed` : '')
  )
  process.exit(blocking.length || unparsed.length ? 1 : 0)
}

/** Two flagged lines are the same code modulo the bundler's quotes, semicolons and spacing. */
function sameCode(a, b) {
  const norm = (s) => s.replace(/["'`;\s]/g, '')
  return norm(a) === norm(b)
}

function toRepoPath(file) {
  return (isAbsolute(file) ? relative(root, file) : file).split('\\').join('/')
}

function loadAllowList() {
  const file = join(root, 'security', 'electronegativity-allow.json')
  if (!existsSync(file)) return []
  const list = JSON.parse(readFileSync(file, 'utf8'))
  const entries = Array.isArray(list) ? list : list.allow
  if (!Array.isArray(entries))
    throw new Error(`${file}: expected an array of { check, file, reason }`)
  for (const e of entries) {
    if (
      typeof e?.check !== 'string' ||
      typeof e?.file !== 'string' ||
      typeof e?.reason !== 'string' ||
      !e.reason.trim()
    )
      throw new Error(
        `${file}: every entry needs a check, a file and a reason: ${JSON.stringify(e)}`
      )
  }
  return entries
}

/** Lines that count as "the code's answer": the flagged line and the comment block above it. */
function commentAt(file, line) {
  const path = join(root, file)
  if (file === 'N/A' || !line || !existsSync(path)) return ''
  const lines = readFileSync(path, 'utf8').split('\n')
  const found = [lines[line - 1] ?? '']
  let inHtmlComment = false
  for (let i = line - 2; i >= 0; i--) {
    const text = lines[i].trim()
    if (inHtmlComment) {
      found.push(text)
      if (text.includes('<!--')) inHtmlComment = false
    } else if (text.endsWith('-->')) {
      found.push(text)
      inHtmlComment = !text.includes('<!--')
    } else if (/^(\/\/|\/\*|\*)/.test(text)) found.push(text)
    else break
  }
  return found.join('\n')
}

function verdict(issue, allowList) {
  const answered = commentAt(issue.file, issue.line).includes(issue.check)
  const allowEntry = allowList.find((a) => a.check === issue.check && a.file === issue.file)
  if (issue.severity === 'LOW' || issue.severity === 'INFORMATIONAL') {
    return answered
      ? { status: 'answered', allowEntry }
      : {
          status: 'needs comment',
          allowEntry,
          note: `add a comment naming ${issue.check} here that answers it`
        }
  }
  if (issue.severity === 'MEDIUM' && REVIEW_REMINDERS.has(issue.check))
    return { status: 'allowed (review reminder)', allowEntry }
  if (allowEntry && answered) return { status: 'allowed (allow-list)', allowEntry }
  if (allowEntry)
    return {
      status: 'FAIL',
      allowEntry,
      note: `allow-listed, but no comment naming ${issue.check} at the flagged line or directly above it`
    }
  return { status: 'FAIL' }
}

function printTable(findings) {
  const rows = findings.map((f) => [
    f.check,
    f.severity,
    f.confidence,
    f.file === 'N/A' ? 'N/A' : `${f.file}:${f.line}`,
    f.status
  ])
  const head = ['check', 'severity', 'confidence', 'file:line', 'status']
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ')
  console.log(`\n${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`)
  for (const r of rows) console.log(line(r))
  if (!rows.length) console.log('(no findings)')
}

function writeCsv(file, findings) {
  const cell = (v) => `"${String(v).replaceAll('"', '""')}"`
  const head = [
    'check',
    'severity',
    'confidence',
    'file',
    'line',
    'column',
    'status',
    'sample',
    'description'
  ]
  const body = findings.map((f) =>
    [f.check, f.severity, f.confidence, f.file, f.line, f.column, f.status, f.sample, f.description]
      .map(cell)
      .join(',')
  )
  writeFileSync(file, [head.join(','), ...body].join('\n') + '\n')
  console.log(`wrote ${file}`)
}

/** The tool's offline chatter, which says nothing about our code. */
function withoutNoise(text) {
  return text
    .split('\n')
    .filter(
      (l) =>
        !/Could not retrieve updated translations|fetching Electron's releases|No connectivity/.test(
          l
        )
    )
    .join('\n')
}
