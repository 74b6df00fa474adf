// Reading a history file that may be damaged: says whether its text is a clean history of this
// store and, when it is not, why, and which whole entries can still be saved from it. Pure text
// in, entries out; never throws.
import type { HistoryEntry } from '../../shared/history'
import { HISTORY_FORMAT, HISTORY_VERSION, parseStoredEntry } from './store-format'

export type Inspection =
  | { kind: 'missing' }
  | { kind: 'ok'; entries: HistoryEntry[]; dropped: number }
  | { kind: 'damaged'; reason: string; salvaged: HistoryEntry[] }

/** Checks a history file's text; never throws. */
export function inspectHistoryText(text: string, storeId: string): Inspection {
  if (text.trim() === '') return { kind: 'damaged', reason: 'the file is empty', salvaged: [] }
  if (text.includes('\u0000')) {
    return {
      kind: 'damaged',
      reason: 'the file contains NUL bytes (an interrupted write or power loss)',
      salvaged: salvageEntries(text, storeId)
    }
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    return {
      kind: 'damaged',
      reason: 'the file is not valid JSON (it may have been cut short)',
      salvaged: salvageEntries(text, storeId)
    }
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    return { kind: 'damaged', reason: 'the file is not a history file', salvaged: [] }
  }
  const rec = data as Record<string, unknown>
  const rawEntries = Array.isArray(rec['entries']) ? (rec['entries'] as unknown[]) : null
  const parseAll = (): { entries: HistoryEntry[]; dropped: number } => {
    const entries: HistoryEntry[] = []
    for (const raw of rawEntries ?? []) {
      const e = parseStoredEntry(raw, storeId)
      if (e) entries.push(e)
    }
    return { entries, dropped: (rawEntries?.length ?? 0) - entries.length }
  }
  if (rec['format'] !== HISTORY_FORMAT || rawEntries === null) {
    return { kind: 'damaged', reason: 'the file is not a history file', salvaged: [] }
  }
  const version = rec['version']
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return {
      kind: 'damaged',
      reason: 'the file has no valid format version',
      salvaged: parseAll().entries
    }
  }
  if (version > HISTORY_VERSION) {
    return {
      kind: 'damaged',
      reason: `it was written by a newer version of Printago Send (format ${version})`,
      salvaged: parseAll().entries
    }
  }
  if (rec['storeId'] !== storeId) {
    return {
      kind: 'damaged',
      reason: `it belongs to another store (${String(rec['storeId'])})`,
      salvaged: []
    }
  }
  return { kind: 'ok', ...parseAll() }
}

/**
 * Recovers whole entries from a truncated or partly overwritten file: walks the `entries` array
 * and parses every complete `{…}` element, stopping at the first NUL or the end of the text.
 */
export function salvageEntries(text: string, storeId: string): HistoryEntry[] {
  const nul = text.indexOf('\u0000')
  const body = nul >= 0 ? text.slice(0, nul) : text
  const key = body.indexOf('"entries"')
  if (key < 0) return []
  const open = body.indexOf('[', key)
  if (open < 0) return []
  const out: HistoryEntry[] = []
  let depth = 0
  let inString = false
  let escaped = false
  let start = -1
  for (let i = open + 1; i < body.length; i++) {
    const ch = body[i]
    if (inString) {
      if (escaped) escaped = false
      else if (ch === '\\') escaped = true
      else if (ch === '"') inString = false
      continue
    }
    if (ch === '"') inString = true
    else if (ch === '{' || ch === '[') {
      if (depth === 0 && ch === '{') start = i
      depth++
    } else if (ch === '}' || ch === ']') {
      if (depth === 0) break // end of the entries array
      depth--
      if (depth === 0 && start >= 0) {
        try {
          const e = parseStoredEntry(JSON.parse(body.slice(start, i + 1)), storeId)
          if (e) out.push(e)
        } catch {
          // a damaged element: skip it, keep walking
        }
        start = -1
      }
    }
  }
  return out
}

/** The entries worth keeping from an inspected file: all when clean, the salvaged ones if not. */
export function usableEntries(inspection: Inspection): HistoryEntry[] {
  if (inspection.kind === 'ok') return inspection.entries
  return inspection.kind === 'damaged' ? inspection.salvaged : []
}
