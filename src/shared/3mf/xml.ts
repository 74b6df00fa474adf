// A small streaming XML tokenizer over UTF-8 bytes, for the subset 3MF uses: elements, attributes,
// text, comments, CDATA and processing instructions. No DTD (3MF Core §2.3.2 forbids it, and it is
// what entity-expansion attacks need): `<!DOCTYPE` is an error, and only XML's five predefined
// entities and character references are decoded. Checks well-formedness (matching end tags, one
// root, quotes), bounds nesting depth and the length of one tag, and never builds strings for the
// handler unless asked: handlers get byte spans, so the mesh reader can parse numbers in place.
//
// Input may arrive in chunks split anywhere: an incomplete tag is carried over to the next chunk.

import { fail } from './errors'

export interface XmlHandler {
  /** A start tag: name bytes [ns, ne), raw attribute bytes [as, ae). */
  open(b: Uint8Array, ns: number, ne: number, as: number, ae: number, selfClosing: boolean): void
  /** The end of an element (also called right after `open` for `<x/>`). */
  close(depth: number): void
  /** Character data [s, e) inside the root (raw: call decodeText); CDATA sections come decoded. */
  text(b: Uint8Array, s: number, e: number, cdata: boolean): void
}

export interface XmlOptions {
  /** Deepest element nesting; default 64 (3MF needs 5–7). */
  maxDepth?: number
  /** Longest single tag, comment or CDATA section in bytes; default 1 MiB. */
  maxToken?: number
  /** Names the document in messages, e.g. `3D/3dmodel.model`. */
  what?: string
}

const LT = 0x3c
const GT = 0x3e
const SLASH = 0x2f
const QUOTE = 0x22
const APOS = 0x27

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09
}

export class XmlScanner {
  private carry: Uint8Array | null = null
  private depth = 0
  private rootSeen = false
  private readonly names: string[] = []
  private readonly maxDepth: number
  private readonly maxToken: number
  private readonly what: string
  private started = false

  constructor(
    private readonly handler: XmlHandler,
    options: XmlOptions = {}
  ) {
    this.maxDepth = options.maxDepth ?? 64
    this.maxToken = options.maxToken ?? 1 << 20
    this.what = options.what ?? 'The XML'
  }

