// 3MF parse benchmark: our engine against three.js's 3MFLoader on the same bytes, in one run.
// `bench3mfParse()` is called by bench/index.ts; `npx tsx bench/3mf-parse.ts` prints JSON lines.
//
// Where: both parsers run in the same Chromium page (Playwright), because 3MFLoader needs a DOM:
// it calls `querySelector`/`querySelectorAll` on what DOMParser returns, which @xmldom/xmldom does
// not implement, and a Node DOM shim would make the anchor slower than it is where three.js runs
// (the browser), flattering us. Chromium's native DOMParser is the fair anchor.
//
// Input (generated, never committed): one core-spec 3MF of 8 sphere objects, ~1M triangles,
// ~67 MB of model XML, ~9 MB zipped. The engine side is "renderer-ready geometry" (ZIP → XML →
// per-part positions in mm), the same work 3MFLoader does (ZIP → DOM → BufferGeometry); the full
// parse with mesh reports is timed separately.
//
// Memory: each parser runs once in a fresh renderer process; the metric is that process's peak
// resident memory (Linux VmHWM, reset through /proc/<pid>/clear_refs) above its resident memory
// with the input loaded: everything the parse touched, JS heap, DOM and typed arrays alike.
// Long (~440 lines) because it drives Chromium: input, bundle, page, timing, per-process memory.

