// Why this exists: V8 allocates a function's type feedback only after several calls. When the
// very first call is a huge parse, the hot loop is optimized on-stack (OSR) with no feedback for
// the code after the loop; the optimized code then deopts at the exit on every later call and
// the loop runs 2–3× slower for the rest of the process (measured: 1M-triangle binary, 14 ms vs
// 37 ms per parse). Running each hot path a dozen times on tiny inputs first gives V8 complete
// feedback, so big inputs get stable optimized code. Costs well under a millisecond, once.

const ROUNDS = 12

let warmed = false

/** Builds a 3-triangle binary STL with one NaN vertex (so every branch records feedback). */
function tinyBinary(): Uint8Array {
  const bytes = new Uint8Array(84 + 3 * 50)
  const view = new DataView(bytes.buffer)
  view.setUint32(80, 3, true)
  const tris = [
    [0, 0, 0, 1, 0, 0, 0, 1, 0],
    [0, 0, 0, 0, 1, 0, 0, 0, 1],
    [NaN, 0, 0, 0, 0, 1, 1, 0, 0]
  ]
  tris.forEach((t, i) => t.forEach((v, k) => view.setFloat32(84 + 50 * i + 12 + 4 * k, v, true)))
  return bytes
}

const TINY_ASCII =
  'solid warm\n# comment\nfacet normal 0 0 -1\nouter loop\nvertex 0 0 0\nvertex 0 1 0\nvertex 1 0 0\n' +
  'endloop\nendfacet\nfacet normal 0 -1 0\nouter loop\nvertex 0 0 0\nvertex 1 0 0\nvertex 0 0 1.5e0\n' +
  'endloop\nendfacet\nfacet\nouter loop\nvertex 0 0 0\nvertex 1 0\nendloop\nendfacet\n' +
  'facet normal 0 0 0\nouter loop\nvertex 0 0 0\nvertex 0 0 1\nvertex 0 1 0\nendloop\nendfacet\n' +
  'facet normal 1 1 1\nouter loop\nvertex 1 0 0\nvertex 0 1 0\nvertex 0 0 1\nendloop\nendfacet\n' +
  'endsolid warm\n'

/**
 * Runs `parse` and `analyze` on tiny binary and ASCII meshes a dozen times, once per process.
 * Callers pass the real functions so this module has no import cycle with them.
 */
export function warmUpOnce(
  parse: (bytes: Uint8Array) => { ok: boolean },
  analyze: (bytes: Uint8Array) => void
): void {
  if (warmed) return
  warmed = true
  const binary = tinyBinary()
  const ascii = new TextEncoder().encode(TINY_ASCII)
  for (let i = 0; i < ROUNDS; i++) {
    parse(binary)
    parse(ascii)
    analyze(binary)
    analyze(ascii)
  }
}
