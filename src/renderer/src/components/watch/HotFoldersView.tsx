// The Hot folders tab: each watched folder with its state, the form to add one, and what happened
// to the files that appeared (newest first), with "Send again" for a file already sent.
import { useState, type ReactElement } from 'react'

import type { PrinterSummary } from '../../../../shared/ipc'
import type { WatchEvent } from '../../../../shared/watch'
import type { WatchState } from '../../hooks/useWatch'
import { AddFolderForm } from './AddFolderForm'
import { FolderCard } from './FolderCard'
import { FATE_WORDS } from './watch-words'

interface HotFoldersViewProps {
  watch: WatchState
  printers: PrinterSummary[]
}

const time = (at: number): string =>
  new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })

export function HotFoldersView({ watch, printers }: HotFoldersViewProps): ReactElement {
  const { view, run } = watch
  const [problem, setProblem] = useState<string | null>(null)
  const act = (call: Parameters<typeof run>[0]): void => void run(call).then(setProblem)
  // Which folder an event came from matters only when there are several: its last part then.
  const several = (view?.folders.length ?? 0) > 1
  const folderName = new Map(
    view?.folders.map((f) => [f.config.id, f.config.folder.split(/[\\/]/).pop() ?? '']) ?? []
  )

  return (
    <div className="watch-view">
      <section className="watch-folders" aria-labelledby="watch-h">
        <h2 id="watch-h">Hot folders</h2>
        <p className="muted">
          STL and 3MF files that appear in these folders are sent with the folder’s rules, each once
          — also after a restart. A file is taken when it has stopped changing.
        </p>
        {problem && (
          <p className="error" role="alert">
            {problem}
          </p>
        )}
        {view && view.folders.length === 0 && <p className="muted">No hot folder yet.</p>}
        <ul className="watch-list">
          {view?.folders.map((f) => (
            <FolderCard
              key={f.config.id}
              folder={f}
              onPause={(paused) => act(() => window.api.watch.pause({ id: f.config.id, paused }))}
              onRemove={() => act(() => window.api.watch.remove({ id: f.config.id }))}
              onRelease={(file) =>
                act(() => window.api.watch.release({ id: f.config.id, ...(file ? { file } : {}) }))
              }
            />
          ))}
        </ul>
        <AddFolderForm
          printers={printers}
          onAdd={(folder, rules) => run(() => window.api.watch.add({ folder, ...rules }))}
        />
      </section>
      <section className="watch-events" aria-labelledby="watch-events-h">
        <h2 id="watch-events-h">What happened</h2>
        {(view?.events.length ?? 0) === 0 && (
          <p className="muted">Files that appear in a hot folder are listed here.</p>
        )}
        <ul className="watch-event-list" data-testid="watch-events">
          {view?.events.map((e) => (
            <EventRow
              key={e.id}
              event={e}
              folder={several ? folderName.get(e.folderId) : undefined}
              onSendAgain={() =>
                act(() => window.api.watch.sendAgain({ id: e.folderId, file: e.file }))
              }
            />
          ))}
        </ul>
      </section>
    </div>
  )
}

function EventRow({
  event,
  folder,
  onSendAgain
}: {
  event: WatchEvent
  folder: string | undefined
  onSendAgain: () => void
}): ReactElement {
  const words = FATE_WORDS[event.fate]
  return (
    <li className="watch-event" data-testid="watch-event" data-fate={event.fate}>
      <span className={`watch-chip ${words.tone}`}>{words.label}</span>
      <span className="watch-event-file mono wrap">{event.file}</span>
      <span className="small muted">{time(event.at)}</span>
      {(event.message || folder) && (
        <span className="watch-event-why small muted wrap">
          {folder ? `${folder}: ` : ''}
          {event.message ?? ''}
        </span>
      )}
      {event.fate === 'duplicate' && (
        <button type="button" className="small" onClick={onSendAgain}>
          Send again <span className="sr-only">{event.file}</span>
        </button>
      )}
    </li>
  )
}
