// Settling files with the send journal's word: a send's result (sent → Sent/, refused →
// Failed/ with the reason beside it, unconfirmed → stays `picked`), and after a kill the files a
// run left `picked`, from what the send journal says their job did. Never a second send: a job
// the journal has is resumed or read, and only a job it never had makes its files new again.
import { basename, join } from 'node:path'

import type { PrinterSummary } from '../../shared/ipc'
import type { SendRequest } from '../../shared/send'
import type { WatchEvent, WatchRules } from '../../shared/watch'
import type { SendResult } from '../send/service'
import type { JobRecord } from '../send/state'
import type { Fate, FateEntry } from './fates'
import { moveToFailed, moveToSent } from './moves'

/** What a hot folder needs of the store: the session's send, and its journal's word on a job. */
export interface WatchSender {
  /** The store sent to: a job in doubt is settled only from its own store's journal. */
  readonly storeId: string
  /** Sends under `jobId` (always a new job: the watcher does its own recovery). */
  send(request: SendRequest, jobId: string): Promise<SendResult>
  /** The send journal's record of a job; undefined when it never started. */
  job(jobId: string): Promise<JobRecord | undefined>
  /** Continues the store's unfinished sends (ours among them). */
  resume(): Promise<SendResult[]>
  /** The store's printers for bed fit; null when Printago cannot say now. */
  printers(): Promise<PrinterSummary[] | null>
}

export interface SettleContext {
  folder: string
  afterSend: () => WatchRules['afterSend']
  record: (...entries: FateEntry[]) => Promise<void>
  event: (file: string, fate: WatchEvent['fate'], extra?: Partial<WatchEvent>) => void
  /** The file left the folder (or its fate changed): forget what the scan knew of it. */
  forget: (name: string) => void
  /** A word for the folder's view (files not confirmed yet). */
  note: (message: string) => void
}

export interface Settler {
  fail(name: string, sha256: string, reason: string): Promise<void>
  sent(name: string, sha256: string, partBuildId?: string): Promise<void>
  settle(result: SendResult, byPath: Map<string, string>): Promise<void>
  /** Settles every `picked` fate of this store; resolves with how many wait for another store. */
  recover(sender: WatchSender, fates: Iterable<Fate>): Promise<number>
}

export function createSettler(ctx: SettleContext): Settler {
  const { folder, record, event } = ctx
  const fail = async (name: string, sha256: string, reason: string): Promise<void> => {
    await record({ type: 'failed', sha256, name, reason })
    let where = 'Failed/'
    await moveToFailed(folder, name, reason).catch(() => (where = 'where it is'))
    ctx.forget(name)
    event(name, 'failed', { message: `${reason} Moved to ${where}.` })
  }

  const sent = async (name: string, sha256: string, partBuildId?: string): Promise<void> => {
    await record({ type: 'sent', sha256, name, ...(partBuildId ? { partBuildId } : {}) })
    if (ctx.afterSend() === 'move') {
      await moveToSent(folder, name).catch(() => undefined)
      ctx.forget(name)
    }
    event(name, 'sent', { ...(partBuildId ? { partBuildId } : {}) })
  }

  /** Records what a send did to each file: sent, failed, or still unconfirmed (stays picked). */
  const settle = async (result: SendResult, byPath: Map<string, string>): Promise<void> => {
    for (const f of result.files) {
      const name = basename(f.file)
      await sent(name, byPath.get(f.file) ?? f.sha256, f.partBuildId)
    }
    for (const f of result.failures) {
      const sha = byPath.get(f.file)
      if (sha) await fail(basename(f.file), sha, `Printago did not take it: ${f.error.message}`)
    }
    if ((result.unfinished ?? []).length > 0)
      ctx.note(
        `${result.unfinished!.length} file(s) not confirmed yet: checked with Printago and finished on the next scan, never sent twice.`
      )
  }

  /** Files left `picked` by an earlier run (or an unconfirmed send): settle them from the send journal. */
  const recover = async (sender: WatchSender, fates: Iterable<Fate>): Promise<number> => {
    const byJob = new Map<string, Map<string, string>>()
    let elsewhere = 0
    for (const f of fates) {
      if (f.state !== 'picked' || !f.jobId) continue
      // Picked for another store (the user switched): only that store's journal can say what
      // became of it, so it waits for that store rather than risk a second copy here.
      if (f.storeId && f.storeId !== sender.storeId) {
        elsewhere++
        continue
      }
      const files = byJob.get(f.jobId) ?? new Map<string, string>()
      files.set(join(folder, f.name), f.sha256)
      byJob.set(f.jobId, files)
    }
    for (const [jobId, byPath] of byJob) {
      const job = await sender.job(jobId)
      if (!job) {
        // Killed before the send journaled its job: nothing left; the files are new again.
        await record(...[...byPath.values()].map((sha256) => ({ type: 'forget' as const, sha256 })))
        continue
      }
      if (job.status === 'active') {
        const result = (await sender.resume()).find((r) => r.jobId === jobId)
        if (result) await settle(result, byPath)
        continue
      }
      for (const [i, item] of job.items.entries()) {
        const path = job.request.items[i]?.path
        const sha = path && byPath.get(path)
        if (!sha) continue
        if (item.partBuildId) await sent(basename(path), sha, item.partBuildId)
        else
          await fail(
            basename(path),
            sha,
            `Printago did not take it: ${item.error?.message ?? job.error?.message ?? `the send ended ${job.status}`}`
          )
      }
    }
    return elsewhere
  }

  return { fail, sent, settle, recover }
}
