// Messages between the parse client (main thread) and the STL parse worker. Each request gets
// up to two answers: the mesh as soon as it is parsed (so the preview can start drawing), then
// the report and thumbnail, or a typed error instead of both.
import type { ThreeMfError } from '../../../shared/3mf'
import type { Bbox, MeshReport, StlError } from '../../../shared/stl/types'
import type { ProjectView } from './project-view'

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
  /** A 3MF or gcode.3mf: every plate at once (there is no early mesh for a project). */
  | {
      id: number
      type: 'done'
      ok: true
      project: ProjectView
      /** The file-list picture: drawn from the first plate, else the slicer's. */
      thumbnail: string | null
      parseMs: number
    }
  | { id: number; type: 'done'; ok: false; error: StlError | ThreeMfError }

/** The final answer to a request. */
export type ParseResult = Extract<ParseResponse, { type: 'done' }>
