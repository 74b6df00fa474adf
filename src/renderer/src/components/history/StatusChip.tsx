// An entry's status chip, in the history list and the detail pane.
import type { ReactElement } from 'react'

import type { HistoryEntry } from '../../../../shared/history'
import { entryChip } from '../../lib/history-view'

/**
 * `data-status` is always the entry's status (an entry deleted in Printago is `cancelled`); the
 * words and look come from `entryChip`.
 */
export function StatusChip({
  entry
}: {
  entry: Pick<HistoryEntry, 'status' | 'copies'>
}): ReactElement {
  const chip = entryChip(entry)
  return (
    <span
      className={`history-chip ${chip.tone}`}
      data-testid="history-status"
      data-status={entry.status}
      data-tone={chip.tone}
    >
      {chip.label}
    </span>
  )
}
