// Adding a hot folder: its path (typed: the browser mode has no folder picker; core checks it)
// and the rules for the files that appear in it.
import { useId, useState, type FormEvent, type ReactElement } from 'react'

import type { PrinterSummary } from '../../../../shared/ipc'
import type { Routing } from '../../../../shared/send'
import { DEFAULT_WATCH_RULES, type WatchRules } from '../../../../shared/watch'

interface AddFolderFormProps {
  printers: PrinterSummary[]
  /** Resolves with the core's refusal in words, or null when the folder was added. */
  onAdd: (folder: string, rules: WatchRules) => Promise<string | null>
}

export function AddFolderForm({ printers, onAdd }: AddFolderFormProps): ReactElement {
  const id = useId()
  const [folder, setFolder] = useState('')
  const [mode, setMode] = useState<Routing['mode']>('any')
  const [tags, setTags] = useState('')
  const [printerId, setPrinterId] = useState('')
  const [material, setMaterial] = useState('')
  const [quantity, setQuantity] = useState(1)
  const [labelPattern, setLabelPattern] = useState(DEFAULT_WATCH_RULES.labelPattern)
  const [priority, setPriority] = useState<WatchRules['priority']>('normal')
  const [review, setReview] = useState<WatchRules['mode']>('send')
  const [afterSend, setAfterSend] = useState<WatchRules['afterSend']>('move')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const routing = (): Routing | string => {
    if (mode === 'tags') {
      const list = tags
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean)
      return list.length > 0 ? { mode: 'tags', tags: list } : 'Give at least one tag.'
    }
    if (mode === 'printer')
      return printerId ? { mode: 'printer', printerId } : 'Choose the printer.'
    return { mode: 'any' }
  }

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault()
    const r = routing()
    if (typeof r === 'string') return setError(r)
    if (folder.trim() === '') return setError('Give the folder’s full path.')
    setBusy(true)
    const problem = await onAdd(folder.trim(), {
      routing: r,
      quantity,
      labelPattern: labelPattern.trim() || DEFAULT_WATCH_RULES.labelPattern,
      priority,
      mode: review,
      afterSend,
      ...(material.trim() ? { material: { kind: 'type', type: material.trim() } } : {})
    })
    setBusy(false)
    setError(problem)
    if (!problem) setFolder('')
  }

  return (
    <form className="card watch-add" onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>Add a hot folder</h3>
      <label>
        Folder (full path on this computer)
        <input
          value={folder}
          onChange={(e) => setFolder(e.target.value)}
          placeholder="/home/farm/orders"
          aria-invalid={error !== null}
          aria-describedby={error ? `${id}-err` : undefined}
          data-testid="watch-folder-input"
          spellCheck={false}
        />
      </label>
      <div className="watch-grid">
        <label>
          Send to
          <select value={mode} onChange={(e) => setMode(e.target.value as Routing['mode'])}>
            <option value="any">Any printer</option>
            <option value="tags">Printers with tags</option>
            <option value="printer">One printer</option>
          </select>
        </label>
        {mode === 'tags' && (
          <label>
            Tags (comma-separated)
            <input
              value={tags}
              onChange={(e) => setTags(e.target.value)}
              placeholder="PLA, RackA"
            />
          </label>
        )}
        {mode === 'printer' && (
          <label>
            Printer
            <select value={printerId} onChange={(e) => setPrinterId(e.target.value)}>
              <option value="">Choose…</option>
              {printers.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          Material type (optional)
          <input value={material} onChange={(e) => setMaterial(e.target.value)} placeholder="PLA" />
        </label>
        <label>
          Copies
          <input
            type="number"
            min={1}
            max={500}
            value={quantity}
            onChange={(e) => setQuantity(Math.max(1, Math.round(Number(e.target.value) || 1)))}
          />
        </label>
        <label>
          Label
          <input
            value={labelPattern}
            onChange={(e) => setLabelPattern(e.target.value)}
            aria-describedby={`${id}-label-hint`}
          />
        </label>
        <label>
          Priority
          <select
            value={priority}
            onChange={(e) => setPriority(e.target.value as WatchRules['priority'])}
          >
            <option value="normal">Normal</option>
            <option value="low">Low</option>
          </select>
        </label>
        <label>
          When a file is ready
          <select
            value={review}
            onChange={(e) => setReview(e.target.value as WatchRules['mode'])}
            data-testid="watch-mode"
          >
            <option value="send">Send at once</option>
            <option value="hold">Hold for review</option>
          </select>
        </label>
        <label>
          After sending
          <select
            value={afterSend}
            onChange={(e) => setAfterSend(e.target.value as WatchRules['afterSend'])}
          >
            <option value="move">Move to Sent/</option>
            <option value="leave">Leave in place (remembered)</option>
          </select>
        </label>
      </div>
      <p className="muted small" id={`${id}-label-hint`}>
        Label words: {'{name}'} file name, {'{file}'} with extension, {'{folder}'}, {'{date}'},{' '}
        {'{time}'}.
      </p>
      {error && (
        <p className="error" role="alert" id={`${id}-err`} data-testid="watch-add-error">
          {error}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy} data-testid="watch-add">
        Add hot folder
      </button>
    </form>
  )
}
