// Getting a dropped file's first frame out fast. The selected file's triangles go to the viewer
// the moment they are parsed (presentNow), not after React has rendered them. And its report,
// thumbnail and list row wait for that first frame (up to FIRST_FRAME_WAIT_MS): the page then
// repaints after the model is on screen, not while it is drawn. Without a GPU every repaint of
// the window is tens of milliseconds of the same software GL that draws the model, and the
// browser serves the repaint first. With a GPU the wait is a frame or two.
import type { Bbox } from '../../../shared/stl/types'

/** Longest a report waits for its file's first frame (a huge mesh on a software GL). */
export const FIRST_FRAME_WAIT_MS = 1500

const drawn = new Set<string>()
const waiting = new Map<string, Array<() => void>>()
let canDraw = true

/** The preview drew `fileKey` (its first frame, or again). */
export function markDrawn(fileKey: string): void {
  drawn.add(fileKey)
  for (const resolve of waiting.get(fileKey) ?? []) resolve()
  waiting.delete(fileKey)
}

/** Whether the preview can draw at all; while it cannot, nothing waits for it. */
export function setPreviewAvailable(available: boolean): void {
  canDraw = available
  if (!available) for (const key of [...waiting.keys()]) markDrawn(key)
}

/** Resolves once `fileKey` has been drawn, or after `maxMs`, or at once if it cannot be. */
export function whenDrawn(fileKey: string, maxMs = FIRST_FRAME_WAIT_MS): Promise<void> {
  if (!canDraw || drawn.has(fileKey)) return Promise.resolve()
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer)
      resolve()
    }
    const timer = setTimeout(() => {
      const list = waiting.get(fileKey)?.filter((r) => r !== done)
      if (list?.length) waiting.set(fileKey, list)
      else waiting.delete(fileKey)
      resolve()
    }, maxMs)
    waiting.set(fileKey, [...(waiting.get(fileKey) ?? []), done])
  })
}

/** Forgets a file (removed from the list). */
export function forgetDrawn(fileKey: string): void {
  drawn.delete(fileKey)
  for (const resolve of waiting.get(fileKey) ?? []) resolve()
  waiting.delete(fileKey)
}

type Presenter = (fileKey: string, positions: Float32Array, bbox: Bbox) => void
let presenter: Presenter | null = null

/** The viewer's way to show a model at once; returns the unregister. */
export function setPresenter(p: Presenter): () => void {
  presenter = p
  return () => {
    if (presenter === p) presenter = null
  }
}

/** Shows the selected file's model now, if a viewer can (it may take the positions). */
export function presentNow(fileKey: string, positions: Float32Array, bbox: Bbox): void {
  presenter?.(fileKey, positions, bbox)
}
