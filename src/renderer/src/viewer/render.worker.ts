// The render worker: owns the viewer's WebGL context through an OffscreenCanvas and runs the R3F
// scene here, so uploading and drawing a million triangles (seconds on a software GL) never blocks
// the UI thread. Positions arrive once per file (transferred) and stay cached under the file key.
/// <reference lib="webworker" />
import { createRoot, extend, type ReconcilerRoot } from '@react-three/fiber'
import { createElement } from 'react'
import { AmbientLight, Box3Helper, Color, DirectionalLight, GridHelper, Group, Mesh } from 'three'

import type { FromWorker, ToWorker, ViewSize, ViewState } from './protocol'
import { ProxyElement } from './proxy-element'
import { Scene, VIEWER_CAMERA, VIEWER_GL } from './Scene'

declare const self: DedicatedWorkerGlobalScope

// <Canvas> registers all of three's classes as JSX elements; a bare createRoot leaves that to us.
// Only the elements Scene uses, so the bundler can leave the rest of three out of this worker.
extend({ AmbientLight, Box3Helper, Color, DirectionalLight, GridHelper, Group, Mesh })

const cache = new Map<string, Float32Array>()
const proxy = new ProxyElement()
let root: ReconcilerRoot<OffscreenCanvas> | null = null
let store: ReturnType<ReconcilerRoot<OffscreenCanvas>['render']> | null = null
let size: ViewSize = { width: 1, height: 1, top: 0, left: 0, dpr: 1 }
let view: ViewState = { fileKey: null, bbox: null, showBox: false, resetToken: 0 }
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

/** Calls `done` once the GPU has finished what was issued so far (polls a fence; never blocks). */
function whenGpuDone(done: () => void): void {
  const gl = store?.getState().gl.getContext()
  if (typeof WebGL2RenderingContext === 'undefined' || !(gl instanceof WebGL2RenderingContext))
    return done()
  const sync = gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0)
  if (!sync) return done()
  gl.flush()
  const poll = (): void => {
    if (gl.getSyncParameter(sync, gl.SYNC_STATUS) !== gl.SIGNALED) return void setTimeout(poll, 5)
    gl.deleteSync(sync)
    done()
  }
  poll()
}

function render(): void {
  if (!root) return
  const key = view.fileKey
  const positions = key ? (cache.get(key) ?? null) : null
  store = root.render(
    createElement(Scene, {
      positions,
      bbox: view.bbox,
      showBox: view.showBox,
      resetToken: view.resetToken,
      controlsElement: proxy as unknown as HTMLElement,
      onRendered: (triangles: number) => {
        if (!key || `${key}:${triangles}` === reported) return
        reported = `${key}:${triangles}`
        const since = viewAt
        const issuedMs = performance.now() - since
        const geometries = store?.getState().gl.info.memory.geometries ?? 0
        // Reported once the GPU has finished the frame: "drawn" then means on the canvas, not just
        // issued (a software GL takes seconds over a million triangles). The fence goes in after
        // the frame, so it follows all of its commands.
        setTimeout(() =>
          whenGpuDone(() =>
            post({
              type: 'rendered',
              fileKey: key,
              triangles,
              issuedMs,
              frameMs: performance.now() - since,
              geometries,
              cachedFiles: cache.size
            })
          )
        )
      }
    })
  )
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
    case 'view':
      if (msg.positions && msg.view.fileKey) cache.set(msg.view.fileKey, msg.positions)
      if (msg.view.fileKey !== view.fileKey) viewAt = performance.now()
      view = msg.view
      render()
      break
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
