// Hot folders as the UI, the CLI and the core see them: a folder's rules, its state, and what
// happened to each file that appeared in it. Types and pure rules only; the service is in
// src/core/watch, the payload schemas in ipc.ts (beside the routing schema they reuse).
import { defaultLabel, type MaterialChoice, type Priority, type Routing } from './send'

/** What a hot folder does with a file once it has stopped changing. */
export interface WatchRules {
  routing: Routing
  material?: MaterialChoice
  /** Copies of each file, 1–MAX_QUANTITY. */
  quantity: number
  /** The queue label: `{name}` (file name without extension), `{file}`, `{folder}`, `{date}`, `{time}`. */
  labelPattern: string
  priority: Priority
  /** `send`: at once; `hold`: listed for review, sent when the user says so. */
  mode: 'send' | 'hold'
  /** `move`: sent files go to `Sent/`; `leave`: they stay and are remembered by content. */
  afterSend: 'move' | 'leave'
}

export interface WatchFolderConfig extends WatchRules {
  id: string
  /** Absolute path of the watched folder. */
  folder: string
  paused: boolean
}

export type WatchFolderState = 'starting' | 'watching' | 'paused' | 'error'

/** What became of one file (its latest word). */
export type WatchFileFate =
  | 'picked' // stable, checked, being sent
  | 'held' // waiting for the user's review (hold mode)
  | 'sent'
  | 'duplicate' // same content as a file already sent: not sent again
  | 'failed' // refused (not a model, damaged) or Printago refused it: moved to Failed/
  | 'ignored' // temporary, hidden or not a model file: left alone

export interface WatchEvent {
  /** Increases per process; the UI toasts failures it has not seen. */
  id: number
  folderId: string
  at: number
  file: string
  fate: WatchFileFate
  /** Human words: why it failed or was ignored, where it went. */
  message?: string
  partBuildId?: string
}

export interface WatchFolderView {
  config: WatchFolderConfig
  state: WatchFolderState
  /** Why the folder is in `error` (or paused by the system), in words. */
  message?: string
  /** Files seen but not yet stable (being written). */
  settling: number
  /** Files held for review (hold mode). */
  held: string[]
  /** Counts since this folder was added (from its fate journal). */
  counts: { sent: number; failed: number; duplicate: number }
}

export interface WatchView {
  folders: WatchFolderView[]
  /** Newest first, all folders. */
  events: WatchEvent[]
}

/** Events kept for the panel. */
export const MAX_WATCH_EVENTS = 200
export const MAX_WATCH_FOLDERS = 20
export const MAX_LABEL_PATTERN = 256

/** Subfolders a hot folder moves files into (never watched themselves). */
export const SENT_DIR = 'Sent'
export const FAILED_DIR = 'Failed'
/** The lock file in a watched folder: one sender per folder across data folders and machines. */
export const WATCH_LOCK_FILE = '.printago-watch.lock'

export const DEFAULT_WATCH_RULES: WatchRules = {
  routing: { mode: 'any' },
  quantity: 1,
  labelPattern: '{name}',
  priority: 'normal',
  mode: 'send',
  afterSend: 'move'
}

const pad = (n: number): string => String(n).padStart(2, '0')

/**
 * The label of a file by the folder's pattern. Dates are local time (what the farm reads on its
 * wall clock); unknown `{words}` are left as written so a typo is visible in the queue.
 */
export function expandLabel(pattern: string, file: string, folder: string, at: number): string {
  const d = new Date(at)
  const name = defaultLabel(file)
  const words: Record<string, string> = {
    name,
    file,
    folder,
    date: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`,
    time: `${pad(d.getHours())}:${pad(d.getMinutes())}`
  }
  const label = pattern.replace(/\{(\w+)\}/g, (all, w: string) => words[w] ?? all).trim()
  return label === '' ? name : label
}
