// The 3D scene, shared by the render worker (OffscreenCanvas) and the main-thread fallback: STL's
// Z-up turned into three's Y-up, the model (in millimetres: its unit's scale applied) seated on a
// grid with the chosen printer's build volume as a scale reference, camera fitted to it whatever
// its size (0.05 mm or 50 m), orbit/zoom/pan, optional bounding box. Nothing here touches the DOM,
// so it runs in a worker.
import { OrbitControls } from '@react-three/drei/core/OrbitControls'
import { useThree } from '@react-three/fiber'
import { useEffect, useLayoutEffect, useMemo, type ReactElement } from 'react'
import * as THREE from 'three'

import type { Bbox } from '../../../shared/stl/types'
import type { ColorGroup } from '../lib/project-view'
import type { BedSize } from './protocol'

/** Props of the scene: the model (null while nothing is selected) and the toolbar's state. */
export interface SceneProps {
  positions: Float32Array | null
  bbox: Bbox | null
  /** A 3MF plate's colour groups (none: the whole model in the usual colour). */
  groups?: ColorGroup[]
  showBox: boolean
  resetToken: number
  /** The build volume drawn as a scale reference (null: none). */
  bed?: BedSize | null
  /** File units → mm (1 for millimetres). */
  scale?: number
  /** Called after the model is drawn, with the triangles three drew in that frame. */
  onRendered: (triangles: number) => void
  /** Element OrbitControls listens on; in the worker, a proxy fed with forwarded DOM events. */
  controlsElement?: HTMLElement
}

/** Camera of the viewer (a constant, so configuring the root again keeps the camera). */
export const VIEWER_CAMERA = { fov: 40, position: [100, 100, 100] as [number, number, number] }

/** Renderer options: preserveDrawingBuffer keeps the frame readable (pixel checks, screenshots). */
export const VIEWER_GL = { preserveDrawingBuffer: true, antialias: true }

// One material for every model: its shader is compiled once, at start-up (see Prewarm).
const modelMaterial = new THREE.MeshStandardMaterial({
  color: '#f08a28',
  flatShading: true,
  metalness: 0.05,
  roughness: 0.6,
  side: THREE.DoubleSide
})

/**
 * The material of one 3MF colour: the model material's clone (same shader program, so nothing
 * new to compile), kept per colour for the session.
 */
const colorMaterials = new Map<string, THREE.MeshStandardMaterial>()
function materialFor(color: string): THREE.MeshStandardMaterial {
  let m = colorMaterials.get(color)
  if (!m) {
    m = modelMaterial.clone()
    m.color = new THREE.Color(color)
    colorMaterials.set(color, m)
  }
  return m
}

/**
 * Draws the model material once when the canvas starts, so the first dropped file does not pay
 * for it: compiling the shader is not enough, GL drivers finish their pipelines at the first
 * draw (SwiftShader: 50–100 ms for this material). The triangle has no area, so nothing shows.
 */
function Prewarm(): null {
  const { gl, scene, camera } = useThree()
  useEffect(() => {
    const g = new THREE.BufferGeometry()
    g.setAttribute('position', new THREE.BufferAttribute(new Float32Array(9), 3))
    const m = new THREE.Mesh(g, modelMaterial)
    scene.add(m)
    gl.render(scene, camera)
    scene.remove(m)
    g.dispose()
  }, [gl, scene, camera])
  return null
}

interface ModelProps {
  positions: Float32Array
  bbox: Bbox
  groups?: ColorGroup[]
  showBox: boolean
  resetToken: number
  bed: BedSize | null
  scale: number
  onRendered: (triangles: number) => void
}

/** 1, 2 or 5 × a power of ten, at least `x`: grid cells that read as round numbers. */
export function niceStep(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return 1
  const p = 10 ** Math.floor(Math.log10(x))
  for (const m of [1, 2, 5, 10]) if (m * p >= x) return m * p
  return 10 * p
}

/** A square grid (size and divisions) with round cells, covering `extent` mm. */
export function gridFor(extent: number): { size: number; divisions: number } {
  const cell = niceStep(extent / 10)
  const divisions = Math.max(1, Math.ceil(extent / cell))
  return { size: cell * divisions, divisions }
}

/** The unit grid and edge colours. */
const GRID_MAJOR = '#5b6478'
const GRID_MINOR = '#3a4152'
const BED_COLOR = new THREE.Color('#f0a040')

