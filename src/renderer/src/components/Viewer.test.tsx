// @vitest-environment happy-dom
// Without WebGL (no OffscreenCanvas, no context) the viewer says so instead of a blank box, and
// nothing waits for a first frame that will never come.
import { cleanup, render, screen } from '@testing-library/react'
import { afterEach, expect, it, vi } from 'vitest'

import { whenDrawn } from '../lib/first-frame'
import { Viewer } from './Viewer'

afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
})

it('without WebGL, says the preview is unavailable and lets reports through at once', async () => {
  // No canvas can go to a worker here, and the page's canvas has no WebGL context.
  vi.stubGlobal('OffscreenCanvas', undefined)
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null)
  render(
    <Viewer
      fileKey="k"
      fileKeys={['k']}
      positions={new Float32Array(9)}
      bbox={{ min: [0, 0, 0], max: [1, 1, 1] }}
      size={[1, 1, 1]}
      name="gear.stl"
    />
  )
  expect(screen.getByRole('note').textContent).toMatch(
    /^3D preview unavailable: this computer has no WebGL/
  )
  let released = false
  await whenDrawn('k', 60_000).then(() => (released = true))
  expect(released).toBe(true)
})
