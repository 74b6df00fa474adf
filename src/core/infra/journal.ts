// Crash-safe append-only journal (an outbox) with periodic snapshots. (Longer than our usual
// module: open, replay, append and compaction are one crash-safety protocol, read together.)
//
// Layout of a journal directory:
//   journal.log        JSON Lines, each line `<crc32 hex> <json>\n`; fsync'd after every append
//   journal.snapshot   one such line holding the reduced state and the last seq it includes
//   journal.snapshot.bak  the previous snapshot
//   journal.lock       the single-writer lock of the store's folder (infra/lock.ts)
//   quarantine/        unreadable files moved (or copied) aside — never deleted
//
// A torn last line (crash mid-append) fails its CRC or lacks its newline: it is dropped and the
// file truncated to the last good line. A bad line elsewhere means real corruption: a copy of the
// file goes to quarantine/, readable lines are still used, and `issues` reports it.
import { constants, existsSync, mkdirSync, openSync, closeSync, fsyncSync } from 'node:fs'
import { copyFile, mkdir, open, readFile, rename } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { crc32 } from 'node:zlib'

import { fsLayer, type AppendFile } from './fs'
import { acquireLock, LockHeldError, type LockHandle } from './lock'

/** One journal line: a state transition. */
export interface JournalEntry {
  seq: number
  at: number
  type: string
  [key: string]: unknown
}

/** Something the journal found wrong while opening; shown to the user, never silently cleared. */
export interface JournalIssue {
  kind: 'torn-tail' | 'corrupt-entry' | 'corrupt-snapshot' | 'unreadable'
  file: string
  /** Where the original bytes were preserved, if they were. */
  quarantinedTo?: string
  message: string
}

export interface JournalOptions<S> {
  dir: string
  empty: () => S
  /** Fold one entry into the state (mutating is fine). */
  apply: (state: S, entry: JournalEntry) => void
  toSnapshot: (state: S) => unknown
  fromSnapshot: (data: unknown) => S
  /** Compact after this many appended entries. Default 500. */
  compactEvery?: number
  now?: () => number
  /** Whether the state knows this job id (names what a damaged snapshot lost). */
  knows?: (state: S, jobId: string) => boolean
  /** Wait this long for another process's lock on the folder (default 0: refuse at once). */
  lockWaitMs?: number
  /** Test hook: called before each durable write; throwing simulates a crash at that point. */
  beforeWrite?: (entries: JournalEntry[]) => void
}

export interface Journal<S> {
  readonly dir: string
  readonly state: S
  readonly issues: JournalIssue[]
  /** Append entries durably (written + fsync'd) and fold them into the state. */
  append(...entries: Array<Omit<JournalEntry, 'seq' | 'at'> & { at?: number }>): Promise<void>
  /** Write a snapshot and truncate the log. */
  compact(): Promise<void>
  close(): Promise<void>
}

/** Thrown when another live process holds the journal directory. */
export class JournalLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number
  ) {
    super(
      `Another Printago Send instance (pid ${pid}) is sending from this store's folder (${dir})`
    )
    this.name = 'JournalLockedError'
  }
}

export const LOG = 'journal.log'
export const SNAPSHOT = 'journal.snapshot'

/** Job ids quoted in (possibly damaged) journal text: what a salvage could not recover names. */
function subjectsIn(text: string): string[] {
  return [...text.matchAll(/"jobId":"([^"\\]{1,100})"/g)].map((m) => m[1]!)
}

/** " (jobs a, b)" for an issue message, or "" when none is known. */
function namedJobs(ids: string[]): string {
  if (ids.length === 0) return ''
  const shown = ids.slice(0, 5).join(', ')
  return ` (job${ids.length === 1 ? '' : 's'} ${shown}${ids.length > 5 ? ` and ${ids.length - 5} more` : ''})`
}

/** Encode one line: CRC32 of the JSON text, a space, the JSON, a newline. */
export function encodeLine(value: unknown): string {
  const json = JSON.stringify(value)
  const crc = crc32(json).toString(16).padStart(8, '0')
  return `${crc} ${json}\n`
}

/** Decode one line (without its newline); undefined when the CRC or JSON is bad. */
export function decodeLine(line: string): unknown {
  if (line.length < 10 || line[8] !== ' ') return undefined
  const json = line.slice(9)
  const crc = crc32(json).toString(16).padStart(8, '0')
  if (crc !== line.slice(0, 8)) return undefined
  try {
    return JSON.parse(json) as unknown
  } catch {
    return undefined
  }
}

