// A tiny element tree for the small XML files next to the model (relationships, content types,
// the slicers' `.config` files): element names, decoded attributes, text. Bounded in nodes.

import { fail } from './errors'
import { decodeText, latin1, readAttributes, XmlScanner, type XmlHandler } from './xml'

export interface XNode {
  /** The name as written, prefix included (`Relationship`, `metadata`). */
  name: string
  attrs: Record<string, string>
  children: XNode[]
  text: string
}

const MAX_NODES = 1_000_000
const MAX_TEXT = 1 << 20

class TreeBuilder implements XmlHandler {
  readonly root: XNode = { name: '#document', attrs: {}, children: [], text: '' }
  private readonly stack: XNode[] = [this.root]
  private nodes = 0

  open(b: Uint8Array, ns: number, ne: number, as: number, ae: number): void {
    if (++this.nodes > MAX_NODES)
      fail('over-budget', 'An XML file in the 3MF has too many elements.')
    const node: XNode = {
      name: latin1(b, ns, ne),
      attrs: readAttributes(b, as, ae),
      children: [],
      text: ''
    }
    this.stack[this.stack.length - 1]!.children.push(node)
    this.stack.push(node)
  }

  close(): void {
    this.stack.pop()
  }

  text(b: Uint8Array, s: number, e: number, cdata: boolean): void {
    const node = this.stack[this.stack.length - 1]!
    if (node.text.length >= MAX_TEXT) return
    node.text += cdata ? new TextDecoder().decode(b.subarray(s, e)) : decodeText(b, s, e)
  }
}

/** Parses a whole small XML document; returns its root element. */
export function parseXml(bytes: Uint8Array, what: string): XNode {
  const builder = new TreeBuilder()
  const scanner = new XmlScanner(builder, { what: `'${what}'` })
  scanner.push(bytes)
  scanner.finish()
  return builder.root.children[0]!
}

/** Local part of a name (`p:path` → `path`). */
export function local(name: string): string {
  const c = name.indexOf(':')
  return c < 0 ? name : name.slice(c + 1)
}

/** Child elements with this local name. */
export function childrenNamed(node: XNode, name: string): XNode[] {
  return node.children.filter((c) => local(c.name) === name)
}

/** `<metadata key="k" value="v"/>` children as a map (Bambu, Orca and Prusa config style). */
export function keyValues(node: XNode): Map<string, string> {
  const out = new Map<string, string>()
  for (const m of childrenNamed(node, 'metadata')) {
    const key = m.attrs['key']
    if (key !== undefined && !out.has(key)) out.set(key, m.attrs['value'] ?? m.text)
  }
  return out
}
