// The render worker: owns the viewer's WebGL context through an OffscreenCanvas and runs the R3F
// scene here, so uploading and drawing a million triangles (seconds on a software GL) never blocks
// the UI thread. Positions arrive once per file (transferred) and stay cached under the file key.
/// <reference lib="webworker" />
import { createRoot, extend, type ReconcilerRoot } from '@react-three/fiber'
import { createElement } from 'react'
import * as THREE from 'three'

import type { FromWorker, ToWorker, ViewSize, ViewState } from './protocol'
import { ProxyElement } from './proxy-element'
import { Scene, VIEWER_CAMERA, VIEWER_GL } from './Scene'

declare const self: DedicatedWorkerGlobalScope

// <Canvas> registers three's classes as JSX elements; a bare createRoot leaves that to us.
extend(THREE as unknown as Parameters<typeof extend>[0])

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

/** Reports when the GPU has finished what was issued so far (polls a fence; never blocks). */
function reportGpuDone(key: string, since: number): void {
  const ctx = store?.getState().gl.getContext()
  if (typeof WebGL2RenderingContext === 'undefined' || !(ctx instanceof WebGL2RenderingContext))
    return
  const sync = ctx.fenceSync(ctx.SYNC_GPU_COMMANDS_COMPLETE, 0)
  if (!sync) return
  ctx.flush()
  const poll = (): void => {
    if (ctx.getSyncParameter(sync, ctx.SYNC_STATUS) !== ctx.SIGNALED)
      return void setTimeout(poll, 5)
    ctx.deleteSync(sync)
    post({ type: 'gpu-done', fileKey: key, ms: performance.now() - since })
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
        post({
          type: 'rendered',
          fileKey: key,
          triangles,
          frameMs: performance.now() - viewAt,
          geometries: store?.getState().gl.info.memory.geometries ?? 0,
          cachedFiles: cache.size
        })
        // After the frame (the fence then follows all of its commands).
        const since = viewAt
        setTimeout(() => reportGpuDone(key, since), 0)
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
