// Page script of bench/ui-o3dv.html: Online3DViewer's embedded viewer, sized by the query string
// (?w=&h=, our viewer's canvas size), with the drop → first full frame timing the bench reads.
/* global OV */
const params = new URLSearchParams(location.search)
const host = document.getElementById('host')
host.style.width = `${Number(params.get('w')) || 800}px`
host.style.height = `${Number(params.get('h')) || 600}px`

const bench = { dropAt: 0, drawnAt: 0, triangles: 0, error: null }
window.__o3dv = bench

const viewer = new OV.EmbeddedViewer(host, {
  backgroundColor: new OV.RGBAColor(29, 34, 48, 255),
  defaultColor: new OV.RGBColor(240, 138, 40),
  onModelLoaded: () => {
    // The model has been drawn (FitSphereToWindow renders): wait for the GPU to finish it.
    const renderer = viewer.GetViewer().renderer
    const gl = renderer.getContext()
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4))
    bench.drawnAt = performance.now()
    bench.triangles = renderer.info.render.triangles
  },
  onModelLoadFailed: () => {
    bench.error = 'model load failed'
  }
})

window.addEventListener('dragover', (e) => e.preventDefault())
window.addEventListener('drop', (e) => {
  e.preventDefault()
  bench.dropAt = performance.now()
  viewer.LoadModelFromFileList(Array.from(e.dataTransfer.files))
})
// The viewer and its WebGL context exist: the page is ready for a drop.
document.body.dataset.ready = '1'