import { readFileSync, writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { build } from 'esbuild'
import { parse3mf } from '../src/shared/3mf'
import { assemble } from '../src/shared/3mf/assemble'
import { CONTENT_TYPES, rootRels } from '../src/test-support/3mf'
import { zipArchive } from '../src/test-support/zip-writer'
import { resolveLimits } from '../src/shared/3mf/limits'
import { loadModel } from '../src/shared/3mf/package'
import { openZip } from '../src/shared/3mf/zip'
import { gc, median, round, type BenchResult } from './measure'

const OBJECTS = 8
/** 250 segments × 250 rings per sphere: 124,500 triangles each, 996,000 in all. */
const SEGMENTS = 250
const RUNS = 3

/** A UV sphere as a 3MF `<object>` (shared vertices, 4-decimal coordinates like slicers write). */
function sphereObject(id: number, seg: number, r: number, cx: number): string {
  const rings = seg
  const v: string[] = [`<vertex x="${cx}" y="0" z="${-r}"/>`]
  for (let i = 1; i < rings; i++) {
    const ph = (Math.PI * i) / rings - Math.PI / 2
    for (let j = 0; j < seg; j++) {
      const th = (2 * Math.PI * j) / seg
      const x = (cx + r * Math.cos(ph) * Math.cos(th)).toFixed(4)
      const y = (r * Math.cos(ph) * Math.sin(th)).toFixed(4)
      const z = (r * Math.sin(ph) + r).toFixed(4)
      v.push(`<vertex x="${x}" y="${y}" z="${z}"/>`)
    }
  }
  v[0] = `<vertex x="${cx}" y="0" z="0"/>`
  v.push(`<vertex x="${cx}" y="0" z="${2 * r}"/>`)
  const top = v.length - 1
  const at = (i: number, j: number): number => 1 + (i - 1) * seg + (j % seg)
  const t: string[] = []
  for (let j = 0; j < seg; j++) t.push(`<triangle v1="0" v2="${at(1, j + 1)}" v3="${at(1, j)}"/>`)
  for (let i = 1; i < rings - 1; i++) {
    for (let j = 0; j < seg; j++) {
      t.push(`<triangle v1="${at(i, j)}" v2="${at(i, j + 1)}" v3="${at(i + 1, j + 1)}"/>`)
      t.push(`<triangle v1="${at(i, j)}" v2="${at(i + 1, j + 1)}" v3="${at(i + 1, j)}"/>`)
    }
  }
  for (let j = 0; j < seg; j++)
    t.push(`<triangle v1="${top}" v2="${at(rings - 1, j)}" v3="${at(rings - 1, j + 1)}"/>`)
  return (
    `  <object id="${id}" name="Ball ${id}" type="model">\n   <mesh>\n    <vertices>\n     ` +
    v.join('\n     ') +
    `\n    </vertices>\n    <triangles>\n     ` +
    t.join('\n     ') +
    `\n    </triangles>\n   </mesh>\n  </object>\n`
  )
}

/** The benchmark input: ~1M triangles over 8 objects, deflated like slicers do. */
export function makeBig3mf(): { bytes: Uint8Array; triangles: number; xmlBytes: number } {
  const objects: string[] = []
  const items: string[] = []
  for (let k = 0; k < OBJECTS; k++) {
    objects.push(sphereObject(k + 1, SEGMENTS, 20, 25 + (k % 4) * 45))
    items.push(
      `  <item objectid="${k + 1}" transform="1 0 0 0 1 0 0 0 1 0 ${Math.floor(k / 4) * 45} 0"/>`
    )
  }
  const xml =
    `<?xml version="1.0" encoding="UTF-8"?>\n<model unit="millimeter" xml:lang="en-US" ` +
    `xmlns="http://schemas.microsoft.com/3dmanufacturing/core/2015/02">\n` +
    ` <metadata name="Application">printago-send bench</metadata>\n <resources>\n${objects.join('')} </resources>\n` +
    ` <build>\n${items.join('\n')}\n </build>\n</model>\n`
  const bytes = zipArchive([
    { name: '[Content_Types].xml', data: CONTENT_TYPES },
    { name: '_rels/.rels', data: rootRels() },
    { name: '3D/3dmodel.model', data: xml }
  ])
  return { bytes, triangles: OBJECTS * 2 * SEGMENTS * (SEGMENTS - 1), xmlBytes: xml.length }
}

/** Engine, geometry only: ZIP → model XML → per-part positions (what the viewer needs). */
export function engineGeometry(bytes: Uint8Array): number {
  const limits = resolveLimits()
  const zip = openZip(bytes, limits)
  const model = loadModel(zip, limits)
  const items = assemble({
    parts: model.parts,
    root: model.root,
    configs: new Map(),
    filamentColors: [],
    maxTriangles: limits.maxTriangles,
    maxInstances: limits.maxInstances
  })
  return items.reduce((n, it) => n + it.triangles, 0)
}

/** The page script: both parsers on `globalThis.__bench`, bundled for Chromium. */
async function pageBundle(): Promise<string> {
  const root = new URL('..', import.meta.url)
  const result = await build({
    stdin: {
      contents: `
        import { parse3mf } from './src/shared/3mf'
        import { engineGeometry, engineItems } from './bench/3mf-parse-page-entry'
        import { ThreeMFLoader } from 'three/examples/jsm/loaders/3MFLoader.js'
        const loader = new ThreeMFLoader()
        globalThis.__bench = {
          engine: (bytes) => engineGeometry(bytes),
          // The outputs themselves, kept alive for the retained-memory figure.
          engineOutput: (bytes) => engineItems(bytes),
          loaderOutput: (bytes) => loader.parse(bytes.buffer),
          full: (bytes) => { const r = parse3mf(bytes); if (!r.ok) throw new Error(r.error.message); return r.value.triangles },
          loader: (bytes) => {
            const group = loader.parse(bytes.buffer)
            let n = 0
            group.traverse((o) => { const g = o.geometry; if (g) n += (g.index ? g.index.count : g.attributes.position.count) / 3 })
            return n
          }
        }`,
      resolveDir: root.pathname,
      loader: 'js'
    },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
    minify: true,
    logLevel: 'silent',
    plugins: [
      {
        // The page entry is engineGeometry (above) without this file's Node-only imports.
        name: 'page-entry',
        setup(b) {
          b.onResolve({ filter: /3mf-parse-page-entry$/ }, () => ({
            path: 'page-entry',
            namespace: 'page'
          }))
          b.onLoad({ filter: /.*/, namespace: 'page' }, () => ({
            resolveDir: root.pathname,
            loader: 'ts',
            contents: `
              import { assemble } from './src/shared/3mf/assemble'
              import { resolveLimits } from './src/shared/3mf/limits'
              import { loadModel } from './src/shared/3mf/package'
              import { openZip } from './src/shared/3mf/zip'
              export function engineItems(bytes: Uint8Array) {
                const limits = resolveLimits()
                const zip = openZip(bytes, limits)
                const model = loadModel(zip, limits)
                return assemble({ parts: model.parts, root: model.root, configs: new Map(),
                  filamentColors: [], maxTriangles: limits.maxTriangles, maxInstances: limits.maxInstances })
              }
              export function engineGeometry(bytes: Uint8Array): number {
                return engineItems(bytes).reduce((n, it) => n + it.triangles, 0)
              }`
          }))
        }
      }
    ]
  })
  return result.outputFiles[0]!.text
}

interface PageTimes {
  engine: number[]
  loader: number[]
  full: number[]
  counts: { engine: number; loader: number; full: number }
}

type Browser = import('@playwright/test').Browser

async function openPage(browser: Browser, bundle: string, bytes: Uint8Array) {
  const context = await browser.newContext()
  const page = await context.newPage()
  await page.route('http://bench.invalid/**', (route) => {
    const url = route.request().url()
    if (url.endsWith('/model.3mf'))
      return route.fulfill({ body: Buffer.from(bytes), contentType: 'application/octet-stream' })
    if (url.endsWith('/bench.js'))
      return route.fulfill({ body: bundle, contentType: 'text/javascript' })
    return route.fulfill({
      body: '<!doctype html><script src="/bench.js"></script>',
      contentType: 'text/html'
    })
  })
  await page.goto('http://bench.invalid/')
  await page.evaluate(
    `fetch('/model.3mf').then((r) => r.arrayBuffer()).then((b) => { globalThis.__bytes = new Uint8Array(b) })`
  )
  return { context, page }
}

/** Interleaved timings of both parsers in one page (median of RUNS after a warm-up each). */
async function timeInChromium(
  browser: Browser,
  bundle: string,
  bytes: Uint8Array
): Promise<PageTimes> {
  const { context, page } = await openPage(browser, bundle, bytes)
  try {
    // A string, not a function: tsx's name helpers do not exist in the page.
    return (await page.evaluate(`(() => {
      const w = globalThis
      const times = { engine: [], loader: [], full: [], counts: { engine: 0, loader: 0, full: 0 } }
      function once(k) {
        if (w.gc) w.gc()
        const t0 = performance.now()
        times.counts[k] = w.__bench[k](w.__bytes)
        return performance.now() - t0
      }
      once('engine'); once('loader'); once('full')
      for (let i = 0; i < ${RUNS}; i++) {
        times.engine.push(once('engine'))
        times.loader.push(once('loader'))
        times.full.push(once('full'))
      }
      return times
    })()`)) as PageTimes
  } finally {
    await context.close()
  }
}

function procStatus(pid: number): { rss: number; hwm: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (key: string): number =>
    Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(text)?.[1] ?? NaN) * 1024
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') }
}

