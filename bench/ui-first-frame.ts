// ui_first_frame_ratio_vs_o3dv_{small,large}: our time from a file drop to the first full frame,
// divided by Online3DViewer's (npm `online-3d-viewer`, bench/ui-o3dv.html) for the same file in
// the same Chromium, measured side by side in one run (runs interleaved, medians compared).
//   small: the Utah teapot (three's TeapotGeometry, Newell's public-domain patches), 9,120 tris
//   large: a closed UV sphere of 1,000,000 triangles
// Both pages are loaded and idle before the drop (our render worker ready, O3DV's viewer built);
// the clock runs in the page from the drop event to the GPU having finished the frame that shows
// every triangle. `oursSplitMs` says where our time went in a typical (median) run: parseMs
// (drop → triangles on the page), handOffMs (→ the render worker has them), issueMs (→ frame
// issued), gpuMs (→ GPU done, including the page's own repaints the GPU serves first).
// Needs `npm run build` and a Chromium.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { chromium, type Browser, type Page } from '@playwright/test'
import { TeapotGeometry } from 'three/examples/jsm/geometries/TeapotGeometry.js'

// @ts-expect-error plain .mjs helper
import { findChromium } from '../scripts/chromium-path.mjs'
import { sphereBinaryStl } from '../src/test-support/stl'
import { startWebApp } from '../src/web/serve'

const here = dirname(fileURLToPath(import.meta.url))
const VIEWPORT = { width: 1440, height: 900 }

export interface Metric {
  metric: string
  value: number
  [k: string]: unknown
}

/** A binary STL of three's Utah teapot: 9,120 triangles at 12 segments per patch. */
export function teapotStl(): Buffer {
  const g = new TeapotGeometry(40, 12).toNonIndexed()
  const pos = g.getAttribute('position')
  const n = pos.count / 3
  const buf = Buffer.alloc(84 + 50 * n)
  buf.write('Utah teapot (Newell), three.js TeapotGeometry'.padEnd(80), 0, 'ascii')
  buf.writeUInt32LE(n, 80)
  for (let t = 0; t < n; t++) {
    const o = 84 + t * 50 + 12
    for (let v = 0; v < 3; v++) {
      // three's teapot is Y-up; STL is Z-up: (x, y, z) → (x, -z, y).
      const i = t * 3 + v
      buf.writeFloatLE(pos.getX(i), o + v * 12)
      buf.writeFloatLE(-pos.getZ(i), o + v * 12 + 4)
      buf.writeFloatLE(pos.getY(i), o + v * 12 + 8)
    }
  }
  return buf
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}
const round1 = (n: number): number => Math.round(n * 10) / 10

/** The ratio metric of one case from both sides' samples (pure). */
export function firstFrameMetric(
  name: 'small' | 'large',
  triangles: number,
  ours: number[],
  o3dv: number[],
  extra: Record<string, unknown> = {}
): Metric {
  const a = median(ours)
  const b = median(o3dv)
  const ratio = Math.round((a / b) * 1000) / 1000
  return {
    metric: `ui_first_frame_ratio_vs_o3dv_${name}`,
    value: ratio,
    goal: '<= 0.5',
    pass: ratio <= 0.5,
    oursMs: round1(a),
    o3dvMs: round1(b),
    oursSamplesMs: ours.map(round1),
    o3dvSamplesMs: o3dv.map(round1),
    triangles,
    ...extra,
    note: 'median drop → first full frame (GPU done) in Chromium, ours ÷ Online3DViewer, same file, same run'
  }
}

interface DropResult {
  ms: number
  triangles: number
  /** Ours: where the time went (see ui-drop-timer.js), ms. */
  split?: Record<string, number>
}

const DROP_TIMER = join(here, 'ui-drop-timer.js')

/** Drops `file` on the page (see ui-drop-timer.js) and times the first full frame. */
function dropAndTime(
  page: Page,
  side: 'ours' | 'o3dv',
  file: string,
  triangles: number
): Promise<DropResult> {
  return page.evaluate(
    (args) =>
      (
        globalThis as unknown as { __dropAndTime(a: typeof args): Promise<DropResult> }
      ).__dropAndTime(args),
    { side, file, triangles }
  )
}

async function runOurs(
  browser: Browser,
  url: string,
  file: string,
  triangles: number
): Promise<DropResult & { box: { width: number; height: number } }> {
  const page = await browser.newPage({ viewport: VIEWPORT })
  await page.addInitScript({ path: DROP_TIMER })
  try {
    await page.goto(url)
    // Idle and ready: the main screen is shown and the render worker can draw.
    await page.locator('[data-testid="viewer"][data-renderer="ready"]').waitFor()
    const box = (await page.getByTestId('viewer').boundingBox())!
    const r = await dropAndTime(page, 'ours', file, triangles)
    return { ...r, box: { width: Math.round(box.width), height: Math.round(box.height) } }
  } finally {
    await page.close()
  }
}

