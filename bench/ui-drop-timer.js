// Page side of bench/ui-first-frame.ts, injected into both pages (ours and Online3DViewer's):
// fetches the file (untimed), drops it on the window as a real drag-and-drop delivers it, and
// resolves with the time from the drop event to the first full frame, as each page reports it.
//   ours: the triangle read-out first shows every triangle (the render worker says the GPU has
//         finished that frame); the app's performance marks come along as a breakdown
//   o3dv: window.__o3dv.drawnAt, set by bench/ui-o3dv.js once its frame is finished
window.__dropAndTime = async ({ side, file, triangles }) => {
  const blob = await (await fetch(file)).blob()
  const dt = new DataTransfer()
  dt.items.add(new File([blob], file.split('/').pop()))
  let t0 = 0
  const done = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${side}: no frame in 120 s`)), 120_000)
    if (side === 'ours') {
      const tris = document.querySelector('[data-testid="rendered-tris"]')
      new MutationObserver((_m, obs) => {
        if (tris.textContent !== String(triangles)) return
        const ms = performance.now() - t0
        obs.disconnect()
        clearTimeout(timer)
        // Where the time went: the parsed triangles reaching the page, the render worker getting
        // the model and issuing its frame (it reports both, ms before its report), the GPU.
        const at = (name) => performance.getEntriesByName(name).at(-1)
        const mesh = at('parse:mesh')
        const drawn = at('viewer:drawn')
        const d = drawn?.detail
        const round = (x) => Math.round(x * 10) / 10
        const split =
          mesh && d && mesh.startTime >= t0
            ? {
                parseMs: round(mesh.startTime - t0),
                handOffMs: round(drawn.startTime - d.frameMs - mesh.startTime),
                issueMs: round(d.issuedMs),
                gpuMs: round(d.frameMs - d.issuedMs)
              }
            : undefined
        resolve({ ms, triangles, split })
      }).observe(tris, { childList: true, characterData: true, subtree: true })
    } else {
      // The page records the moment itself; polling only collects it.
      const bench = window.__o3dv
      const poll = setInterval(() => {
        if (bench.error) reject(new Error(bench.error))
        else if (!bench.drawnAt) return
        else resolve({ ms: bench.drawnAt - t0, triangles: bench.triangles })
        clearInterval(poll)
        clearTimeout(timer)
      }, 10)
    }
  })
  t0 = performance.now()
  for (const type of ['dragenter', 'dragover', 'drop'])
    window.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }))
  return done
}
