// The store's journal seen from outside the pipeline: waiting for a state a process reaches (to
// kill it there), reading what is unfinished without the lock, checking that the files are whole,
// and damaging them (one flipped byte) the way a bad disk would.
import { existsSync, watch, type FSWatcher } from 'node:fs'
import { open, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

import { decodeLine, LOG, SNAPSHOT } from '../../src/core/infra/journal'
import {
  applySendEntry,
  emptySendState,
  sendStateFromSnapshot,
  type JobRecord
} from '../../src/core/send/state'
import { peekJournal } from '../../src/core/infra/journal-peek'
import type { Dice } from './random'

/** A decoded log line: its type, job and the whole entry. */
export interface SeenEntry {
  type: string
  jobId?: string
  entry: Record<string, unknown>
}

/**
 * Follows the journal log as other processes append to it: `until(pred)` resolves with the first
 * entry (from now on, or already there) that satisfies `pred`, or null once `stop` settles first.
 */
export class JournalFollower {
  private offset = 0
  private carry = ''
  private readonly seen: SeenEntry[] = []
  private watcher: FSWatcher | null = null
  private wake: (() => void) | null = null

  constructor(private readonly dir: string) {}

  /** Entries read so far (the log is reread from its start after a compaction rewrote it). */
  entries(): readonly SeenEntry[] {
    return this.seen
  }

  private async read(): Promise<void> {
    const file = join(this.dir, LOG)
    let size: number
    try {
      size = (await stat(file)).size
    } catch {
      return
    }
    if (size < this.offset) {
      // Rewritten by a compaction: what it kept is read again (entries are keyed by seq below).
      this.offset = 0
      this.carry = ''
    }
    if (size === this.offset) return
    const fh = await open(file, 'r')
    try {
      const buf = Buffer.alloc(size - this.offset)
      const { bytesRead } = await fh.read(buf, 0, buf.length, this.offset)
      this.offset += bytesRead
      const text = this.carry + buf.subarray(0, bytesRead).toString('utf8')
      const lines = text.split('\n')
      this.carry = lines.pop() ?? ''
      for (const line of lines) {
        const e = decodeLine(line) as Record<string, unknown> | undefined
        if (!e || typeof e['type'] !== 'string') continue
        this.seen.push({
          type: e['type'],
          ...(typeof e['jobId'] === 'string' ? { jobId: e['jobId'] } : {}),
          entry: e
        })
      }
    } finally {
      await fh.close()
    }
  }

  async until(pred: (e: SeenEntry) => boolean, stop: Promise<unknown>): Promise<SeenEntry | null> {
    let stopped = false
    void stop.then(
      () => {
        stopped = true
        this.wake?.()
      },
      () => {
        stopped = true
        this.wake?.()
      }
    )
    if (!this.watcher && existsSync(this.dir)) {
      try {
        this.watcher = watch(this.dir, () => this.wake?.())
      } catch {
        this.watcher = null
      }
    }
    let checked = 0
    for (;;) {
      await this.read()
      for (; checked < this.seen.length; checked++)
        if (pred(this.seen[checked]!)) return this.seen[checked]!
      if (stopped) {
        // One last read: the process may have written its last entries just before it ended.
        await this.read()
        for (; checked < this.seen.length; checked++)
          if (pred(this.seen[checked]!)) return this.seen[checked]!
        return null
      }
      // Woken by the file watcher, or after a short poll where watching is unreliable.
      await new Promise<void>((r) => {
        const t = setTimeout(r, 10)
        this.wake = () => {
          clearTimeout(t)
          r()
        }
      })
      this.wake = null
    }
  }

  close(): void {
    this.watcher?.close()
    this.watcher = null
  }
}

/** Every job of the journal as the files hold it now (read without the lock, nothing changed). */
export async function peekJobs(journalDir: string): Promise<JobRecord[]> {
  const state = await peekJournal({
    dir: journalDir,
    empty: emptySendState,
    apply: applySendEntry,
    fromSnapshot: sendStateFromSnapshot
  })
  return [...state.jobs.values()]
}

/** The job started for a file copy with this user label, if one was journaled. */
export function jobWithLabel(jobs: JobRecord[], label: string): JobRecord | undefined {
  return jobs
    .filter((j) => j.request.items.some((it) => it.label === label))
    .sort((a, b) => a.createdAt - b.createdAt)[0]
}

async function readOrNull(file: string): Promise<Buffer | null> {
  try {
    return await readFile(file)
  } catch {
    return null
  }
}

/**
 * Whole enough for one more damage to be survivable: a snapshot that decodes (or none, and then
 * no .bak either — a quarantined snapshot leaves the .bak as the only copy until the next
 * compaction), a .bak that decodes or none, and every complete log line readable.
 */
export async function journalHealthy(journalDir: string): Promise<boolean> {
  const snap = await readOrNull(join(journalDir, SNAPSHOT))
  const bak = await readOrNull(join(journalDir, `${SNAPSHOT}.bak`))
  const good = (b: Buffer): boolean =>
    decodeLine(b.toString('utf8').replace(/\n$/, '')) !== undefined
  if (snap ? !good(snap) : bak !== null) return false
  if (bak && !good(bak)) return false
  const log = await readOrNull(join(journalDir, LOG))
  if (!log) return true
  const lines = log.toString('utf8').split('\n')
  lines.pop() // the part after the last newline: empty, or a torn tail the next open drops
  return lines.every((l) => decodeLine(l) !== undefined)
}

export type DamageTarget = 'snapshot' | 'bak' | 'log-line' | 'log-newline'

/**
 * Flips one byte of one journal file (XOR with a random non-zero value): inside the snapshot or
 * its .bak, inside a random complete log line, or the newline ending one (merging two lines).
 * Returns what was damaged, or null when that file does not exist (nothing to damage).
 */
export async function damageJournal(
  journalDir: string,
  target: DamageTarget,
  d: Dice
): Promise<string | null> {
  const file =
    target === 'snapshot'
      ? join(journalDir, SNAPSHOT)
      : target === 'bak'
        ? join(journalDir, `${SNAPSHOT}.bak`)
        : join(journalDir, LOG)
  const bytes = await readOrNull(file)
  if (!bytes || bytes.length < 12) return null
  let at: number
  if (target === 'snapshot' || target === 'bak') {
    at = d.int(0, bytes.length - 2) // not its final newline
  } else {
    const ends: number[] = []
    for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) ends.push(i)
    if (ends.length === 0) return null
    const line = d.int(0, ends.length - 1)
    const end = ends[line]!
    const begin = line === 0 ? 0 : ends[line - 1]! + 1
    if (target === 'log-newline') {
      // Merging the last line with a torn tail would only look torn: keep a line after it.
      if (line === ends.length - 1) return null
      at = end
    } else at = d.int(begin, end - 1)
  }
  bytes[at] = bytes[at]! ^ d.int(1, 255)
  await writeFile(file, bytes)
  return `${target} byte ${at} of ${bytes.length}`
}