/**
 * Peak and retained resident memory of one parse in a fresh renderer process, above the process
 * with the input loaded. Null where /proc is not available.
 */
async function memoryInChromium(
  browser: Browser,
  bundle: string,
  bytes: Uint8Array,
  which: 'engine' | 'loader'
): Promise<{ peak: number; retained: number } | null> {
  const cdp = await browser.newBrowserCDPSession()
  const renderers = async (): Promise<number[]> => {
    const info = (await cdp.send('SystemInfo.getProcessInfo')) as {
      processInfo: Array<{ type: string; id: number }>
    }
    return info.processInfo.filter((p) => p.type === 'renderer').map((p) => p.id)
  }
  const before = new Set(await renderers())
  const { context, page } = await openPage(browser, bundle, bytes)
  try {
    const fresh = (await renderers()).filter((id) => !before.has(id))
    if (fresh.length === 0) return null
    await page.evaluate('globalThis.gc && globalThis.gc()')
    // Every new renderer is watched; the page's is the one whose peak grows during the parse.
    const base = new Map(fresh.map((id) => [id, procStatus(id).rss]))
    for (const id of fresh) writeFileSync(`/proc/${id}/clear_refs`, '5')
    await page.evaluate(
      `globalThis.__keep = globalThis.__bench.${which}Output(globalThis.__bytes); 0`
    )
    const [pid, peak] = fresh
      .map((id) => [id, procStatus(id).hwm - base.get(id)!] as const)
      .sort((a, b) => b[1] - a[1])[0]!
    await page.evaluate('globalThis.gc && globalThis.gc()')
    const retained = procStatus(pid).rss - base.get(pid)!
    return { peak, retained }
  } catch {
    return null
  } finally {
    await context.close()
    await cdp.detach()
  }
}

