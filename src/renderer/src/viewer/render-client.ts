// Main-thread side of the render worker: one canvas, transferred to the worker once, that lives
// for the whole session (a WebGL context costs ~100 ms to create; the viewer may unmount and come
// back). It forwards size and pointer/wheel events and sends each file's positions only once.
import type { ColorGroup } from '../lib/project-view'
import type { Bbox } from '../../../shared/stl/types'
import type { BedSize, ForwardedEvent, FromWorker, ToWorker, ViewSize, ViewState } from './protocol'

/**
 * Layout changes come in bursts (a dropped file brings its report, a window is dragged), and each
 * new size is a full frame: seconds over a big model on a software GL. A new size is sent after
 * this much quiet, or at once with the next model, so a model and the layout that came with it
 * make one frame. Meanwhile the canvas shows the last frame stretched to the new box.
 */
const RESIZE_SETTLE_MS = 100

/** 'starting' until the worker has a WebGL context; 'failed' sends the viewer to its fallback. */
export type RenderStatus = 'starting' | 'ready' | 'failed'

/** What the viewer asks the worker to show. */
export interface ViewRequest {
  fileKey: string | null
  positions: Float32Array | null
  bbox: Bbox | null
  groups?: ColorGroup[]
  showBox: boolean
  resetToken: number
  bed: BedSize | null
  scale: number
}

const sameBed = (a: BedSize | null, b: BedSize | null): boolean =>
  a === b || (!!a && !!b && a.x === b.x && a.y === b.y && a.z === b.z)

function forwarded(e: PointerEvent | WheelEvent | MouseEvent): ForwardedEvent {
  const p = e as Partial<PointerEvent>
  const w = e as Partial<WheelEvent>
  return {
    type: e.type,
    pointerId: p.pointerId ?? 1,
    pointerType: p.pointerType ?? 'mouse',
    button: e.button,
    buttons: e.buttons,
    clientX: e.clientX,
    clientY: e.clientY,
    pageX: e.pageX,
    pageY: e.pageY,
    offsetX: e.offsetX,
    offsetY: e.offsetY,
    ctrlKey: e.ctrlKey,
    shiftKey: e.shiftKey,
    altKey: e.altKey,
    metaKey: e.metaKey,
    deltaX: w.deltaX ?? 0,
    deltaY: w.deltaY ?? 0,
    deltaZ: w.deltaZ ?? 0,
    deltaMode: w.deltaMode ?? 0
  }
}

/** The render worker and its canvas, shared by every mount of the viewer. */
export class RenderClient {
  status: RenderStatus = 'starting'
  /** Called with the triangles drawn in the last frame that drew a model. */
  onRendered: ((triangles: number, fileKey: string) => void) | null = null
  private readonly canvas = document.createElement('canvas')
  private worker: Worker | null = null
  private readonly listeners = new Set<() => void>()
  /** Keys whose positions the worker holds, with their triangle counts. */
  private readonly sent = new Map<string, number>()
  private pendingView: ViewRequest | null = null
  private lastView: ViewState | null = null
  private pendingSize: ViewSize | null = null
  private sizeTimer: ReturnType<typeof setTimeout> | undefined
  private readonly down = new Set<number>()

  constructor() {
    // The placeholder keeps showing the worker's frames; CSS sizes it, the worker sets its pixels.
    this.canvas.style.display = 'block'
    this.canvas.style.width = '100%'
    this.canvas.style.height = '100%'
    this.canvas.style.touchAction = 'none'
    this.listen()
  }

  /** Subscribes to status changes (for useSyncExternalStore). */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Puts the canvas into `container` (starting the worker on first use); returns the detach. */
  attach(container: HTMLElement): () => void {
    container.appendChild(this.canvas)
    if (!this.worker && this.status === 'starting') this.start()
    const observer = new ResizeObserver(() => {
      // A hidden viewer (another tab) measures 0×0: keep the last size rather than resize the
      // drawing buffer and redraw the model twice for nothing.
      const size = this.measure()
      if (size) this.resizeSoon(size)
    })
    // Device pixels: also fires when only the pixel ratio changes (zoom, another display).
    observer.observe(container, { box: 'device-pixel-content-box' })
    return () => {
      observer.disconnect()
      this.canvas.remove()
    }
  }

  private resizeSoon(size: ViewSize): void {
    this.pendingSize = size
    clearTimeout(this.sizeTimer)
    this.sizeTimer = setTimeout(() => this.flushSize(), RESIZE_SETTLE_MS)
  }

  private flushSize(): void {
    clearTimeout(this.sizeTimer)
    if (this.pendingSize) this.post({ type: 'resize', size: this.pendingSize })
    this.pendingSize = null
  }

