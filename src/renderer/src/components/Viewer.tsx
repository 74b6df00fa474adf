// The 3D preview: STL's Z-up turned into three's Y-up, the model seated on a build-plate grid,
// camera fitted to it, orbit/zoom/pan, optional bounding box. frameloop="demand" renders only
// when something changes; the geometry is disposed when the file goes away.
import { OrbitControls } from '@react-three/drei'
import { Canvas, useThree } from '@react-three/fiber'
import { useEffect, useMemo, useRef, useState, type ReactElement } from 'react'
import * as THREE from 'three'

import type { Bbox } from '../../../shared/stl/types'
import { formatInt, formatSize } from '../lib/format'

interface ViewerProps {
  positions: Float32Array | null
  bbox: Bbox | null
  size: [number, number, number] | null
  name: string | null
}

function webglAvailable(): boolean {
  try {
    const c = document.createElement('canvas')
    return !!(c.getContext('webgl2') ?? c.getContext('webgl'))
  } catch {
    return false
  }
}

interface SceneProps {
  positions: Float32Array
  bbox: Bbox
  showBox: boolean
  resetToken: number
  onRendered: (triangles: number) => void
}

// One material for every model: its shader is compiled once, at start-up (see Prewarm).
const modelMaterial = new THREE.MeshStandardMaterial({ color: '#f08a28', flatShading: true, metalness: 0.05, roughness: 0.6, side: THREE.DoubleSide })

/** Compiles the model shader when the canvas starts, so the first dropped file does not pay for it. */
function Prewarm(): null {
  const { gl, scene, camera } = useThree()
  useEffect(() => {
    const g = new THREE.BufferGeometry()
    g.setAttribute('position', new THREE.BufferAttribute(new Float32Array(9), 3))
    const m = new THREE.Mesh(g, modelMaterial)
    scene.add(m)
    gl.compile(scene, camera)
    scene.remove(m)
    g.dispose()
  }, [gl, scene, camera])
  return null
}

/** Triangles per GPU buffer: big meshes are uploaded one chunk per frame so no frame blocks the UI. */
const CHUNK_TRIANGLES = 131_072
const CHUNKS_PER_FRAME = 16

function Model({ positions, bbox, showBox, resetToken, onRendered }: SceneProps): ReactElement {
  const { camera, invalidate } = useThree()
  const controls = useThree((s) => s.controls) as unknown as { target: THREE.Vector3; update(): void } | null

  // Views into the one positions buffer (no copies), one geometry per chunk.
  const chunks = useMemo(() => {
    const out: THREE.BufferGeometry[] = []
    const per = CHUNK_TRIANGLES * 9
    for (let start = 0; start < positions.length; start += per) {
      const g = new THREE.BufferGeometry()
      g.setAttribute('position', new THREE.BufferAttribute(positions.subarray(start, Math.min(positions.length, start + per)), 3))
      out.push(g)
    }
    return out
  }, [positions])
  // R3F does not dispose geometry we create ourselves.
  useEffect(() => () => chunks.forEach((g) => g.dispose()), [chunks])

  // Reveal chunks progressively: a few per frame, so each frame uploads a bounded amount.
  const [shown, setShown] = useState(CHUNKS_PER_FRAME)
  useEffect(() => {
    setShown(Math.min(CHUNKS_PER_FRAME, chunks.length))
  }, [chunks])
  useEffect(() => {
    if (shown >= chunks.length) return
    const id = requestAnimationFrame(() => setShown((n) => Math.min(chunks.length, n + CHUNKS_PER_FRAME)))
    return () => cancelAnimationFrame(id)
  }, [shown, chunks])
  useEffect(() => {
    performance.mark(`viewer:shown-${shown}`)
    invalidate()
  }, [shown, invalidate])

  const box = useMemo(() => new THREE.Box3(new THREE.Vector3(...bbox.min), new THREE.Vector3(...bbox.max)), [bbox])
  // Seat the model: centred in X/Y, its lowest point on the plate (STL coordinates, Z up).
  const offset = new THREE.Vector3(-(box.min.x + box.max.x) / 2, -(box.min.y + box.max.y) / 2, -box.min.z)
  const dims = new THREE.Vector3().subVectors(box.max, box.min)
  const radius = Math.max(dims.length() / 2, 1)

  useEffect(() => {
    // Fit the camera to the model's bounding sphere, looking from the front-right-top.
    const target = new THREE.Vector3(0, dims.z / 2, 0)
    const dir = new THREE.Vector3(1, 0.8, 1.4).normalize()
    const fov = ((camera as THREE.PerspectiveCamera).fov * Math.PI) / 180
    const dist = (radius / Math.sin(fov / 2)) * 1.15
    camera.position.copy(target).addScaledVector(dir, dist)
    camera.near = dist / 100
    camera.far = dist * 100
    camera.updateProjectionMatrix()
    if (controls) {
      controls.target.copy(target)
      controls.update()
    }
    invalidate()
  }, [box, resetToken, controls]) // eslint-disable-line react-hooks/exhaustive-deps

  const drawn = chunks.slice(0, shown)
  const last = drawn[drawn.length - 1]
  const plate = Math.max(Math.ceil((Math.max(dims.x, dims.y) * 1.6) / 10) * 10, 50)
  return (
    <>
      <group rotation={[-Math.PI / 2, 0, 0]}>
        <group position={offset}>
          {drawn.map((g) => (
            <mesh
              key={g.uuid}
              geometry={g}
              material={modelMaterial}
              // three counts triangles as it draws; after the last chunk the count is the frame's total.
              onAfterRender={g === last && shown === chunks.length ? (renderer) => onRendered(renderer.info.render.triangles) : undefined}
            />
          ))}
        </group>
        {showBox && <box3Helper args={[new THREE.Box3(box.min.clone().add(offset), box.max.clone().add(offset)), new THREE.Color('#4cc3ff')]} />}
      </group>
      <gridHelper args={[plate, plate / 10, '#5b6478', '#3a4152']} />
    </>
  )
}