  /** Feeds the next chunk (any split). The chunk is not kept beyond this call. */
  push(chunk: Uint8Array): void {
    let b = chunk
    if (this.carry) {
      b = new Uint8Array(this.carry.length + chunk.length)
      b.set(this.carry)
      b.set(chunk, this.carry.length)
      this.carry = null
    }
    let start = 0
    if (!this.started && b.length > 0) {
      if (b.length < 3 && b[0] === 0xef) {
        this.carry = b.slice()
        return
      }
      this.started = true
      if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) start = 3
      else if ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff) || b[0] === 0) {
        this.malformed('is encoded in UTF-16; 3MF requires UTF-8')
      }
    }
    const stop = this.scan(b, start)
    if (stop < b.length) {
      if (b.length - stop > this.maxToken) {
        this.malformed(`has a tag longer than ${this.maxToken} bytes`)
      }
      this.carry = b.slice(stop)
    }
  }

  /** Ends the document: fails unless every element was closed and there was a root. */
  finish(): void {
    if (this.carry && this.carry.length > 0) {
      this.malformed('ends inside a tag (truncated)')
    }
    if (this.depth > 0) {
      this.malformed(`ends before </${this.names[this.depth - 1]}> (truncated)`)
    }
    if (!this.rootSeen) this.malformed('has no root element')
  }

  private malformed(why: string): never {
    fail('malformed-xml', `${this.what} ${why}.`)
  }

  /** Consumes complete tokens of b[from..]; returns where the first incomplete one starts. */
  private scan(b: Uint8Array, from: number): number {
    const end = b.length
    let i = from
    while (i < end) {
      if (b[i] !== LT) {
        let j = i
        while (j < end && b[j] !== LT) j++
        if (j === end) {
          // Text that runs to the chunk's end: keep an unfinished `&…;` for the next chunk.
          let amp = end - 1
          while (amp >= i && amp > end - 40 && b[amp] !== 0x26 && b[amp] !== 0x3b) amp--
          if (amp >= i && b[amp] === 0x26) j = amp
        }
        if (this.depth > 0) {
          if (j > i) this.handler.text(b, i, j, false)
        } else {
          for (let k = i; k < j; k++)
            if (!isWs(b[k]!)) this.malformed('has text outside its root element')
        }
        // An unfinished entity right at the start: wait for the next chunk.
        if (j === i) return j
        i = j
        continue
      }
      if (i + 1 >= end) return i
      const c = b[i + 1]!
      if (c === SLASH) {
        let j = i + 2
        while (j < end && b[j] !== GT) j++
        if (j >= end) return i
        let ne = j
        while (ne > i + 2 && isWs(b[ne - 1]!)) ne--
        this.endTag(b, i + 2, ne)
        i = j + 1
        continue
      }
      if (c === 0x3f) {
        // <? … ?>: the XML declaration or a processing instruction.
        const j = indexOf2(b, i + 2, end, 0x3f, GT)
        if (j < 0) return i
        i = j + 2
        continue
      }
      if (c === 0x21) {
        const j = this.special(b, i, end)
        if (j < 0) return i
        i = j
        continue
      }
      // A start tag: the name, then attributes up to a '>' outside quotes.
      let ne = i + 1
      while (ne < end) {
        const d = b[ne]!
        if (isWs(d) || d === GT || d === SLASH) break
        ne++
      }
      let j = ne
      let q = 0
      while (j < end) {
        const d = b[j]!
        if (q !== 0) {
          if (d === q) q = 0
        } else if (d === GT) break
        else if (d === QUOTE || d === APOS) q = d
        else if (d === LT) this.malformed('has a "<" inside a tag')
        j++
      }
      if (j >= end) return i
      if (j - i > this.maxToken) this.malformed(`has a tag longer than ${this.maxToken} bytes`)
      if (ne === i + 1) this.malformed('has a tag without a name')
      const selfClosing = b[j - 1] === SLASH && j - 1 >= ne
      if (this.depth === 0) {
        if (this.rootSeen) this.malformed('has more than one root element')
        this.rootSeen = true
      }
      if (this.depth >= this.maxDepth) {
        this.malformed(`nests elements more than ${this.maxDepth} deep`)
      }
      this.depth++
      if (!selfClosing) this.names.push(latin1(b, i + 1, ne))
      this.handler.open(b, i + 1, ne, ne, selfClosing ? j - 1 : j, selfClosing)
      if (selfClosing) this.handler.close(--this.depth)
      i = j + 1
    }
    return end
  }

  private endTag(b: Uint8Array, ns: number, ne: number): void {
    if (this.depth === 0) this.malformed('closes an element it never opened')
    const open = this.names[this.depth - 1]!
    let same = open.length === ne - ns
    for (let k = 0; same && k < open.length; k++) same = open.charCodeAt(k) === b[ns + k]
    if (!same) this.malformed(`closes <${open}> with </${latin1(b, ns, ne)}>`)
    this.names.pop()
    this.handler.close(--this.depth)
  }

  /** `<!--`, `<![CDATA[`, `<!DOCTYPE`…: returns the index after it, or -1 when incomplete. */
  private special(b: Uint8Array, i: number, end: number): number {
    if (startsWith(b, i, end, '<!--')) {
      for (let j = i + 4; j + 2 < end; j++) {
        if (b[j] === 0x2d && b[j + 1] === 0x2d && b[j + 2] === GT) return j + 3
      }
      return -1
    }
    if (startsWith(b, i, end, '<![CDATA[')) {
      for (let j = i + 9; j + 2 < end; j++) {
        if (b[j] === 0x5d && b[j + 1] === 0x5d && b[j + 2] === GT) {
          if (this.depth === 0) this.malformed('has CDATA outside its root element')
          this.handler.text(b, i + 9, j, true)
          return j + 3
        }
      }
      return -1
    }
    if (end - i < 9) return -1
    if (startsWith(b, i, end, '<!DOCTYPE') || startsWith(b, i, end, '<!ENTITY')) {
      this.malformed('declares a DTD (<!DOCTYPE>), which 3MF forbids')
    }
    this.malformed('has an unknown <! declaration')
  }
}

function startsWith(b: Uint8Array, i: number, end: number, s: string): boolean {
  if (end - i < s.length) return false
  for (let k = 0; k < s.length; k++) if (b[i + k] !== s.charCodeAt(k)) return false
  return true
}

