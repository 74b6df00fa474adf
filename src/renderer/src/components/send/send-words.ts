// The words of the send panel: printer states, pipeline steps, bed fit, and send errors a user
// can act on.
import type { PrinterSummary } from '../../../../shared/ipc'
import type { AppError } from '../../../../shared/result'
import type { Fit } from '../../lib/routing'

export const STATE_LABEL: Record<PrinterSummary['state'], string> = {
  ready: 'Ready',
  'waiting-bed-clear': 'Bed not cleared',
  printing: 'Printing',
  paused: 'Paused',
  offline: 'Offline',
  disabled: 'Disabled',
  maintenance: 'In maintenance'
}

export const STEP_LABEL: Record<string, string> = {
  'queued-locally': 'Waiting',
  hashing: 'Hashing',
  'requesting-upload': 'Preparing upload',
  uploading: 'Uploading',
  'creating-part': 'Creating part',
  queuing: 'Queuing print',
  'waiting-rate-limit': 'Waiting for rate limit',
  retrying: 'Retrying',
  done: 'Queued ✓',
  failed: 'Failed',
  cancelled: 'Cancelled'
}

/** The bed-fit cell of the printer table. */
export function fitLabel(fit: Fit): string {
  return fit === 'fits' ? 'fits' : fit === 'too-big' ? 'too big' : 'bed size unknown'
}

/** Ends a server message with a full stop so it can be followed by advice. */
function sentence(text: string): string {
  const t = text.trim()
  return /[.!?…]$/.test(t) ? t : `${t}.`
}

/** Words a user can act on for a send error. */
export function describeSendError(e: AppError): string {
  switch (e.code) {
    case 'auth':
      return 'Printago refused the API key or store id. Open settings to check them.'
    case 'forbidden':
      return `${sentence(e.message)} Ask the store owner to grant it to this key.`
    case 'rate-limited':
      return `Printago's rate limit was reached. ${sentence(e.message)}`
    case 'network':
    case 'timeout':
      return 'Printago cannot be reached (offline?). When the connection is back, press Send again: only the files not yet queued are sent.'
    case 'outcome-unknown':
      return 'Printago did not confirm the job yet. The app checks again shortly and never queues it twice.'
    default:
      return e.message
  }
}