async function runO3dv(
  browser: Browser,
  url: string,
  file: string,
  triangles: number,
  box: { width: number; height: number }
): Promise<DropResult> {
  const page = await browser.newPage({ viewport: VIEWPORT })
  await page.addInitScript({ path: DROP_TIMER })
  try {
    await page.goto(`${url}/__bench/ui-o3dv.html?w=${box.width}&h=${box.height}`)
    await page.locator('body[data-ready="1"]').waitFor()
    const r = await dropAndTime(page, 'o3dv', file, triangles)
    if (r.triangles < triangles)
      throw new Error(`Online3DViewer drew ${r.triangles} of ${triangles} triangles`)
    return r
  } finally {
    await page.close()
  }
}

export interface FirstFrameOptions {
  /** Drops per side for the small file (the large one gets half, at least 2). Default 9. */
  runs?: number
  log?: (s: string) => void
}

/** Runs both cases; needs `npm run build` first and a Chromium. */
export async function benchUiFirstFrame(options: FirstFrameOptions = {}): Promise<Metric[]> {
  const runs = options.runs ?? 9
  const log = options.log ?? (() => undefined)
  const dir = mkdtempSync(join(tmpdir(), 'bench-first-frame-'))
  const staticDir = join(dir, 'renderer')
  cpSync(join(here, '../out/renderer'), staticDir, { recursive: true })
  const benchDir = join(staticDir, '__bench')
  mkdirSync(benchDir)
  const require = createRequire(import.meta.url)
  cpSync(
    require.resolve('online-3d-viewer/build/engine/o3dv.min.js'),
    join(benchDir, 'o3dv.min.js')
  )
  cpSync(join(here, 'ui-o3dv.html'), join(benchDir, 'ui-o3dv.html'))
  cpSync(join(here, 'ui-o3dv.js'), join(benchDir, 'ui-o3dv.js'))
  const cases = [
    { name: 'small' as const, file: 'teapot.stl', bytes: teapotStl(), runs },
    {
      name: 'large' as const,
      file: 'sphere.stl',
      bytes: Buffer.from(sphereBinaryStl(50, 1000, 501)),
      runs: Math.max(2, Math.ceil(runs / 2))
    }
  ]
  for (const c of cases) writeFileSync(join(benchDir, c.file), c.bytes)
  // Sign-in is not what this measures (each page is a fresh browser context without the cookie).
  const app = await startWebApp({ demo: { speed: 0 }, staticDir, auth: false })
  const browser = await chromium.launch({
    executablePath: findChromium() ?? undefined,
    args: ['--use-angle=swiftshader', '--enable-unsafe-swiftshader']
  })
  try {
    // Choose the demo store once: later page loads open straight on the main screen.
    const first = await browser.newPage({ viewport: VIEWPORT })
    await first.goto(app.url)
    await first.getByTestId('use-demo').click()
    await first.getByTestId('store-banner').waitFor()
    await first.close()
    const metrics: Metric[] = []
    for (const c of cases) {
      const triangles = c.bytes.readUInt32LE(80)
      const ours: DropResult[] = []
      const o3dv: number[] = []
      for (let i = 0; i < c.runs; i++) {
        // Interleaved, so a slow moment of the machine hits both sides alike.
        const mine = await runOurs(browser, app.url, `/__bench/${c.file}`, triangles)
        ours.push(mine)
        o3dv.push(
          (await runO3dv(browser, app.origin, `/__bench/${c.file}`, triangles, mine.box)).ms
        )
        log(`  ${c.name} #${i + 1}: ours ${round1(mine.ms)} ms, o3dv ${round1(o3dv.at(-1)!)} ms`)
      }
      const mid = ours.map((r) => r.ms)
      const typical = ours.find((r) => r.ms === [...mid].sort((a, b) => a - b)[mid.length >> 1])
      metrics.push(
        firstFrameMetric(c.name, triangles, mid, o3dv, {
          fileBytes: c.bytes.length,
          ...(typical?.split ? { oursSplitMs: typical.split } : {})
        })
      )
    }
    return metrics
  } finally {
    await browser.close()
    await app.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[1]?.endsWith('ui-first-frame.ts')) {
  const runs = Number(process.argv[2]) || undefined
  for (const m of await benchUiFirstFrame({ runs, log: (s) => console.error(s) }))
    console.log(JSON.stringify(m))
}
