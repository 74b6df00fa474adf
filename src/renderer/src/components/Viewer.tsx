// The 3D preview. The scene (viewer/Scene.tsx) runs in a render worker on an OffscreenCanvas, so
// drawing a million triangles never blocks the UI; where a canvas cannot go to a worker, or the
// worker gets no WebGL, the same scene renders here on the main thread (viewer/MainThreadCanvas,
// loaded only then). frameloop="demand" in both: frames are drawn only when something changes.
// This module imports no three.js: the main screen paints without it.
import {
  lazy,
  Suspense,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
  type ReactElement
} from 'react'

import type { Bbox } from '../../../shared/stl/types'
import { formatCount, formatSize } from '../../../shared/format'
import { markDrawn, setPresenter, setPreviewAvailable } from '../lib/first-frame'
import type { ColorGroup } from '../lib/project-view'
import type { BedSize } from '../viewer/protocol'
import { getRenderClient, type RenderStatus } from '../viewer/render-client'

const MainThreadCanvas = lazy(() => import('../viewer/MainThreadCanvas'))

interface ViewerProps {
  /** What to say instead of the model (e.g. while reading, or for a broken file). */
  placeholder?: string | null
  /** Identifies the file: the render worker caches its positions under this key. */
  fileKey: string | null
  /** Keys of every file in the list: the worker frees the positions of removed files. */
  fileKeys: string[]
  positions: Float32Array | null
  bbox: Bbox | null
  /** A 3MF plate's colour groups. */
  groups?: ColorGroup[]
  size: [number, number, number] | null
  name: string | null
  /** File units → mm: the model is drawn in millimetres, like the bed. */
  scale?: number
  /** The build volume drawn under the model, and whose it is. */
  bed?: { size: BedSize; label: string } | null
  /** A picture shown instead of a model (a sliced plate's, from the slicer). */
  picture?: string | null
  /** False while the viewer is hidden (another tab): R does nothing then. */
  active?: boolean
}

/** True when a key press belongs to a text field or a control, not to the page. */
function typingIn(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null
  return !!el?.closest?.('input, select, textarea, [contenteditable="true"], [role="dialog"]')
}

function webglAvailable(): boolean {
  try {
    const c = document.createElement('canvas')
    return !!(c.getContext('webgl2') ?? c.getContext('webgl'))
  } catch {
    return false
  }
}

const noSubscribe = (): (() => void) => () => {}

