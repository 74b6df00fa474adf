// Every error a user can meet, in one sentence that says what happened and what to do, without
// HTTP words. The technical message stays available (ErrorNotice's "Details", and the log).
import type { AppError } from '../../../shared/result'

/** What the UI can offer next to the words. */
export type ErrorAction = 'settings' | null

export interface ErrorWords {
  text: string
  action: ErrorAction
}

function sentence(text: string): string {
  const t = text.trim()
  return /[.!?…]$/.test(t) ? t : `${t}.`
}

/** The words for an error; `what` names the thing that failed ("The send", "Print again"). */
export function errorWords(e: AppError, what = 'It'): ErrorWords {
  const text = (t: string, action: ErrorAction = null): ErrorWords => ({ text: t, action })
  switch (e.code) {
    case 'auth':
      return text(
        'Printago refused the API key or store id. Open settings to check them.',
        'settings'
      )
    case 'forbidden': {
      // Core names the permission ("lacks the "part.create" permission needed to upload files").
      const m = /lacks the "([^"]+)" permission needed to ([^,;]+)/.exec(e.message)
      return text(
        m
          ? `This API key lacks the ${m[1]} permission needed to ${m[2]!.trim()}. Ask the store owner for a key that has it (Printago → Settings → API Keys).`
          : 'This API key is not allowed to do that. Ask the store owner for a key with the permission (Printago → Settings → API Keys).'
      )
    }
    case 'rate-limited':
      return text(
        'Printago asked the app to slow down (its request limit). Wait a minute and try again; nothing was lost.'
      )
    case 'network':
    case 'timeout':
      return text(
        what === 'The send'
          ? 'Printago cannot be reached (offline?). When the connection is back, press Send again: only the files not yet queued are sent.'
          : 'Printago cannot be reached (offline?). Check the connection; the app tries again by itself.'
      )
    case 'server':
    case 'bad-response':
      return text('Printago had a problem answering. Try again in a minute; nothing is sent twice.')
    case 'outcome-unknown':
      return text(
        'Not confirmed yet: Printago did not answer in time. The app checks it shortly and never queues it twice.'
      )
    case 'store-busy': {
      const pid = e.details?.pid
      return text(
        `Another Printago Send${typeof pid === 'number' ? ` (process ${pid})` : ''} is sending from this store. Close it, or wait for it to finish; the app tries again by itself.`
      )
    }
    case 'disk-full':
      return text(
        'The disk is full, so the send could not record its progress. Free some space; the send finishes when it is started again.'
      )
    case 'disk-read-only':
      return text(
        "The app's data folder is on a read-only disk. Make it writable; the send finishes when it is started again."
      )
    case 'disk-error':
      return text(
        'The disk reported an error while saving. Check the disk; the send finishes when it is started again.'
      )
    case 'cancelled':
      return text(`${what} was cancelled before anything reached Printago.`)
    case 'no-store':
      return text('No store is connected. Choose the demo store or connect your Printago store.')
    case 'no-key':
      return text('The key for this store is no longer on this computer. Connect the store again.')
    case 'not-staged':
      return text('The browser page no longer has this file. Drop it again.')
    case 'not-found':
      return text(`${sentence(e.message)} It may have been deleted in Printago.`)
    case 'part-gone':
    case 'file':
    case 'not-stl':
    case 'unreadable':
    case 'is-directory':
    case 'invalid':
    case 'weak-key-storage':
    case 'blocked-url':
      // Already a sentence for people (written by the app, not by a server).
      return text(sentence(e.message))
    case 'validation':
      return text(
        `Printago refused the request: ${e.message.replace(/^.*?:\s*/, '')}. Check the file's options and send again.`
      )
    default:
      return text(`${what} did not work. Try again; if it keeps failing, the details below help.`)
  }
}

/** The send panel's words for a send error (kept for the progress rows). */
export function describeSendError(e: AppError): string {
  return errorWords(e, 'The send').text
}