function indexOf2(b: Uint8Array, from: number, end: number, c1: number, c2: number): number {
  for (let j = from; j + 1 < end; j++) if (b[j] === c1 && b[j + 1] === c2) return j
  return -1
}

/** Bytes as a string, one char per byte (names are ASCII in practice; compared bytewise). */
export function latin1(b: Uint8Array, s: number, e: number): string {
  let out = ''
  for (let k = s; k < e; k++) out += String.fromCharCode(b[k]!)
  return out
}

const decoder = new TextDecoder()

/** Decodes UTF-8 text or an attribute value, resolving the five XML entities and &#…; refs. */
export function decodeText(b: Uint8Array, s: number, e: number): string {
  let amp = -1
  let ascii = true
  for (let k = s; k < e; k++) {
    const c = b[k]!
    if (c === 0x26) {
      amp = k
      break
    }
    if (c >= 0x80) ascii = false
  }
  if (amp < 0) return ascii && e - s < 64 ? latin1(b, s, e) : decoder.decode(b.subarray(s, e))
  const raw = decoder.decode(b.subarray(s, e))
  let out = ''
  let k = 0
  for (;;) {
    const a = raw.indexOf('&', k)
    if (a < 0) return out + raw.slice(k)
    const semi = raw.indexOf(';', a)
    if (semi < 0 || semi - a > 33) {
      fail('malformed-xml', 'The XML has an "&" that does not start an entity.')
    }
    out += raw.slice(k, a) + resolveEntity(raw.slice(a + 1, semi))
    k = semi + 1
  }
}

function resolveEntity(name: string): string {
  switch (name) {
    case 'lt':
      return '<'
    case 'gt':
      return '>'
    case 'amp':
      return '&'
    case 'quot':
      return '"'
    case 'apos':
      return "'"
  }
  const m = /^#(x[0-9a-fA-F]{1,6}|[0-9]{1,7})$/.exec(name)
  if (m) {
    const code = m[1]![0] === 'x' ? parseInt(m[1]!.slice(1), 16) : parseInt(m[1]!, 10)
    if (code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)) {
      return String.fromCodePoint(code)
    }
  }
  fail(
    'malformed-xml',
    `The XML uses the entity "&${name.slice(0, 32)};", which is not defined (3MF allows no DTD, so only &lt; &gt; &amp; &quot; &apos; and &#…; exist).`
  )
}

/**
 * Calls `each` for every attribute in raw bytes [s, e) with its name and value spans (value
 * still encoded). Fails on anything that is not `name = "value"` or `name = 'value'`.
 */
export function forEachAttribute(
  b: Uint8Array,
  s: number,
  e: number,
  each: (ns: number, ne: number, vs: number, ve: number) => void
): void {
  let i = s
  for (;;) {
    while (i < e && isWs(b[i]!)) i++
    if (i >= e) return
    const ns = i
    while (i < e && !isWs(b[i]!) && b[i] !== 0x3d) i++
    const ne = i
    while (i < e && isWs(b[i]!)) i++
    if (i >= e || b[i] !== 0x3d || ne === ns) badAttributes(b, s, e)
    i++
    while (i < e && isWs(b[i]!)) i++
    const q = b[i]
    if (q !== QUOTE && q !== APOS) badAttributes(b, s, e)
    const vs = ++i
    while (i < e && b[i] !== q) i++
    if (i >= e) badAttributes(b, s, e)
    each(ns, ne, vs, i)
    i++
    if (i < e && !isWs(b[i]!)) badAttributes(b, s, e)
  }
}

function badAttributes(b: Uint8Array, s: number, e: number): never {
  const sample = latin1(b, s, Math.min(e, s + 60)).trim()
  fail('malformed-xml', `The XML has malformed attributes ("${sample}").`)
}

/** All attributes as a map of decoded strings (names keep their prefix, e.g. `p:path`). */
export function readAttributes(b: Uint8Array, s: number, e: number): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>
  forEachAttribute(b, s, e, (ns, ne, vs, ve) => {
    const name = latin1(b, ns, ne)
    if (name in out) fail('malformed-xml', `The XML repeats the attribute "${name}" in one tag.`)
    out[name] = decodeText(b, vs, ve)
  })
  return out
}
