// `npm run bench -- [--json] [--size-mb N]`: every benchmark of the project in one run.
// With --json each result is one JSON line `{metric, value, goal, pass, ...}`; otherwise a table.
// Always exits 0 when the benchmarks ran: the bench reports, the tests assert.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { benchSend } from './send'

interface Result {
  metric: string
  value: number
  goal?: string
  pass?: boolean
  [k: string]: unknown
}

function parse(argv: string[]): { json: boolean; sizeMb: number; runs: number } | string {
  let json = false
  let sizeMb = 1024
  let runs = 3
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    const [flag, inline] = a.includes('=')
      ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
      : [a, undefined]
    const take = (): number => Number(inline ?? argv[++i])
    if (flag === '--json') json = true
    else if (flag === '--size-mb') sizeMb = take()
    else if (flag === '--runs') runs = take()
    else return `unknown option ${a}`
  }
  if (!(sizeMb > 0)) return '--size-mb must be a positive number'
  if (!Number.isInteger(runs) || runs < 1) return '--runs must be a whole number ≥ 1'
  return { json, sizeMb, runs }
}

function table(results: Result[]): string {
  const rows = results.map((r) => {
    const extra = Object.entries(r)
      .filter(([k]) => !['metric', 'value', 'goal', 'pass'].includes(k))
      .map(([k, v]) => `${k}=${typeof v === 'number' ? v : JSON.stringify(v)}`)
      .join(' ')
    return [
      String(r.metric),
      String(r.value),
      String(r.goal ?? ''),
      r.pass === undefined ? '' : r.pass ? 'pass' : 'MISS',
      extra
    ]
  })
  const header = ['METRIC', 'VALUE', 'GOAL', 'RESULT', 'DETAILS']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  return (
    [header, ...rows]
      .map((r) =>
        r
          .map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i]!) : c))
          .join('  ')
          .trimEnd()
      )
      .join('\n') + '\n'
  )
}

async function main(): Promise<number> {
  const opts = parse(process.argv.slice(2))
  if (typeof opts === 'string') {
    process.stderr.write(
      `bench: ${opts}\nUsage: npm run bench -- [--json] [--size-mb N] [--runs N]\n`
    )
    return 2
  }
  const log = (s: string): void => void process.stderr.write(`${s}\n`)
  const results: Result[] = []
  // The STL parse bench belongs to another module and may not exist in every checkout.
  const stlBench = fileURLToPath(new URL('./stl-parse.ts', import.meta.url))
  if (existsSync(stlBench)) {
    try {
      log('STL parse…')
      const mod = (await import('./stl-parse')) as { benchStlParse?: () => Promise<Result[]> }
      if (mod.benchStlParse) results.push(...(await mod.benchStlParse()))
    } catch (error) {
      log(`STL parse bench failed: ${(error as Error).message}`)
    }
  }
  // The 3MF bench (engine vs three.js 3MFLoader, both in Chromium) may not exist in every checkout.
  if (existsSync(fileURLToPath(new URL('./3mf-parse.ts', import.meta.url)))) {
    try {
      log('3MF parse…')
      const mod = (await import('./3mf-parse')) as {
        bench3mfParse?: (log: (s: string) => void) => Promise<Result[]>
      }
      if (mod.bench3mfParse) results.push(...(await mod.bench3mfParse(log)))
    } catch (error) {
      log(`3MF parse bench failed: ${(error as Error).message}`)
    }
  }
  results.push(...(await benchSend({ sizeMb: opts.sizeMb, runs: opts.runs, log })))
  // The UI bench drives the built renderer in Chromium; it needs `npm run build` first.
  if (existsSync(fileURLToPath(new URL('../out/renderer/index.html', import.meta.url)))) {
    try {
      log('UI: 1M-triangle drop in Chromium…')
      // Imported by URL so the Node type-check does not pull in this browser-typed module.
      const uiModule = new URL('./ui-longest-task.ts', import.meta.url).href
      const ui = (await import(uiModule)) as {
        benchUiLongestTask: () => Promise<Result[]>
      }
      results.push(...(await ui.benchUiLongestTask()))
    } catch (error) {
      log(`UI bench failed: ${(error as Error).message}`)
    }
    try {
      log('UI: drop → first frame, ours and Online3DViewer side by side…')
      const { benchUiFirstFrame } = await import('./ui-first-frame')
      results.push(...(await benchUiFirstFrame({ log })))
    } catch (error) {
      log(`UI first-frame bench failed: ${(error as Error).message}`)
    }
  } else log('UI bench skipped: run `npm run build` first (it measures the built renderer).')
  if (opts.json) for (const r of results) process.stdout.write(`${JSON.stringify(r)}\n`)
  else process.stdout.write(table(results))
  return 0
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`)
    process.exit(1)
  }
)
