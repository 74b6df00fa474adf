// Words and tones for hot folder states and file fates (one place for the panel and the toasts).
import type { WatchFileFate, WatchFolderState, WatchRules } from '../../../../shared/watch'

export const STATE_WORDS: Record<WatchFolderState, { label: string; tone: string }> = {
  starting: { label: 'Starting', tone: 'info' },
  watching: { label: 'Watching', tone: 'ok' },
  paused: { label: 'Paused', tone: 'off' },
  error: { label: 'Error', tone: 'err' }
}

export const FATE_WORDS: Record<WatchFileFate, { label: string; tone: string }> = {
  picked: { label: 'Sending', tone: 'info' },
  held: { label: 'Held', tone: 'warn' },
  sent: { label: 'Sent', tone: 'ok' },
  duplicate: { label: 'Already sent', tone: 'off' },
  failed: { label: 'Failed', tone: 'err' },
  ignored: { label: 'Ignored', tone: 'off' }
}

/** "Any printer · 2 copies · low priority · label {name} · hold · leave in place". */
export function rulesSummary(r: WatchRules): string {
  const where =
    r.routing.mode === 'any'
      ? 'any printer'
      : r.routing.mode === 'tags'
        ? `printers tagged ${r.routing.tags.join(' + ')}`
        : `printer ${r.routing.printerId}`
  return [
    where,
    r.material ? (r.material.kind === 'type' ? r.material.type : r.material.name) : null,
    `${r.quantity} ${r.quantity === 1 ? 'copy' : 'copies'}`,
    r.priority === 'low' ? 'low priority' : null,
    `label “${r.labelPattern}”`,
    r.mode === 'hold' ? 'held for review' : 'sent at once',
    r.afterSend === 'move' ? 'moved to Sent/' : 'left in place'
  ]
    .filter(Boolean)
    .join(' · ')
}