  /** Shows a file (or the empty plate); positions cross to the worker the first time only. */
  view(req: ViewRequest): void {
    if (this.status !== 'ready') {
      // Positions are only handed over once the worker has proven it can draw them.
      this.pendingView = req
      return
    }
    // The size first: the worker applies both before its next frame.
    this.flushSize()
    const view: ViewState = {
      fileKey: req.fileKey,
      showBox: req.showBox,
      resetToken: req.resetToken,
      bed: req.bed,
      scale: req.scale
    }
    const key = req.fileKey
    if (key && !this.sent.has(key) && req.positions && req.positions.byteLength > 0 && req.bbox) {
      this.sent.set(key, req.positions.length / 9)
      this.lastView = view
      // Transferred, not copied: App's array is detached, the worker's cache is the copy now.
      const model = {
        positions: req.positions,
        bbox: req.bbox,
        ...(req.groups?.length ? { groups: req.groups } : {})
      }
      this.post({ type: 'view', view, model }, [req.positions.buffer])
      return
    }
    // The same view again (a re-render that changed nothing here) would only cost a frame.
    const last = this.lastView
    if (
      last &&
      last.fileKey === key &&
      last.showBox === view.showBox &&
      last.resetToken === view.resetToken &&
      last.scale === view.scale &&
      sameBed(last.bed, view.bed)
    )
      return
    this.lastView = view
    this.post({ type: 'view', view })
  }

  /** Triangles of a file whose positions went to the worker (App's array is detached then). */
  triangleCount(fileKey: string | null): number | undefined {
    return fileKey ? this.sent.get(fileKey) : undefined
  }

  /** Drops the worker's buffers of files no longer in the list. */
  retain(keys: string[]): void {
    const keep = new Set(keys)
    for (const key of this.sent.keys()) if (!keep.has(key)) this.sent.delete(key)
    this.post({ type: 'retain', keys })
  }

  private start(): void {
    // Started hidden: a placeholder size until the first real measurement arrives.
    const size = this.measure() ?? { width: 300, height: 150, top: 0, left: 0, dpr: 1 }
    const offscreen = this.canvas.transferControlToOffscreen()
    const worker = new Worker(new URL('./render.worker.ts', import.meta.url), { type: 'module' })
    this.worker = worker
    worker.onmessage = (e: MessageEvent<FromWorker>) => this.receive(e.data)
    worker.onerror = (e) => this.fail(`render worker error: ${e.message}`)
    this.post({ type: 'init', canvas: offscreen, size }, [offscreen])
  }

  private receive(msg: FromWorker): void {
    switch (msg.type) {
      case 'ready':
        this.setStatus('ready')
        if (this.pendingView) this.view(this.pendingView)
        this.pendingView = null
        break
      case 'failed':
        this.fail(msg.message)
        break
      case 'rendered':
        // The UI benchmark reads the latest one; clearing first keeps marks from piling up.
        performance.clearMarks('viewer:drawn')
        performance.mark('viewer:drawn', { detail: msg })
        this.onRendered?.(msg.triangles, msg.fileKey)
        break
    }
  }

  private fail(message: string): void {
    console.warn(`3D preview falls back to the main thread: ${message}`)
    this.worker?.terminate()
    this.worker = null
    this.canvas.remove()
    this.setStatus('failed')
  }

  private setStatus(status: RenderStatus): void {
    this.status = status
    this.listeners.forEach((l) => l())
  }

  private post(message: ToWorker, transfer: Transferable[] = []): void {
    this.worker?.postMessage(message, transfer)
  }

  /** The container's size, or null while it is hidden (nothing to lay out). */
  private measure(): ViewSize | null {
    const r = (this.canvas.parentElement ?? this.canvas).getBoundingClientRect()
    if (r.width < 1 || r.height < 1) return null
    return {
      width: Math.round(r.width),
      height: Math.round(r.height),
      top: r.top,
      left: r.left,
      dpr: window.devicePixelRatio || 1
    }
  }

  /** Forwards what OrbitControls needs; default actions (scroll, menu) are stopped here. */
  private listen(): void {
    const c = this.canvas
    const send = (e: PointerEvent | WheelEvent | MouseEvent): void =>
      this.post({ type: 'event', event: forwarded(e) })
    c.addEventListener('pointerdown', (e) => {
      // Capture here: the drag keeps reaching the canvas when the pointer leaves it.
      c.setPointerCapture(e.pointerId)
      this.down.add(e.pointerId)
      send(e)
    })
    c.addEventListener('pointermove', (e) => {
      if (this.down.size > 0) send(e)
    })
    const up = (e: PointerEvent): void => {
      this.down.delete(e.pointerId)
      send(e)
    }
    c.addEventListener('pointerup', up)
    c.addEventListener('pointercancel', up)
    c.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault()
        send(e)
      },
      { passive: false }
    )
    c.addEventListener('contextmenu', (e) => {
      e.preventDefault()
      send(e)
    })
  }
}

let client: RenderClient | null | undefined

/** The session's render client, or null where a canvas cannot be handed to a worker. */
export function getRenderClient(): RenderClient | null {
  if (client === undefined) {
    const supported =
      typeof OffscreenCanvas !== 'undefined' &&
      typeof HTMLCanvasElement.prototype.transferControlToOffscreen === 'function'
    client = supported ? new RenderClient() : null
  }
  return client
}
