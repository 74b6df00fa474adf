// Messages between the parse client (main thread) and the STL parse worker. Each request gets
// up to two answers: the mesh as soon as it is parsed (so the preview can start drawing), then
// the report and thumbnail, or a typed error instead of both.
import type { Bbox, MeshReport, StlError } from '../../../shared/stl/types'

export interface ParseRequest {
  id: number
  /**
   * A Blob (the dropped File) is read in the worker, so its bytes never land in the UI thread's
   * heap; its size and first bytes are checked before the rest is read (a 2.2 GB drop is never
   * loaded). An ArrayBuffer is transferred.
   */
  bytes: ArrayBuffer | Blob
  thumbnailSize: number
}

/** The parsed triangles, for the 3D preview; sent before the mesh is analysed. */
export interface ParsedMesh {
  /** 9 floats per triangle, STL coordinates (Z up); transferred, not copied. */
  positions: Float32Array
  bbox: Bbox
  triangles: number
}

export type ParseResponse =
  | ({ id: number; type: 'mesh' } & ParsedMesh)
  | {
      id: number
      type: 'done'
      ok: true
      report: MeshReport
      /** PNG data URL (a string: nothing to revoke when the file goes away). */
      thumbnail: string | null
      /** Read + parse + analysis, in the worker. */
      parseMs: number
    }
  | { id: number; type: 'done'; ok: false; error: StlError }

/** The final answer to a request. */
export type ParseResult = Extract<ParseResponse, { type: 'done' }>
