// The 3D preview: STL's Z-up turned into three's Y-up, the model seated on a build-plate grid,
// camera fitted to it, orbit/zoom/pan, optional bounding box. frameloop="demand" renders only
// when something changes; the geometry is disposed when the file goes away.
import { OrbitControls } from '@react-three/drei'
import { Canvas, useThree } from '@react-three/fiber'
import { useEffect, useMemo, useRef, useState, type ReactElement } from 'react'
import * as THREE from 'three'

import { formatInt, formatSize } from '../lib/format'

interface ViewerProps {
  positions: Float32Array | null
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
  showBox: boolean
  resetToken: number
  onRendered: (triangles: number) => void
}

function Model({ positions, showBox, resetToken, onRendered }: SceneProps): ReactElement {
  const { camera, invalidate } = useThree()
  const controls = useThree((s) => s.controls) as unknown as { target: THREE.Vector3; update(): void } | null

  const geometry = useMemo(() => {
    const g = new THREE.BufferGeometry()
    g.setAttribute('position', new THREE.BufferAttribute(positions, 3))
    g.computeBoundingBox()
    return g
  }, [positions])
  // R3F does not dispose geometry we create ourselves.
  useEffect(() => () => geometry.dispose(), [geometry])

  const box = geometry.boundingBox ?? new THREE.Box3()
  // Seat the model: centred in X/Y, its lowest point on the plate (STL coordinates, Z up).
  const offset = new THREE.Vector3(-(box.min.x + box.max.x) / 2, -(box.min.y + box.max.y) / 2, -box.min.z)
  const dims = new THREE.Vector3().subVectors(box.max, box.min)
  const radius = Math.max(dims.length() / 2, 1)

  useEffect(() => {
    // Fit the camera to the model's bounding sphere, looking from the front-right-top.
    const target = new THREE.Vector3(0, dims.z / 2, 0)
    const dir = new THREE.Vector3(1, 0.8, 1.4).normalize()
    const fov = ((camera as THREE.PerspectiveCamera).fov * Math.PI) / 180
    const dist = radius / Math.sin(fov / 2) * 1.15
    camera.position.copy(target).addScaledVector(dir, dist)
    camera.near = dist / 100
    camera.far = dist * 100
    camera.updateProjectionMatrix()
    if (controls) {
      controls.target.copy(target)
      controls.update()
    }
    invalidate()
  }, [geometry, resetToken, controls]) // eslint-disable-line react-hooks/exhaustive-deps

  const plate = Math.max(Math.ceil((Math.max(dims.x, dims.y) * 1.6) / 10) * 10, 50)
  return (
    <>
      <group rotation={[-Math.PI / 2, 0, 0]}>
        <mesh
          geometry={geometry}
          position={offset}
          onAfterRender={(renderer) => onRendered(renderer.info.render.triangles)}
        >
          <meshStandardMaterial color="#f08a28" flatShading metalness={0.05} roughness={0.6} side={THREE.DoubleSide} />
        </mesh>
        {showBox && <box3Helper args={[new THREE.Box3(box.min.clone().add(offset), box.max.clone().add(offset)), new THREE.Color('#4cc3ff')]} />}
      </group>
      <gridHelper args={[plate, plate / 10, '#5b6478', '#3a4152']} />
    </>
  )
}

/** The 3D viewer with its toolbar and read-outs. */
export function Viewer({ positions, size, name }: ViewerProps): ReactElement {
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
        {positions ? (
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
            <Model positions={positions} showBox={showBox} resetToken={resetToken} onRendered={onRendered} />
            <OrbitControls makeDefault enableDamping={false} />
          </Canvas>
        ) : (
          <div className="viewer-empty">
            Drop STL files anywhere in this window, or use <strong>Add files…</strong>
          </div>
        )}
      </div>
      {positions && <p className="viewer-hint">Drag to orbit · right-drag to pan · scroll to zoom · {formatInt(positions.length / 9)} triangles</p>}
    </section>
  )
}
