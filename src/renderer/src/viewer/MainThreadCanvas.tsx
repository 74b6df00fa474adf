// The scene on the main thread, for where a canvas cannot go to the render worker (or the worker
// got no WebGL). Loaded on demand (React.lazy): three.js and R3F stay out of the main bundle, so
// the main screen never waits for them.
import { Canvas } from '@react-three/fiber'
import type { ReactElement } from 'react'

import { Scene, VIEWER_CAMERA, VIEWER_GL, type SceneProps } from './Scene'

/** `<Canvas>` with the viewer's scene; a DOM note where WebGL cannot start. */
export default function MainThreadCanvas(props: SceneProps): ReactElement {
  return (
    <Canvas
      frameloop="demand"
      camera={VIEWER_CAMERA}
      gl={VIEWER_GL}
      fallback={<div className="viewer-empty">3D preview unavailable (WebGL could not start).</div>}
    >
      <Scene {...props} />
    </Canvas>
  )
}