/** A decoded line as a journal entry, if it is one. */
function asEntry(value: unknown): JournalEntry | undefined {
  const e = value as JournalEntry | undefined
  return e && typeof e.seq === 'number' && typeof e.type === 'string' ? e : undefined
}

/**
 * The whole records inside a damaged line: when the newline between two records is flipped they
 * share a line, each still with a valid CRC (so does the last record when its own newline was
 * flipped). A record starts with 8 hex digits and a space; it ends right before the next record's
 * start (minus the damaged byte) or at the line's end (minus the damaged byte).
 */
export function salvage(text: string): JournalEntry[] {
  const starts: number[] = []
  const start = /[0-9a-f]{8} \{/g
  for (let m = start.exec(text); m; m = start.exec(text)) {
    starts.push(m.index)
    start.lastIndex = m.index + 1
  }
  const out: JournalEntry[] = []
  let after = 0
  for (const [k, from] of starts.entries()) {
    if (from < after) continue
    const ends = [...starts.slice(k + 1).flatMap((s) => [s - 1, s]), text.length - 1, text.length]
    for (const end of ends) {
      const entry = end > from ? asEntry(decodeLine(text.slice(from, end))) : undefined
      if (entry) {
        out.push(entry)
        after = end
        break
      }
    }
  }
  return out
}

/** fsync a directory so a create/rename inside it survives power loss (no-op where unsupported). */
export function fsyncDir(dir: string): void {
  let fd: number | undefined
  try {
    fd = openSync(dir, constants.O_RDONLY)
    fsyncSync(fd)
  } catch {
    // Windows cannot open directories; NTFS metadata journaling covers renames there.
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/** Write a file atomically and durably: temp + fsync + rename + directory fsync. */
export async function writeFileDurable(file: string, data: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`
  const fh = await open(tmp, 'w')
  try {
    await fh.writeFile(data)
    await fh.sync()
  } finally {
    await fh.close()
  }
  await rename(tmp, file)
  fsyncDir(dirname(file))
}

function ensureDir(dir: string): void {
  if (existsSync(dir)) return
  const parent = dirname(dir)
  ensureDir(parent)
  mkdirSync(dir)
  // The new directory entry must be durable too, or a power cut could lose the journal.
  fsyncDir(parent)
}

async function takeLock(dir: string, waitMs: number): Promise<LockHandle> {
  try {
    return await acquireLock(join(dir, 'journal.lock'), { waitMs })
  } catch (error) {
    if (error instanceof LockHeldError) throw new JournalLockedError(dir, error.owner.pid)
    throw error
  }
}

/** Open (or create) a journal directory and rebuild the state from snapshot + log. */
export async function openJournal<S>(options: JournalOptions<S>): Promise<Journal<S>> {
  const { dir } = options
  const now = options.now ?? Date.now
  const compactEvery = options.compactEvery ?? 500
  ensureDir(dir)
  const lock = await takeLock(dir, options.lockWaitMs ?? 0)
  const issues: JournalIssue[] = []
  const logPath = join(dir, LOG)
  const snapPath = join(dir, SNAPSHOT)
  const quarantineDir = join(dir, 'quarantine')

  const quarantine = async (file: string, move: boolean): Promise<string> => {
    ensureDir(quarantineDir)
    const stamp = new Date(now()).toISOString().replace(/[:.]/g, '-')
    const dest = join(quarantineDir, `${basename(file)}.${stamp}`)
    if (move) await rename(file, dest)
    else await copyFile(file, dest)
    fsyncDir(quarantineDir)
    fsyncDir(dir)
    return dest
  }

  // 1. Snapshot (or its backup when the snapshot is unreadable).
  let state = options.empty()
  let baseSeq = 0
  const readSnapshot = async (
    file: string
  ): Promise<{ seq: number; data: unknown } | 'missing' | 'bad'> => {
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'bad'
    }
    const decoded = decodeLine(text.replace(/\n$/, '')) as
      { seq?: unknown; data?: unknown } | undefined
    if (!decoded || typeof decoded.seq !== 'number') return 'bad'
    return { seq: decoded.seq, data: decoded.data }
  }
  const bakPath = `${snapPath}.bak`
  let snap = await readSnapshot(snapPath)
  const bak = await readSnapshot(bakPath)
  // The log keeps every entry after the .bak's seq, so the .bak plus the log rebuild whatever a
  // damaged snapshot held (compaction never truncates what the .bak lacks).
  let bakSeq = typeof bak === 'object' ? bak.seq : 0
  let snapSeq = 0
  let damagedSnapshot: { text: string; dest: string } | undefined
  if (snap === 'bad') {
    const text = await readFile(snapPath, 'utf8').catch(() => '')
    const dest = await quarantine(snapPath, true)
    damagedSnapshot = { text, dest }
    snap = bak
  } else if (snap === 'missing' && typeof bak === 'object') {
    // An earlier open moved a damaged snapshot aside: the .bak is still the base (the log only
    // holds what came after it) until a new snapshot is written.
    snap = bak
  }
  if (typeof snap === 'object') {
    try {
      state = options.fromSnapshot(snap.data)
      baseSeq = snap.seq
      snapSeq = snap.seq
    } catch (error) {
      issues.push({
        kind: 'corrupt-snapshot',
        file: snapPath,
        message: `The send journal snapshot could not be loaded: ${(error as Error).message}`
      })
      state = options.empty()
    }
  }
  // The .bak stays the fallback until a new snapshot is written — right after the replay below.
  const fromBak = snap === bak && typeof bak === 'object'
  if (snap === bak) snapSeq = 0

  // 2. Log replay.
  let lastSeq = baseSeq
  let sinceCompact = 0
  let needsCompact = false
  let raw: Buffer | undefined
  try {
    raw = await readFile(logPath)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      const dest = await quarantine(logPath, true)
      issues.push({
        kind: 'unreadable',
        file: logPath,
        quarantinedTo: dest,
        message: `The send journal could not be read and was moved to ${dest}`
      })
    }
  }
  const damagedSubjects = new Set<string>()
  if (raw && raw.length > 0) {
    let offset = 0
    let goodEnd = 0
    let badMiddle = 0
    let salvaged = 0
    let tornTail = false
    const lines: Array<{ start: number; end: number; complete: boolean }> = []
    while (offset < raw.length) {
      const nl = raw.indexOf(0x0a, offset)
      if (nl === -1) {
        lines.push({ start: offset, end: raw.length, complete: false })
        break
      }
      lines.push({ start: offset, end: nl, complete: true })
      offset = nl + 1
    }
    const applyEntry = (entry: JournalEntry): void => {
      if (entry.seq <= baseSeq) return
      try {
        options.apply(state, entry)
      } catch {
        badMiddle++
        if (typeof entry['jobId'] === 'string') damagedSubjects.add(entry['jobId'])
        return
      }
      lastSeq = Math.max(lastSeq, entry.seq)
      sinceCompact++
    }
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!
      const isLast = i === lines.length - 1
      const text = raw.subarray(line.start, line.end).toString('utf8')
      const entry = line.complete ? asEntry(decodeLine(text)) : undefined
      if (entry) {
        goodEnd = line.end + 1
        applyEntry(entry)
        continue
      }
      // A flipped newline merges two records into one line: both are still whole.
      const found = salvage(text)
      if (isLast && !line.complete && found.length === 0) {
        // An incomplete last line is an interrupted append. (A complete one that fails its CRC
        // was written whole: that is damage, like any other line.)
        tornTail = true
        continue
      }
      badMiddle++
      salvaged += found.length
      for (const id of subjectsIn(text)) damagedSubjects.add(id)
      for (const e of found) applyEntry(e)
    }
    if (badMiddle > 0) {
      const dest = await quarantine(logPath, false)
      issues.push({
        kind: 'corrupt-entry',
        file: logPath,
        quarantinedTo: dest,
        message:
          `${badMiddle} damaged entr${badMiddle === 1 ? 'y' : 'ies'} in the send journal ${badMiddle === 1 ? 'was' : 'were'} skipped${namedJobs([...damagedSubjects])}` +
          `${salvaged > 0 ? ` (${salvaged} whole entr${salvaged === 1 ? 'y was' : 'ies were'} recovered from them)` : ''}; a copy was kept at ${dest}`
      })
      needsCompact = true
    }
    if (tornTail) {
      issues.push({
        kind: 'torn-tail',
        file: logPath,
        message: 'An incomplete last entry of the send journal (interrupted write) was dropped'
      })
      if (!needsCompact) {
        const fh = await open(logPath, 'r+')
        try {
          await fh.truncate(goodEnd)
          await fh.sync()
        } finally {
          await fh.close()
        }
      }
    }
  }

  if (damagedSnapshot) {
    // Name every send the damaged snapshot mentions that the .bak and the log could not bring back.
    const lost = [...new Set(subjectsIn(damagedSnapshot.text))].filter(
      (id) => options.knows && !options.knows(state, id)
    )
    issues.push({
      kind: 'corrupt-snapshot',
      file: snapPath,
      quarantinedTo: damagedSnapshot.dest,
      message:
        `The send journal snapshot was unreadable; it was moved to ${damagedSnapshot.dest} and the state was rebuilt from the previous snapshot and the log` +
        (lost.length > 0 ? `; these sends could not be recovered${namedJobs(lost)}` : '')
    })
  }

  let log: AppendFile = await fsLayer().openAppend(logPath)
  if (raw === undefined) fsyncDir(dir)

  // All file I/O runs one step at a time on this chain, so a compaction can never truncate the
  // log under an append. Appends that arrive while a write+fsync runs go out together in the
  // next one (group commit).
  let chain: Promise<void> = Promise.resolve()
  const serial = (fn: () => Promise<void>): Promise<void> => {
    const run = chain.then(fn)
    chain = run.catch(() => undefined)
    return run
  }
  let queue: Array<{ entries: JournalEntry[]; resolve: () => void; reject: (e: unknown) => void }> =
    []
  let scheduled = false
  let closed = false
  let broken: unknown
  let appliedSeq = lastSeq

  const doCompact = async (): Promise<void> => {
    const line = encodeLine({ seq: appliedSeq, data: options.toSnapshot(state) })
    if (snapSeq > 0 && existsSync(snapPath)) {
      // The current snapshot becomes the fallback, durably, before anything it covers goes.
      await writeFileDurable(bakPath, await readFile(snapPath, 'utf8'))
      bakSeq = snapSeq
    }
    await writeFileDurable(snapPath, line)
    snapSeq = appliedSeq
    // Keep every entry the .bak lacks: a damaged snapshot is rebuilt from the .bak and these.
    const text = await readFile(logPath, 'utf8')
    const kept = text
      .split('\n')
      .filter((l) => {
        const e = decodeLine(l) as JournalEntry | undefined
        return e !== undefined && typeof e.seq === 'number' && e.seq > bakSeq
      })
      .map((l) => `${l}\n`)
      .join('')
    await writeFileDurable(logPath, kept)
    await log.close()
    log = await fsLayer().openAppend(logPath)
    sinceCompact = 0
  }

  const flush = async (): Promise<void> => {
    scheduled = false
    const batch = queue
    queue = []
    if (batch.length === 0) return
    const entries = batch.flatMap((b) => b.entries)
    try {
      if (broken) throw broken
      options.beforeWrite?.(entries)
      await log.write(entries.map(encodeLine).join(''))
      await log.sync()
    } catch (error) {
      // After a failed write the file position is unknown: refuse further appends.
      broken = error
      for (const b of batch) b.reject(error)
      return
    }
    for (const e of entries) {
      try {
        options.apply(state, e)
      } catch {
        // A reducer bug must not wedge the journal; the entry is durable and replays on open.
      }
      appliedSeq = Math.max(appliedSeq, e.seq)
    }
    sinceCompact += entries.length
    for (const b of batch) b.resolve()
    if (sinceCompact >= compactEvery) await doCompact().catch(() => undefined)
  }

  if (needsCompact || fromBak) {
    // The damaged log was copied to quarantine; the rewrite keeps only its readable entries. A
    // state rebuilt from the .bak gets its snapshot back at once.
    await doCompact()
  } else if (sinceCompact >= compactEvery) {
    await doCompact()
  }

  const journal: Journal<S> = {
    dir,
    get state() {
      return state
    },
    issues,
    append(...partial) {
      if (closed) return Promise.reject(new Error('journal closed'))
      if (broken) return Promise.reject(broken)
      const entries = partial.map(
        (p) => ({ ...p, seq: ++lastSeq, at: p.at ?? now() }) as JournalEntry
      )
      return new Promise<void>((resolve, reject) => {
        queue.push({ entries, resolve, reject })
        if (!scheduled) {
          scheduled = true
          void serial(flush)
        }
      })
    },
    compact: () => serial(doCompact),
    async close() {
      if (closed) return
      closed = true
      await serial(async () => {
        await log.close()
        await lock.release()
      })
    }
  }
  return journal
}

/** Ensure a directory exists (durably) — exported for sibling services. */
export async function ensureDurableDir(dir: string): Promise<void> {
  if (existsSync(dir)) return
  await mkdir(dirname(dir), { recursive: true })
  ensureDir(dir)
}
