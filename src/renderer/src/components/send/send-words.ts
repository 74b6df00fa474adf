// The words of the send panel: printer states, pipeline steps, bed fit, and send errors a user
// can act on.
import type { PrinterSummary } from '../../../../shared/ipc'
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
  if (fit === 'other-model') return 'other model'
  return fit === 'fits' ? 'fits' : fit === 'too-big' ? 'too big' : 'bed size unknown'
}

export { describeSendError } from '../../lib/error-words'