/** Runs the 3MF parse benchmarks and returns one result per metric. */
export async function bench3mfParse(
  log: (s: string) => void = () => undefined
): Promise<BenchResult[]> {
  const results: BenchResult[] = []
  const input = makeBig3mf()
  const { bytes, triangles } = input
  const fileMB = round(bytes.length / 1e6)
  const xmlMB = round(input.xmlBytes / 1e6)

  // Node (main process, CLI): the engine alone.
  engineGeometry(bytes)
  const nodeGeometry: number[] = []
  const nodeFull: number[] = []
  for (let i = 0; i < RUNS; i++) {
    gc()
    let t0 = performance.now()
    engineGeometry(bytes)
    nodeGeometry.push(performance.now() - t0)
    gc()
    t0 = performance.now()
    const r = parse3mf(bytes)
    if (!r.ok) throw new Error(`bench input did not parse: ${r.error.message}`)
    nodeFull.push(performance.now() - t0)
  }
  results.push({
    metric: '3mf_parse_ms',
    where: 'node',
    value: round(median(nodeGeometry)),
    note: 'geometry: ZIP → XML → per-part positions',
    triangles,
    fileMB,
    xmlMB
  })
  results.push({
    metric: '3mf_inspect_ms',
    where: 'node',
    value: round(median(nodeFull)),
    note: 'parse3mf: geometry + mesh reports + bed fit per plate',
    triangles
  })

  // @ts-expect-error plain .mjs helper
  const { findChromium } = (await import('../scripts/chromium-path.mjs')) as {
    findChromium: () => string | null
  }
  const executablePath = findChromium() ?? undefined
  let chromium: typeof import('@playwright/test').chromium
  try {
    chromium = (await import('@playwright/test')).chromium
  } catch {
    log('3MF bench: Playwright is not available; skipping the 3MFLoader comparison.')
    return results
  }
  let browser: Browser
  try {
    browser = await chromium.launch({ executablePath, args: ['--js-flags=--expose-gc'] })
  } catch (error) {
    log(
      `3MF bench: no Chromium (${(error as Error).message.split('\n')[0]}); skipping the 3MFLoader comparison.`
    )
    return results
  }
  try {
    const bundle = await pageBundle()
    log('3MF bench: timing engine and 3MFLoader in Chromium…')
    const times = await timeInChromium(browser, bundle, bytes)
    if (times.counts.engine !== triangles || times.counts.loader !== triangles) {
      throw new Error(
        `triangle counts differ: engine ${times.counts.engine}, 3MFLoader ${times.counts.loader}`
      )
    }
    const engineMs = median(times.engine)
    const loaderMs = median(times.loader)
    const ratio = loaderMs / engineMs
    results.push({
      metric: '3mf_parse_ratio_vs_3mfloader',
      where: 'chromium',
      value: round(ratio),
      goal: 2,
      pass: ratio >= 2,
      engineMs: round(engineMs),
      loaderMs: round(loaderMs),
      inspectMs: round(median(times.full)),
      triangles,
      fileMB,
      runs: RUNS,
      statistic: 'median'
    })
    log('3MF bench: memory of each parser in a fresh renderer process…')
    const engineMem = await memoryInChromium(browser, bundle, bytes, 'engine')
    const loaderMem = await memoryInChromium(browser, bundle, bytes, 'loader')
    if (engineMem && loaderMem) {
      const peakRatio = engineMem.peak / loaderMem.peak
      results.push({
        metric: '3mf_peak_memory_ratio_vs_3mfloader',
        where: 'chromium',
        value: round(peakRatio, 3),
        goal: 1,
        pass: peakRatio <= 1,
        enginePeakMB: round(engineMem.peak / 1e6, 1),
        loaderPeakMB: round(loaderMem.peak / 1e6, 1),
        engineRetainedMB: round(engineMem.retained / 1e6, 1),
        loaderRetainedMB: round(loaderMem.retained / 1e6, 1),
        note: 'renderer process peak RSS (VmHWM) above RSS with the input loaded'
      })
    } else log('3MF bench: /proc memory figures unavailable here; memory ratio skipped.')
  } finally {
    await browser.close()
  }
  return results
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await bench3mfParse((s) => process.stderr.write(`${s}\n`)))
    console.log(JSON.stringify(r))
}