/** The 3D viewer with its toolbar and read-outs. */
export function Viewer({ positions, bbox, size, name }: ViewerProps): ReactElement {
  const [showBox, setShowBox] = useState(false)
  const [resetToken, setResetToken] = useState(0)
  const trianglesRef = useRef<HTMLSpanElement>(null)
  const [hasWebgl] = useState(webglAvailable)

  const onRendered = (triangles: number): void => {
    // Written straight to the DOM: this runs inside the render loop, where setState must not.
    if (trianglesRef.current) trianglesRef.current.textContent = String(triangles)
  }

  if (!hasWebgl)
    return (
      <div className="viewer viewer-empty" role="note">
        3D preview unavailable: this computer has no WebGL. Files can still be checked and sent; the report
        below is computed without it.
      </div>
    )

  return (
    <section className="viewer" aria-label="3D preview">
      <div className="viewer-toolbar">
        <span className="viewer-name">{name ?? 'No file selected'}</span>
        {size && (
          <span className="viewer-dims" data-testid="viewer-dims">
            {formatSize(size)}
          </span>
        )}
        <span className="viewer-tris" title="Triangles drawn in the last frame">
          drawn: <span data-testid="rendered-tris" ref={trianglesRef}>0</span>
        </span>
        <button type="button" onClick={() => setResetToken((t) => t + 1)} disabled={!positions} title="Reset view (R)">
          Reset view
        </button>
        <label className="check">
          <input type="checkbox" checked={showBox} onChange={(e) => setShowBox(e.target.checked)} /> Bounding box
        </label>
      </div>
      <div className="viewer-canvas" data-testid="viewer">
        {/* The canvas lives for the whole session: creating a WebGL context costs ~100 ms, too much
            to pay when a file is dropped. */}
        <Canvas
            frameloop="demand"
            camera={{ fov: 40, position: [100, 100, 100] }}
            gl={{ preserveDrawingBuffer: true, antialias: true }}
            fallback={<div className="viewer-empty">3D preview unavailable (WebGL could not start).</div>}
          >
            <color attach="background" args={['#1d2230']} />
            <ambientLight intensity={0.55} />
            <directionalLight position={[1, 2, 1.5]} intensity={1.6} />
            <directionalLight position={[-1.5, 0.5, -1]} intensity={0.5} />
            <Prewarm />
            {positions && bbox ? (
              <Model positions={positions} bbox={bbox} showBox={showBox} resetToken={resetToken} onRendered={onRendered} />
            ) : (
              <gridHelper args={[200, 20, '#5b6478', '#3a4152']} />
            )}
            <OrbitControls makeDefault enableDamping={false} />
          </Canvas>
        {!positions && (
          <div className="viewer-empty viewer-overlay">
            Drop STL files anywhere in this window, or use <strong>Add files…</strong>
          </div>
        )}
      </div>
      {positions && <p className="viewer-hint">Drag to orbit · right-drag to pan · scroll to zoom · {formatInt(positions.length / 9)} triangles</p>}
    </section>
  )
}
