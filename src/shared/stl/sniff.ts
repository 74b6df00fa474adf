// Cheap looks at the first bytes: is it text, does it start with `solid`, is it another format.

/** How far into the file the text/binary sniff looks. */
export const SNIFF_BYTES = 4096

/** True when the bytes start with `solid` after an optional UTF-8 BOM and whitespace (any case). */
export function startsWithSolid(bytes: Uint8Array): boolean {
  let i = 0
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3
  while (i < bytes.length && isSpace(bytes[i]!)) i++
  const word = 'solid'
  if (bytes.length - i < word.length) return false
  for (let k = 0; k < word.length; k++) {
    if ((bytes[i + k]! | 0x20) !== word.charCodeAt(k)) return false
  }
  // `solid` must be a whole word: `solidworks...` in a binary header is not a keyword.
  const next = bytes[i + word.length]
  return next === undefined || isSpace(next) || next === 0
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c
}

/**
 * True when the start of the file looks like text: no control bytes other than whitespace.
 * Binary triangle data almost always has some (zero normals, zero attribute bytes), so this
 * separates an ASCII STL from a binary whose header says "solid". NUL padding at the very end of
 * a short text file is tolerated, as is a DOS Ctrl-Z end-of-file mark.
 */
export function looksLikeText(bytes: Uint8Array): boolean {
  let end = Math.min(bytes.length, SNIFF_BYTES)
  // Trailing NUL padding and a DOS end-of-file mark (Ctrl-Z) are not binary content.
  if (end === bytes.length)
    while (end > 0 && (bytes[end - 1] === 0 || bytes[end - 1] === 0x1a)) end--
  // All NUL bytes is an empty binary header, not text.
  if (end === 0) return false
  for (let i = 0; i < end; i++) if (isBinaryByte(bytes[i]!)) return false
  return true
}

/** A byte text does not contain: a control byte other than whitespace, or DEL. */
export function isBinaryByte(c: number): boolean {
  return c < 0x20 ? !isSpace(c) : c === 0x7f
}

/**
 * True when the bytes start like a ZIP archive (a local file header, or the end record of an
 * empty archive). 3MF and gcode.3mf files are ZIP archives: `detectModelFormat` in src/shared/3mf
 * tells them apart from other ZIP files and from STL.
 */
export function isZipMagic(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 &&
    bytes[0] === 0x50 &&
    bytes[1] === 0x4b &&
    ((bytes[2] === 0x03 && bytes[3] === 0x04) || (bytes[2] === 0x05 && bytes[3] === 0x06))
  )
}

interface Magic {
  bytes: number[]
  offset?: number
  what: string
}

const MAGICS: Magic[] = [
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: 'a PNG image' },
  { bytes: [0xff, 0xd8, 0xff], what: 'a JPEG image' },
  { bytes: [0x47, 0x49, 0x46, 0x38], what: 'a GIF image' },
  { bytes: [0x52, 0x49, 0x46, 0x46], what: 'a RIFF media file (WebP, WAV or AVI)' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a ZIP archive (3MF projects are ZIP files)' },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document' },
  { bytes: [0x1f, 0x8b], what: 'a gzip-compressed file' },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf], what: 'a 7-Zip archive' },
  { bytes: [0x52, 0x61, 0x72, 0x21], what: 'a RAR archive' },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], what: 'a program (ELF)' },
  { bytes: [0x66, 0x74, 0x79, 0x70], offset: 4, what: 'a video or HEIC image' }
]

/** Names a well-known non-STL format from its magic bytes, or null. */
export function sniffOtherFormat(bytes: Uint8Array): string | null {
  for (const m of MAGICS) {
    const at = m.offset ?? 0
    if (bytes.length < at + m.bytes.length) continue
    if (m.bytes.every((b, k) => bytes[at + k] === b)) return m.what
  }
  return null
}

/** Names a text format that is not STL (OBJ, G-code, JSON, XML), or null. */
export function sniffTextFormat(bytes: Uint8Array): string | null {
  const end = Math.min(bytes.length, SNIFF_BYTES)
  let head = ''
  for (let i = 0; i < end; i++) head += String.fromCharCode(bytes[i]!)
  if (/^\s*[{[]/.test(head)) return 'a JSON file'
  if (/^\s*</.test(head)) return 'an XML or HTML file'
  if (/^\s*(v|vn|vt|f|o|g|mtllib|usemtl)\s/m.test(head) && /^\s*f\s/m.test(head)) {
    return 'an OBJ model (convert it to STL first)'
  }
  if (/^\s*(G0|G1|G28|M104|M140|M109|M190)\b/m.test(head) || /^;.*(gcode|slic)/im.test(head)) {
    return 'G-code (already sliced)'
  }
  return null
}
