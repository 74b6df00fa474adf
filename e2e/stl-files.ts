// Builds STL files for the browser tests (binary, little-endian), so no large fixtures are committed.

type Tri = [number, number, number][]

function binaryStl(tris: Tri[], header = 'e2e fixture'): Buffer {
  const buf = Buffer.alloc(84 + 50 * tris.length)
  buf.write(header.padEnd(80, ' '), 0, 'ascii')
  buf.writeUInt32LE(tris.length, 80)
  tris.forEach((t, i) => {
    const o = 84 + i * 50 + 12
    t.forEach((v, k) => v.forEach((c, j) => buf.writeFloatLE(c, o + k * 12 + j * 4)))
  })
  return buf
}

/** An axis-aligned box sx × sy × sz mm (12 triangles, closed, outward normals). */
export function boxStl(sx: number, sy: number, sz: number): Buffer {
  const v = (x: number, y: number, z: number): [number, number, number] => [x * sx, y * sy, z * sz]
  const quads: Array<[number[], number[], number[], number[]]> = [
    [
      [0, 0, 0],
      [0, 1, 0],
      [1, 1, 0],
      [1, 0, 0]
    ],
    [
      [0, 0, 1],
      [1, 0, 1],
      [1, 1, 1],
      [0, 1, 1]
    ],
    [
      [0, 0, 0],
      [1, 0, 0],
      [1, 0, 1],
      [0, 0, 1]
    ],
    [
      [0, 1, 0],
      [0, 1, 1],
      [1, 1, 1],
      [1, 1, 0]
    ],
    [
      [0, 0, 0],
      [0, 0, 1],
      [0, 1, 1],
      [0, 1, 0]
    ],
    [
      [1, 0, 0],
      [1, 1, 0],
      [1, 1, 1],
      [1, 0, 1]
    ]
  ]
  const tris: Tri[] = []
  for (const [a, b, c, d] of quads) {
    const [A, B, C, D] = [a, b, c, d].map((p) => v(p[0]!, p[1]!, p[2]!)) as [
      number,
      number,
      number
    ][]
    tris.push([A!, B!, C!], [A!, C!, D!])
  }
  return binaryStl(tris)
}

/** A torus with `seg × ring × 2` triangles (R major, r minor radius, mm). */
export function torusStl(seg = 32, ring = 16, R = 30, r = 10): Buffer {
  const p = (i: number, j: number): [number, number, number] => {
    const u = (i / seg) * Math.PI * 2
    const w = (j / ring) * Math.PI * 2
    return [
      (R + r * Math.cos(w)) * Math.cos(u),
      (R + r * Math.cos(w)) * Math.sin(u),
      r * Math.sin(w) + r
    ]
  }
  const tris: Tri[] = []
  for (let i = 0; i < seg; i++)
    for (let j = 0; j < ring; j++) {
      // Wrap indices so the seam shares exact vertices: the torus is closed.
      const i1 = (i + 1) % seg,
        j1 = (j + 1) % ring
      const a = p(i, j),
        b = p(i1, j),
        c = p(i1, j1),
        d = p(i, j1)
      tris.push([a, b, c], [a, c, d])
    }
  return binaryStl(tris, 'solid torus (binary, header starts with solid)')
}

/** A binary STL whose header claims more triangles than the file holds. */
export function truncatedStl(): Buffer {
  const b = boxStl(10, 10, 10)
  b.writeUInt32LE(5000, 80)
  return b.subarray(0, 84 + 50 * 7)
}