/** The 3D viewer with its toolbar and read-outs. */
export function Viewer({
  fileKey,
  fileKeys,
  positions,
  bbox,
  groups,
  size,
  name,
  placeholder,
  scale = 1,
  bed = null,
  picture = null,
  active = true
}: ViewerProps): ReactElement {
  const [showBox, setShowBox] = useState(false)
  const [resetToken, setResetToken] = useState(0)
  const bedSize = bed?.size ?? null
  // "R" resets the view, as the button says — unless the key is typed into a field.
  useEffect(() => {
    if (!active) return
    const onKey = (e: KeyboardEvent): void => {
      if (e.key !== 'r' && e.key !== 'R') return
      if (e.ctrlKey || e.metaKey || e.altKey || typingIn(e.target)) return
      setResetToken((t) => t + 1)
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [active])
  const trianglesRef = useRef<HTMLSpanElement>(null)
  const workerHostRef = useRef<HTMLDivElement>(null)
  const client = useMemo(getRenderClient, [])
  const status = useSyncExternalStore<RenderStatus>(
    client?.subscribe ?? noSubscribe,
    () => client?.status ?? 'failed'
  )
  const inWorker = status !== 'failed'
  // Probed only for the fallback: the worker path needs no main-thread WebGL context.
  const hasWebgl = useMemo(() => inWorker || webglAvailable(), [inWorker])

  const showTriangles = useCallback((triangles: number): void => {
    // Written straight to the DOM: it comes from the render loop, where setState must not run.
    if (trianglesRef.current) trianglesRef.current.textContent = String(triangles)
  }, [])
  // The last file the worker reported drawn. Until the selected model is, the placeholder stays:
  // the page changes once, together with the frame that shows the model (every page change is a
  // repaint that, on a software GL, delays the model's frame).
  const [drawnKey, setDrawnKey] = useState<string | null>(null)

  useEffect(() => {
    if (!client || !inWorker || !workerHostRef.current) return
    client.onRendered = (triangles, key) => {
      showTriangles(triangles)
      setDrawnKey(key)
      markDrawn(key)
    }
    const detach = client.attach(workerHostRef.current)
    return () => {
      client.onRendered = null
      detach()
    }
  }, [client, inWorker, showTriangles])

  useEffect(() => setPreviewAvailable(hasWebgl), [hasWebgl])

  // The selected file's model goes to the worker as soon as it is parsed; the view effect below
  // then finds it sent and has nothing to add.
  const toolbar = useRef({ showBox, resetToken, bed: bedSize, scale })
  toolbar.current = { showBox, resetToken, bed: bedSize, scale }
  useEffect(() => {
    if (!client || !inWorker) return
    return setPresenter((key, model, box) =>
      client.view({ fileKey: key, positions: model, bbox: box, ...toolbar.current })
    )
  }, [client, inWorker])

  const modelKey = fileKey && positions && bbox ? fileKey : null
  // Nothing to draw: the read-out must not keep the previous model's count.
  useEffect(() => {
    if (!modelKey) showTriangles(0)
  }, [modelKey, showTriangles])
  // A layout effect: the model goes to the worker in the same task as the commit that brought it,
  // not after the next paint.
  useLayoutEffect(() => {
    if (client && inWorker)
      client.view({
        fileKey: modelKey,
        positions: modelKey ? positions : null,
        bbox,
        groups,
        showBox,
        resetToken,
        bed: bedSize,
        scale
      })
  }, [client, inWorker, modelKey, positions, bbox, groups, showBox, resetToken, bedSize, scale])

  const keysText = fileKeys.join('\n')
  useEffect(() => {
    if (client && inWorker) client.retain(keysText ? keysText.split('\n') : [])
  }, [client, inWorker, keysText])

  if (!hasWebgl)
    return (
      <div className="viewer viewer-empty" role="note">
        3D preview unavailable: this computer has no WebGL. Files can still be checked and sent; the
        report below is computed without it.
      </div>
    )

  // After a transfer App's array is detached (length 0): the worker's copy is the model now.
  const triangles = positions?.length ? positions.length / 9 : (client?.triangleCount(fileKey) ?? 0)
  // A buffer lost with a failed worker cannot be drawn here; the report still stands.
  const mainPositions = positions?.length ? positions : null
  const drawing = inWorker && modelKey !== null && drawnKey !== modelKey
  const shown = positions && !drawing
  return (
    <section className="viewer" aria-label="3D preview">
      <div className="viewer-toolbar">
        <span className="viewer-name" title={name ?? undefined}>
          {name ?? 'No file selected'}
        </span>
        {size && (
          <span className="viewer-dims" data-testid="viewer-dims">
            {formatSize(size)}
          </span>
        )}
        {bed && shown && (
          <span
            className="viewer-bed"
            data-testid="viewer-bed"
            title="Drawn in orange under the model"
          >
            bed: {bed.label}
          </span>
        )}
        <span className="viewer-tris" title="Triangles drawn in the last frame">
          drawn:{' '}
          <span data-testid="rendered-tris" ref={trianglesRef}>
            0
          </span>
        </span>
        <button
          type="button"
          onClick={() => setResetToken((t) => t + 1)}
          disabled={!shown}
          title="Reset view (R)"
        >
          Reset view
        </button>
        <label className="check">
          <input
            type="checkbox"
            checked={showBox}
            onChange={(e) => setShowBox(e.target.checked)}
            data-testid="bbox-toggle"
          />{' '}
          Bounding box
        </label>
      </div>
      {/* data-renderer: 'starting' | 'ready' (the worker can draw) | 'failed' (main-thread fallback). */}
      <div className="viewer-canvas" data-testid="viewer" data-renderer={status}>
        {inWorker ? (
          // The worker's canvas is moved in here; it lives for the whole session.
          <div ref={workerHostRef} />
        ) : (
          <Suspense fallback={<div className="viewer-empty">Starting the 3D preview…</div>}>
            <MainThreadCanvas
              positions={mainPositions}
              bbox={bbox}
              groups={groups}
              showBox={showBox}
              resetToken={resetToken}
              bed={bedSize}
              scale={scale}
              onRendered={(triangles) => {
                showTriangles(triangles)
                if (modelKey) markDrawn(modelKey)
              }}
            />
          </Suspense>
        )}
        {!shown && (
          <div className="viewer-empty viewer-overlay" data-testid="viewer-placeholder">
            {picture && !drawing && (
              <img className="viewer-picture" src={picture} alt="" data-testid="viewer-picture" />
            )}
            <p>
              {drawing
                ? `Reading ${name}…`
                : (placeholder ?? (
                    <>
                      Drop STL or 3MF files anywhere in this window, or use{' '}
                      <strong>Add files…</strong>
                    </>
                  ))}
            </p>
          </div>
        )}
      </div>
      {/* Always there: the canvas keeps its size when a model arrives, so its first frame is not
          drawn twice (once per size). */}
      <p className="viewer-hint">
        Drag to orbit · right-drag to pan · scroll to zoom · R resets the view
        {shown && ` · ${formatCount(triangles)} triangles`}
      </p>
    </section>
  )
}