function Model({
  positions,
  bbox,
  groups,
  showBox,
  resetToken,
  bed,
  scale,
  onRendered
}: ModelProps): ReactElement {
  const { camera, invalidate } = useThree()
  const controls = useThree((s) => s.controls) as unknown as {
    target: THREE.Vector3
    minDistance: number
    maxDistance: number
    update(): void
  } | null

  const box = useMemo(
    () => new THREE.Box3(new THREE.Vector3(...bbox.min), new THREE.Vector3(...bbox.max)),
    [bbox]
  )
  // One geometry over the buffer as it is (no copy). The bounding sphere comes from the report's
  // bbox, so three does not walk three million vertices to frustum-cull the first frame.
  const geometry = useMemo(() => {
    const g = new THREE.BufferGeometry()
    g.setAttribute('position', new THREE.BufferAttribute(positions, 3))
    g.boundingBox = box.clone()
    g.boundingSphere = box.getBoundingSphere(new THREE.Sphere())
    // One draw group per colour range (3 vertices per triangle), each with its own material.
    groups?.forEach((grp, i) => g.addGroup(grp.start * 3, grp.count * 3, i))
    return g
  }, [positions, box, groups])
  const material = useMemo(
    () => (groups?.length ? groups.map((g) => materialFor(g.color)) : modelMaterial),
    [groups]
  )
  // R3F does not dispose geometry we create ourselves: free the GPU buffer when the file goes.
  useEffect(() => () => geometry.dispose(), [geometry])

  // Seat the model: centred in X/Y, its lowest point on the plate (STL coordinates, Z up).
  const offset = new THREE.Vector3(
    -(box.min.x + box.max.x) / 2,
    -(box.min.y + box.max.y) / 2,
    -box.min.z
  )
  // Sizes in millimetres from here on.
  const dims = new THREE.Vector3().subVectors(box.max, box.min).multiplyScalar(scale)
  // No floor on the radius: a model of 0.07 mm is framed as closely as one of 70 mm.
  const radius = Math.max(dims.length() / 2, 1e-6)

  // A layout effect: the camera moves in the same commit as the model, so no frame shows the new
  // model through the previous model's camera. Only a new model, a new scale or "Reset view" move
  // it: the bounding box toggle, the bed outline and re-renders keep the user's view.
  useLayoutEffect(() => {
    // Fit the camera to the model's bounding sphere, looking from the front-right-top.
    const target = new THREE.Vector3(0, dims.z / 2, 0)
    const dir = new THREE.Vector3(1, 0.8, 1.4).normalize()
    const fov = ((camera as THREE.PerspectiveCamera).fov * Math.PI) / 180
    // Some margin around the bounding sphere, so the model never touches the edges.
    const dist = (radius / Math.sin(fov / 2)) * 1.45
    camera.position.copy(target).addScaledVector(dir, dist)
    camera.near = dist / 1000
    camera.far = dist * 1000
    camera.updateProjectionMatrix()
    if (controls) {
      controls.target.copy(target)
      // Zoom from a twentieth of the model to fifty times the fitted distance, at any size.
      controls.minDistance = radius / 20
      controls.maxDistance = dist * 50
      controls.update()
    }
    invalidate()
  }, [box, scale, resetToken, controls]) // eslint-disable-line react-hooks/exhaustive-deps

  const extent = Math.max(dims.x, dims.y) * 1.6
  const grid = gridFor(Math.max(extent, bed ? Math.max(bed.x, bed.y) : 0, 1e-6))
  // A model much smaller than the grid's cells gets a fine grid of its own as a scale reference.
  const fine = grid.size / grid.divisions > extent ? gridFor(extent * 2) : null
  const bedBox = useMemo(
    () =>
      bed
        ? new THREE.Box3(
            new THREE.Vector3(-bed.x / 2, 0, -bed.y / 2),
            new THREE.Vector3(bed.x / 2, bed.z, bed.y / 2)
          )
        : null,
    [bed]
  )
  return (
    <>
      <group rotation={[-Math.PI / 2, 0, 0]} scale={scale}>
        <group position={offset}>
          <mesh
            geometry={geometry}
            material={material}
            // three counts triangles as it draws; the model is the last triangle mesh of the frame.
            onAfterRender={(renderer) => onRendered(renderer.info.render.triangles)}
          />
        </group>
        {showBox && (
          <box3Helper
            args={[
              new THREE.Box3(box.min.clone().add(offset), box.max.clone().add(offset)),
              new THREE.Color('#4cc3ff')
            ]}
          />
        )}
      </group>
      <gridHelper args={[grid.size, grid.divisions, GRID_MAJOR, GRID_MINOR]} />
      {fine && <gridHelper args={[fine.size, fine.divisions, GRID_MAJOR, GRID_MINOR]} />}
      {bedBox && <box3Helper args={[bedBox, BED_COLOR]} />}
    </>
  )
}

/** Lights, the plate, the model (if any) and the orbit controls. */
export function Scene({
  positions,
  bbox,
  groups,
  showBox,
  resetToken,
  bed = null,
  scale = 1,
  onRendered,
  controlsElement
}: SceneProps): ReactElement {
  return (
    <>
      <color attach="background" args={['#1d2230']} />
      <ambientLight intensity={0.55} />
      <directionalLight position={[1, 2, 1.5]} intensity={1.6} />
      <directionalLight position={[-1.5, 0.5, -1]} intensity={0.5} />
      <Prewarm />
      {positions && bbox ? (
        <Model
          positions={positions}
          bbox={bbox}
          groups={groups}
          showBox={showBox}
          resetToken={resetToken}
          bed={bed}
          scale={scale}
          onRendered={onRendered}
        />
      ) : (
        <gridHelper args={[200, 20, GRID_MAJOR, GRID_MINOR]} />
      )}
      <OrbitControls makeDefault enableDamping={false} domElement={controlsElement} />
    </>
  )
}
