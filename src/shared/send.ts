// Types of a send: what the user asks for, and the progress the pipeline reports.
// Shared by the main-process pipeline, the CLI and the renderer's send panel.

/** Where Printago may run the job. Tags are exact-case; a job needs printers carrying all of them. */
export type Routing =
  { mode: 'any' } | { mode: 'printer'; printerId: string } | { mode: 'tags'; tags: string[] }

export type Priority = 'normal' | 'low'
export type QueuePosition = 'back' | 'front'

/** One file of a send, with its per-file options. */
export interface SendItem {
  /** Absolute path on disk (main resolves dropped files to paths). */
  path: string
  /** Defaults to the file name without extension. 1–1024 characters. */
  label?: string
  /** 1–500 copies. */
  quantity: number
  priority?: Priority
  position?: QueuePosition
  /** Optional metadata kept in history (from the renderer's mesh report). */
  meta?: { size?: [number, number, number]; triangles?: number; bytes?: number; thumbnail?: string }
}

export interface SendRequest {
  items: SendItem[]
  routing: Routing
}

export type SendStep =
  | 'queued-locally'
  | 'hashing'
  | 'requesting-upload'
  | 'uploading'
  | 'creating-part'
  | 'queuing'
  | 'waiting-rate-limit'
  | 'retrying'
  | 'done'
  | 'failed'
  | 'cancelled'

/** Progress of one file of a send job. Pushed to the renderer as `send:progress`. */
export interface SendProgress {
  jobId: string
  /** Index of the item in the send request. */
  index: number
  path: string
  step: SendStep
  /** 0..1 for hashing/uploading. */
  fraction?: number
  bytesDone?: number
  bytesTotal?: number
  /** True when an already-uploaded part is reused (no upload). */
  reusedPart?: boolean
  /** Seconds until a rate-limited request may go (step 'waiting-rate-limit'). */
  waitSeconds?: number
  sha256?: string
  partId?: string
  partBuildId?: string
  error?: { code: string; message: string }
}

/** Final result of one file of a send job. */
export interface SentFile {
  file: string
  sha256: string
  partId: string
  partBuildId: string
  printJobIds: string[]
  reusedPart: boolean
}

export const MAX_QUANTITY = 500
export const MAX_LABEL_LENGTH = 1024

/** The label Printago gets when the user gives none: the file name without its extension. */
export function defaultLabel(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? path
  const dot = base.lastIndexOf('.')
  return dot > 0 ? base.slice(0, dot) : base
}

/** A tag containing '|' cannot be expressed in Printago's `&=A|B` syntax. */
export function routingTags(routing: Routing): Record<string, string> {
  switch (routing.mode) {
    case 'any':
      return {}
    case 'printer':
      return { 'printer.id': `=${routing.printerId}` }
    case 'tags':
      return { 'user.tags': `&=${routing.tags.join('|')}` }
  }
}
