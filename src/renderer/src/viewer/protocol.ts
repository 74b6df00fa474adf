// Messages between the viewer (main thread) and the render worker that owns the WebGL canvas.
// Positions cross once per file (transferred, never copied); after that only the file key does.
import type { Bbox } from '../../../shared/stl/types'
import type { ColorGroup } from '../lib/project-view'

/** Canvas size in CSS pixels plus its position on the page (for pointer maths) and the DPR. */
export interface ViewSize {
  width: number
  height: number
  top: number
  left: number
  dpr: number
}

/** The pointer/wheel fields OrbitControls reads, copied off a DOM event (events don't clone). */
export interface ForwardedEvent {
  type: string
  pointerId: number
  pointerType: string
  button: number
  buttons: number
  clientX: number
  clientY: number
  pageX: number
  pageY: number
  offsetX: number
  offsetY: number
  ctrlKey: boolean
  shiftKey: boolean
  altKey: boolean
  metaKey: boolean
  deltaX: number
  deltaY: number
  deltaZ: number
  deltaMode: number
}

/** A printer's build volume (mm), drawn under the model as a scale reference. */
export interface BedSize {
  x: number
  y: number
  z: number
}

/** What the scene shows: the selected file's key, plus the toolbar's state. */
export interface ViewState {
  fileKey: string | null
  showBox: boolean
  resetToken: number
  /** The bed of the chosen (or smallest candidate) printer; null: none. */
  bed: BedSize | null
  /** The model's scale to millimetres (a file read in inches is drawn 25.4× larger). */
  scale: number
}

/** A file's triangles and bounding box, sent once and cached in the worker under its key. */
export interface ModelData {
  positions: Float32Array
  bbox: Bbox
  /** A 3MF plate's colours: triangle ranges, each in one colour; none: the usual model colour. */
  groups?: ColorGroup[]
}

/** Main thread → render worker. */
export type ToWorker =
  | { type: 'init'; canvas: OffscreenCanvas; size: ViewSize }
  | { type: 'resize'; size: ViewSize }
  /** `model` only the first time a key is shown; the worker caches it under the key. */
  | { type: 'view'; view: ViewState; model?: ModelData }
  /** Keys of the files still in the list: the worker drops every other cached buffer. */
  | { type: 'retain'; keys: string[] }
  | { type: 'event'; event: ForwardedEvent }

/** Render worker → main thread. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  /**
   * Triangles drawn in the last frame that drew a new model (renderer.info.render.triangles),
   * sent once the GPU has finished that frame.
   */
  | {
      type: 'rendered'
      fileKey: string
      triangles: number
      /** From the view request to the frame's draw calls being issued, in the worker. */
      issuedMs: number
      /** From the view request to the GPU finishing the frame. */
      frameMs: number
      /** Geometries alive on the GPU and files cached here (to check disposal and eviction). */
      geometries: number
      cachedFiles: number
    }
