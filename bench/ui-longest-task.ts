// ui_longest_task_ms: in Chromium, the longest main-thread task while a 1M-triangle binary STL is
// dropped (picked), parsed in the worker and first drawn. Uses the built renderer over the bridge.
// Chromium only reports tasks over 50 ms (its long-task threshold), so a 0 there means "none over
// 50 ms", not a measured 0 (the metric says so in `note`). ui_worst_frame_gap_ms is the measured
// number below that: the longest time between two animation frames over the same span.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'

import { chromium } from '@playwright/test'

// @ts-expect-error plain .mjs helper
import { findChromium } from '../scripts/chromium-path.mjs'
import { startWebApp } from '../src/web/serve'

/** A binary STL of `n` small random triangles (a noisy sphere shell). */
function makeBinaryStl(n: number): Buffer {
  const buf = Buffer.alloc(84 + 50 * n)
  buf.write('bench 1M triangles'.padEnd(80), 0, 'ascii')
  buf.writeUInt32LE(n, 80)
  let seed = 12345
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
  for (let i = 0; i < n; i++) {
    const o = 84 + i * 50 + 12
    const th = rnd() * Math.PI * 2
    const ph = Math.acos(2 * rnd() - 1)
    const cx = 50 * Math.sin(ph) * Math.cos(th),
      cy = 50 * Math.sin(ph) * Math.sin(th),
      cz = 50 * Math.cos(ph) + 50
    for (let k = 0; k < 9; k++)
      buf.writeFloatLE((k % 3 === 0 ? cx : k % 3 === 1 ? cy : cz) + (rnd() - 0.5) * 0.8, o + k * 4)
  }
  return buf
}

interface BenchWindow {
  __longTasks: number[]
  __lt: string[]
  __ltObserver: PerformanceObserver
  __ltRecord(list: PerformanceEntryList): void
  __ltFlush(): void
  /** Measuring from the drop to the first full draw. */
  __measuring: boolean
  __dropAt: number
  /** requestAnimationFrame deltas: [start of the gap after the drop, gap] in ms. */
  __frameGaps: Array<[number, number]>
  __lastFrame: number
  __frameTick(t: number): void
  /** Delays between consecutive setTimeout(0) callbacks: how long the main thread was busy. */
  __timerGaps: number[]
  __lastTimer: number
  __timerTick(): void
}

/** What Chromium's long-task API can see: only tasks longer than this are reported. */
const LONG_TASK_THRESHOLD_MS = 50

const round1 = (n: number): number => Math.round(n * 10) / 10

/** Raw page measurements from the drop to the first full draw. */
export interface UiSamples {
  /** Durations of the long tasks Chromium reported (each > 50 ms). */
  longTasks: number[]
  /** requestAnimationFrame deltas, each as [its start after the drop, its length], ms. */
  frameGaps: Array<[number, number]>
  /** Delays between consecutive setTimeout(0) callbacks, ms. */
  timerGaps: number[]
  /** Drop to the render worker issuing the first full frame, when it reported it. */
  drawIssuedMs: number | null
  /** CPUs of the machine (SwiftShader and the workers compete with the page for them). */
  cpus?: number
}

