// What `send` says while it works and when a file did not make it: one stderr line per step
// change of each file, and the sentences for failed and unfinished files.
import { OUTCOME_UNKNOWN, type FailedFile } from '../../core/send/service'
import type { SendProgress } from '../../shared/send'
import type { CliIo } from '../io'

const STEP_TEXT: Record<SendProgress['step'], string> = {
  // Not "queued": that word is for Printago's queue, i.e. done.
  'queued-locally': 'waiting to start',
  hashing: 'hashing',
  'requesting-upload': 'requesting upload URL',
  uploading: 'uploading',
  'creating-part': 'creating part',
  queuing: 'queuing build',
  'waiting-rate-limit': 'waiting for the rate limit',
  retrying: 'retrying',
  done: 'done',
  failed: 'failed',
  cancelled: 'cancelled'
}

/** Turns progress events into readable stderr lines (one per step change, percentages in tens). */
export function progressPrinter(io: CliIo, total: number): (p: SendProgress) => void {
  const last = new Map<string, string>()
  return (p) => {
    const name = p.path.split(/[\\/]/).pop() ?? p.path
    let text = STEP_TEXT[p.step]
    // A build sent without an answer is never simply retried: it is checked first.
    const unconfirmed = p.error?.code === OUTCOME_UNKNOWN
    if ((p.step === 'hashing' || p.step === 'uploading') && p.fraction !== undefined) {
      text += ` ${Math.floor(p.fraction * 10) * 10}%`
    }
    if (p.step === 'waiting-rate-limit')
      text = `waiting ${p.waitSeconds ?? '?'} s for the rate limit`
    if (p.step === 'creating-part' && p.reusedPart) text = 'reusing the part already on Printago'
    if (p.step === 'done') text = `queued (build ${p.partBuildId ?? '?'})`
    if (p.step === 'failed') text += `: ${p.error?.message ?? ''}`
    if (p.step === 'retrying') {
      if (unconfirmed && p.waitSeconds) {
        text = `waiting ${p.waitSeconds} s, then checking whether Printago queued it`
      } else if (unconfirmed) {
        text = `${p.error!.message}; checking before sending it again`
      } else if (p.waitSeconds) {
        text = `retrying in ${p.waitSeconds} s`
      } else if (p.error) text += `: ${p.error.message}`
    }
    if (p.step === 'queuing' && unconfirmed) text = 'checking whether Printago queued it'
    const key = `${p.jobId}:${p.index}`
    if (last.get(key) === text || p.step === 'failed') return
    last.set(key, text)
    io.stderr(`[${p.index + 1}/${total}] ${name}: ${text}\n`)
  }
}

/** One line per failed file, naming the file once. */
export function failureLine(file: string, message: string): string {
  return message.startsWith(file) ? `error: ${message}\n` : `error: ${file}: ${message}\n`
}

/** Why a file was not queued, as the CLI says it (stderr line and --json `failures`). */
export function unfinishedMessage(u: FailedFile): string {
  if (u.error.code === OUTCOME_UNKNOWN) {
    return `${u.error.message}; the next run (any command that opens the store) checks Printago and finishes it (it is never queued twice)`
  }
  if (u.error.code === 'cancelled') return u.error.message
  return `${u.error.message}; not queued yet, the next run finishes it`
}
