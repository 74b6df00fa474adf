// The render worker: owns the viewer's WebGL context through an OffscreenCanvas and runs the R3F
// scene here, so uploading and drawing a million triangles (seconds on a software GL) never blocks
// the UI thread. Positions arrive once per file (transferred) and stay cached under the file key.
/// <reference lib="webworker" />
import { advance, createRoot, extend, flushSync, type ReconcilerRoot } from '@react-three/fiber'
import { createElement } from 'react'
import { AmbientLight, Box3Helper, Color, DirectionalLight, GridHelper, Group, Mesh } from 'three'

import type { FromWorker, ModelData, ToWorker, ViewSize, ViewState } from './protocol'
import { ProxyElement } from './proxy-element'
import { Scene, VIEWER_CAMERA, VIEWER_GL } from './Scene'

declare const self: DedicatedWorkerGlobalScope

// <Canvas> registers all of three's classes as JSX elements; a bare createRoot leaves that to us.
// Only the elements Scene uses, so the bundler can leave the rest of three out of this worker.
extend({ AmbientLight, Box3Helper, Color, DirectionalLight, GridHelper, Group, Mesh })

const cache = new Map<string, ModelData>()
const proxy = new ProxyElement()
let root: ReconcilerRoot<OffscreenCanvas> | null = null
let store: ReturnType<ReconcilerRoot<OffscreenCanvas>['render']> | null = null
let size: ViewSize = { width: 1, height: 1, top: 0, left: 0, dpr: 1 }
let view: ViewState = { fileKey: null, showBox: false, resetToken: 0, bed: null, scale: 1 }
// When the current view was asked for, and what was last reported (to report changes only).
let viewAt = 0
let reported = ''

function post(message: FromWorker): void {
  self.postMessage(message)
}

function configure(r: ReconcilerRoot<OffscreenCanvas>): Promise<unknown> {
  proxy.setSize(size)
  return r.configure({
    gl: VIEWER_GL,
    camera: VIEWER_CAMERA,
    frameloop: 'demand',
    // No R3F pointer events: nothing in the scene is clickable, OrbitControls uses the proxy.
    size: { width: size.width, height: size.height, top: size.top, left: size.left },
    dpr: size.dpr
  })
}

const PIXEL = new Uint8Array(4)

/**
 * Returns once the GPU has finished every command issued so far: reading one pixel waits for
 * them. A fence polled with getSyncParameter reported the same frames 40–50 ms late in Chromium
 * (it caches sync status between tasks), and blocking costs nothing here: this is the render
 * worker, not the UI thread, and the next frame could not start before this one ends anyway.
 */
function waitForGpu(): void {
  const gl = store?.getState().gl.getContext()
  gl?.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, PIXEL)
}

/**
 * Renders the scene for the current view. `now`: draw the frame in this task instead of at the
 * next animation frame, for a newly shown model. A worker's animation frames follow the page's
 * display, and while the page repaints (a drop changes it) they come late: hundreds of ms on a
 * software GL. The commit is made synchronous and advance() draws the frame the commit asked
 * for, so the render loop has nothing left to draw for it.
 */
function render(now = false): void {
  if (!root) return
  const key = view.fileKey
  // One bbox object per file: the scene's geometry is rebuilt only when it changes.
  const model = key ? cache.get(key) : undefined
  const scene = createElement(Scene, {
    positions: model?.positions ?? null,
    bbox: model?.bbox ?? null,
    groups: model?.groups,
    showBox: view.showBox,
    resetToken: view.resetToken,
    bed: view.bed,
    scale: view.scale,
    controlsElement: proxy as unknown as HTMLElement,
    onRendered: (triangles: number) => {
      if (!key || `${key}:${triangles}` === reported) return
      reported = `${key}:${triangles}`
      const since = viewAt
      const issuedMs = performance.now() - since
      const geometries = store?.getState().gl.info.memory.geometries ?? 0
      // Reported once the GPU has finished the frame: "drawn" then means on the canvas, not just
      // issued (a software GL takes seconds over a million triangles). In the next task, once
      // the whole frame has been issued.
      setTimeout(() => {
        waitForGpu()
        post({
          type: 'rendered',
          fileKey: key,
          triangles,
          issuedMs,
          frameMs: performance.now() - since,
          geometries,
          cachedFiles: cache.size
        })
      })
    }
  })
  if (!now) {
    store = root.render(scene)
    return
  }
  const r = root
  flushSync(() => void (store = r.render(scene)))
  if (store) advance(performance.now(), true, store.getState())
}

async function init(canvas: OffscreenCanvas): Promise<void> {
  try {
    const r = createRoot(canvas)
    await configure(r)
    root = r
    render()
    post({ type: 'ready' })
  } catch (err) {
    // Typically no WebGL in workers here: the viewer falls back to the main thread.
    post({ type: 'failed', message: (err as Error).message })
  }
}

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const msg = e.data
  switch (msg.type) {
    case 'init':
      size = msg.size
      void init(msg.canvas)
      break
    case 'resize':
      size = msg.size
      if (root) void configure(root)
      break
    case 'view': {
      const key = msg.view.fileKey
      if (msg.model && key) cache.set(key, msg.model)
      const newModel = key !== view.fileKey
      if (newModel) viewAt = performance.now()
      view = msg.view
      render(newModel && !!key && cache.has(key))
      break
    }
    case 'retain': {
      const keep = new Set(msg.keys)
      for (const key of cache.keys()) if (!keep.has(key)) cache.delete(key)
      break
    }
    case 'event':
      proxy.forward(msg.event)
      break
  }
}