/** The UI responsiveness metrics from the raw measurements (pure). */
export function uiMetrics(samples: UiSamples, triangles: number): Metric[] {
  const { longTasks, frameGaps, timerGaps, drawIssuedMs } = samples
  const longest = longTasks.length ? Math.max(...longTasks) : 0
  let worst: [number, number] | null = null
  for (const g of frameGaps) if (!worst || g[1] > worst[1]) worst = g
  const sortedGaps = frameGaps.map((g) => g[1]).sort((a, b) => a - b)
  const median = sortedGaps.length ? sortedGaps[Math.floor(sortedGaps.length / 2)]! : null
  const worstTimer = timerGaps.length ? Math.max(...timerGaps) : null
  // A frame gap that starts when the big frame is issued is frames waiting for the GPU to draw
  // it (with SwiftShader, on the CPU), not necessarily the page's main thread: say so.
  const gpuBound =
    worst !== null &&
    drawIssuedMs !== null &&
    worst[0] <= drawIssuedMs + LONG_TASK_THRESHOLD_MS &&
    worst[0] + worst[1] >= drawIssuedMs
  return [
    {
      metric: 'ui_longest_task_ms',
      value: Math.round(longest),
      goal: '<= 50',
      pass: longest <= LONG_TASK_THRESHOLD_MS,
      longTasks: longTasks.length,
      ...(longTasks.length === 0
        ? { note: "no main-thread task over 50 ms (the browser's long-task threshold)" }
        : {}),
      triangles
    },
    {
      metric: 'ui_worst_frame_gap_ms',
      value: worst ? round1(worst[1]) : -1,
      goal: '<= 50',
      pass: worst !== null && worst[1] <= LONG_TASK_THRESHOLD_MS,
      frames: frameGaps.length,
      medianGapMs: median === null ? null : round1(median),
      worstGapStartMs: worst ? Math.round(worst[0]) : null,
      drawIssuedMs,
      ...(gpuBound
        ? {
            cause:
              'the gap starts as the first full frame is issued: frames wait for the GPU drawing it (here SwiftShader, on the CPU); main-thread work is ui_longest_task_ms'
          }
        : {}),
      triangles,
      note: 'longest requestAnimationFrame delta from the drop to the first full draw (at 60 Hz, 16.7 ms at best)'
    },
    {
      metric: 'ui_worst_main_thread_gap_ms',
      value: worstTimer === null ? -1 : round1(worstTimer),
      goal: '<= 50',
      pass: worstTimer !== null && worstTimer <= LONG_TASK_THRESHOLD_MS,
      samples: timerGaps.length,
      ...(samples.cpus ? { cpus: samples.cpus } : {}),
      triangles,
      note: 'longest delay between consecutive setTimeout(0) callbacks from the drop to the first full draw: main-thread work plus time waiting for a CPU (4 ms floor: the timer clamp); above 50 ms with no long task means waiting, not work'
    }
  ]
}

export interface Metric {
  metric: string
  value: number
  [k: string]: unknown
}

/** Runs the measurement; needs `npm run build` first and a Chromium. */
export async function benchUiLongestTask(triangles = 1_000_000): Promise<Metric[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-ui-'))
  // Served by the bridge as a static file of the built renderer, only for the bench's duration.
  const staticDir = join(dir, 'renderer')
  cpSync(join(process.cwd(), 'out/renderer'), staticDir, { recursive: true })
  mkdirSync(join(staticDir, '__bench'))
  writeFileSync(join(staticDir, '__bench/million.stl'), makeBinaryStl(triangles))
  const app = await startWebApp({ demo: { speed: 0 }, staticDir })
  const browser = await chromium.launch({
    executablePath: findChromium() ?? undefined,
    args: ['--use-angle=swiftshader', '--enable-unsafe-swiftshader']
  })
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
    await page.addInitScript(() => {
      const w = window as unknown as BenchWindow
      w.__longTasks = []
      w.__lt = []
      // (No named function consts in page code: tsx would wrap them in a helper the page lacks.)
      w.__ltRecord = (list) => {
        for (const e of list) {
          w.__longTasks.push(e.duration)
          w.__lt.push(`${Math.round(e.startTime)}+${Math.round(e.duration)}`)
        }
      }
      w.__ltObserver = new PerformanceObserver((list) => w.__ltRecord(list.getEntries()))
      w.__ltObserver.observe({ type: 'longtask', buffered: true })
      // Entries reach the observer a task after the long task ends: drain what is still queued.
      w.__ltFlush = () => w.__ltRecord(w.__ltObserver.takeRecords())
      // Frame gaps: a rAF loop from the drop to the first full draw. The first gap runs from the
      // drop itself, so a blocking drop handler shows up too. A setTimeout(0) loop beside it
      // measures the main thread alone (a frame can also wait for the GPU).
      w.__measuring = false
      w.__dropAt = 0
      w.__frameGaps = []
      w.__lastFrame = 0
      w.__frameTick = (t) => {
        if (!w.__measuring) return
        // A frame that began just before the drop has t < the drop: its delta is not a gap.
        if (t > w.__lastFrame) {
          w.__frameGaps.push([Math.max(0, w.__lastFrame - w.__dropAt), t - w.__lastFrame])
        }
        w.__lastFrame = t
        requestAnimationFrame(w.__frameTick)
      }
      w.__timerGaps = []
      w.__lastTimer = 0
      w.__timerTick = () => {
        if (!w.__measuring) return
        const now = performance.now()
        w.__timerGaps.push(now - w.__lastTimer)
        w.__lastTimer = now
        setTimeout(w.__timerTick, 0)
      }
    })
    await page.goto(app.url)
    await page.getByTestId('use-demo').click()
    await page.getByTestId('store-banner').waitFor()
    await page.waitForTimeout(500)
    // The file is fetched by the page and dropped as a real drag-and-drop would deliver it, so
    // Playwright's own file injection (CDP, on the main thread) is not measured. Only tasks from
    // the drop on count: the list is cleared right before it (the task that dispatches the drop
    // still counts, since its entry arrives after it ends).
    const t0 = Date.now()
    await page.evaluate((n) => {
      return (async () => {
        const w = window as unknown as BenchWindow
        const blob = await (await fetch('/__bench/million.stl')).blob()
        const dt = new DataTransfer()
        dt.items.add(new File([blob], 'million.stl'))
        // Page-side drop → first full frame: when the triangle read-out first shows all of them.
        const tris = document.querySelector('[data-testid="rendered-tris"]')!
        new MutationObserver((_m, obs) => {
          if (tris.textContent !== String(n)) return
          performance.mark('bench:drawn')
          // One more frame: the gap that ends with the drawn frame on screen counts too.
          requestAnimationFrame(() => requestAnimationFrame(() => (w.__measuring = false)))
          obs.disconnect()
        }).observe(tris, { childList: true, characterData: true, subtree: true })
        w.__ltFlush()
        w.__longTasks = []
        w.__lt = []
        performance.mark('bench:drop')
        w.__dropAt = performance.now()
        w.__frameGaps = []
        w.__timerGaps = []
        w.__lastFrame = w.__dropAt
        w.__lastTimer = w.__dropAt
        w.__measuring = true
        requestAnimationFrame(w.__frameTick)
        setTimeout(w.__timerTick, 0)
        for (const type of ['dragenter', 'dragover', 'drop'])
          window.dispatchEvent(
            new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true })
          )
      })()
    }, triangles)
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid="rendered-tris"]')?.textContent === String(n),
      triangles,
      { timeout: 120_000 }
    )
    const dropToFirstFrameMs = Date.now() - t0
    // Let the last tasks end and their entries arrive (two frames and a pause), then drain.
    await page.evaluate(
      () =>
        new Promise<void>((r) =>
          requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 500)))
        )
    )
    const { tasks, gaps, timerGaps, pageMs, issuedMs } = await page.evaluate(() => {
      const w = window as unknown as BenchWindow
      w.__ltFlush()
      w.__measuring = false
      const drop = performance.getEntriesByName('bench:drop')[0]!.startTime
      const drawn = performance.getEntriesByName('bench:drawn')[0]?.startTime ?? NaN
      // The render worker says how long before its report the draw calls went out.
      const report = performance.getEntriesByName('viewer:drawn').at(-1) as
        PerformanceMark | undefined
      const d = report?.detail as { issuedMs: number; frameMs: number } | undefined
      return {
        tasks: w.__longTasks,
        gaps: w.__frameGaps,
        timerGaps: w.__timerGaps,
        pageMs: Math.round(drawn - drop),
        issuedMs: d ? Math.round(report!.startTime - (d.frameMs - d.issuedMs) - drop) : null
      }
    })
    return [
      ...uiMetrics(
        {
          longTasks: tasks,
          frameGaps: gaps,
          timerGaps,
          drawIssuedMs: issuedMs,
          cpus: cpus().length
        },
        triangles
      ),
      {
        metric: 'ui_drop_to_first_frame_ms',
        value: dropToFirstFrameMs,
        triangles,
        note: 'includes Playwright file staging'
      },
      {
        metric: 'ui_drop_to_first_frame_page_ms',
        value: pageMs,
        triangles,
        note: 'in the page: drop event to the full triangle count shown (GPU done with the frame)'
      },
      ...(issuedMs === null
        ? []
        : [
            {
              metric: 'ui_drop_to_draw_issued_page_ms',
              value: issuedMs,
              triangles,
              note: 'drop event to the render worker issuing that frame (GPU still working)'
            }
          ])
    ]
  } finally {
    await browser.close()
    await app.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[1]?.endsWith('ui-longest-task.ts')) {
  for (const m of await benchUiLongestTask()) console.log(JSON.stringify(m))
}
