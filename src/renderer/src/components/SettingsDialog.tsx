// Settings: the stores (demo, saved Printago stores, connect another, forget), preferences and
// data. A modal dialog: Escape closes it, focus starts inside it.
import { MAX_QUANTITY } from '../../../shared/send'
import { useEffect, useRef, useState, type ReactElement } from 'react'

import type { SavedStoreView, SettingsView, StoreStatus } from '../../../shared/ipc'
import type { AppSettings } from '../../../shared/settings'
import { ConnectForm } from './StorePanel'

interface SettingsDialogProps {
  store: StoreStatus
  view: SettingsView | null
  onStore: (s: StoreStatus) => void
  onSettings: (v: SettingsView) => void
  onClose: () => void
}

const PROTECTION_TEXT: Record<SettingsView['keyProtection'], string> = {
  strong: 'Keys are encrypted with the system keychain.',
  weak: 'This system has no keyring: keys can only be stored with weak protection. You can keep them for one session instead.',
  unavailable: 'Key encryption is not available here: keys are kept for this session only.',
  memory: 'Browser version: keys are kept in memory only, until the app stops.'
}

/** The browser mode's weak protection: a 0600 file in the data folder (no keyring reachable). */
const WEB_WEAK_TEXT =
  'API keys are stored in a file only your account can read (api-keys.json in the data folder): this computer has no system keyring. Anyone who can log in as you can read them.'

/**
 * A number field that saves when the user is done (blur or Enter), not on every keystroke: typing
 * "200" passes through "2" and "20", which are out of range for some settings.
 */
function NumberSetting(props: {
  value: number
  min: number
  max: number
  onCommit: (n: number) => void
}): ReactElement {
  const [text, setText] = useState(String(props.value))
  useEffect(() => setText(String(props.value)), [props.value])
  const n = Number(text)
  const valid = text.trim() !== '' && Number.isInteger(n) && n >= props.min && n <= props.max
  const commit = (): void => {
    if (valid && n !== props.value) props.onCommit(n)
    else if (!valid) setText(String(props.value))
  }
  // Closing the dialog (Escape) before leaving the field still saves a valid value.
  const latest = useRef(commit)
  latest.current = commit
  useEffect(() => () => latest.current(), [])
  return (
    <span className="number-setting">
      <input
        type="number"
        min={props.min}
        max={props.max}
        value={text}
        aria-invalid={!valid}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === 'Enter' && commit()}
      />
      {!valid && (
        <span className="error small" role="alert">
          {props.min}–{props.max}
        </span>
      )}
    </span>
  )
}

/** A text field that saves on blur or Enter. */
function TextSetting(props: {
  value: string
  placeholder?: string
  onCommit: (text: string) => void
}): ReactElement {
  const [text, setText] = useState(props.value)
  useEffect(() => setText(props.value), [props.value])
  const commit = (): void => {
    if (text !== props.value) props.onCommit(text)
  }
  const latest = useRef(commit)
  latest.current = commit
  useEffect(() => () => latest.current(), [])
  return (
    <input
      value={text}
      placeholder={props.placeholder}
      onChange={(e) => setText(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => e.key === 'Enter' && commit()}
    />
  )
}

/** The settings dialog. */
export function SettingsDialog({
  store,
  view,
  onStore,
  onSettings,
  onClose
}: SettingsDialogProps): ReactElement {
  const [stores, setStores] = useState<SavedStoreView[]>([])
  const [message, setMessage] = useState<string | null>(null)
  const [shell, setShell] = useState<'electron' | 'web' | null>(null)
  const ref = useRef<HTMLDivElement>(null)

  useEffect(() => {
    void window.api.store.list().then((r) => r.ok && setStores(r.value))
    void window.api.app.info().then((r) => r.ok && setShell(r.value.shell))
  }, [])
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null
    ref.current?.querySelector<HTMLElement>('button, input, select')?.focus()
    // Closed: focus goes back to what opened it (the Settings button).
    return () => {
      if (before && document.contains(before)) before.focus()
    }
  }, [])
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') onClose()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [onClose])

  const set = async (patch: Partial<AppSettings>): Promise<void> => {
    const r = await window.api.settings.set(patch)
    if (r.ok) onSettings(r.value)
    else setMessage(r.error.message)
  }
  const s = view?.settings

  return (
    <div
      className="modal"
      role="dialog"
      aria-modal="true"
      aria-labelledby="settings-title"
      data-testid="settings"
      onClick={(e) => e.target === e.currentTarget && onClose()}
    >
      <div className="modal-body settings" ref={ref}>
        <div className="modal-head">
          <h2 id="settings-title">Settings</h2>
          <button type="button" onClick={onClose} aria-label="Close settings">
            ×
          </button>
        </div>
        {message && (
          <p className="error-box" role="alert">
            {message}
          </p>
        )}
        <section>
          <h3>Store</h3>
          <p>
            Sending to <strong>{store.name}</strong>
            {store.kind === 'demo'
              ? ' (the built-in demo store).'
              : store.keyMasked
                ? ` · key ${store.keyMasked}`
                : ''}
            {store.sessionOnlyKey && (
              <span className="muted"> · key kept for this session only</span>
            )}
          </p>
          <ul className="store-list">
            <li>
              <span>Demo print farm</span>
              {store.kind === 'demo' ? (
                <span className="muted small">active</span>
              ) : (
                <button
                  type="button"
                  onClick={async () => {
                    const r = await window.api.store.useDemo()
                    if (r.ok) onStore(r.value)
                  }}
                >
                  Use
                </button>
              )}
            </li>
            {stores.map((st) => (
              <li key={st.storeId} data-testid="saved-store">
                <span>
                  {st.name} <span className="muted small mono">{st.keyMasked}</span>
                </span>
                {st.active ? (
                  <span className="muted small">active</span>
                ) : (
                  <button
                    type="button"
                    onClick={async () => {
                      const r = await window.api.store.switch({ storeId: st.storeId })
                      if (r.ok) onStore(r.value)
                      else setMessage(r.error.message)
                    }}
                  >
                    Use
                  </button>
                )}
                <button
                  type="button"
                  onClick={async () => {
                    const text = `Forget ${st.name}? Its API key is deleted from this computer. Its local job history stays on disk until you clear it.`
                    if (!confirm(text)) return
                    const r = await window.api.store.forget({ storeId: st.storeId })
                    if (r.ok) setStores(r.value)
                    const status = await window.api.store.status()
                    if (status.ok) onStore(status.value)
                  }}
                >
                  Forget
                </button>
              </li>
            ))}
          </ul>
          <details>
            <summary>Connect a Printago store</summary>
            <ConnectForm
              onConnected={(st) => {
                onStore(st)
                onClose()
              }}
            />
          </details>
          {view && view.keyProtection === 'weak' ? (
            <p className="warning-box" role="note" data-testid="key-protection">
              {shell === 'web' ? WEB_WEAK_TEXT : PROTECTION_TEXT.weak}
            </p>
          ) : (
            view && (
              <p className="muted small" data-testid="key-protection">
                {PROTECTION_TEXT[view.keyProtection]}
              </p>
            )
          )}
        </section>
        {s && view.keyProtection === 'weak' && (
          <section className="prefs">
            <h3>API keys on this computer</h3>
            <label>
              Weakly protected keys
              <select
                value={s.weakKeyStorage}
                onChange={(e) =>
                  void set({ weakKeyStorage: e.target.value as AppSettings['weakKeyStorage'] })
                }
                data-testid="weak-key-storage"
              >
                <option value="ask">Ask each time</option>
                <option value="store">Store them anyway</option>
                <option value="session">Keep them for this session only</option>
              </select>
            </label>
          </section>
        )}
        {s && (
          <section className="prefs">
            <h3>Preferences</h3>
            {view.repaired.length > 0 && (
              <p className="warning" role="note">
                Some settings were unreadable and were reset: {view.repaired.join(', ')}.
              </p>
            )}
            <label>
              Theme
              <select
                value={s.theme}
                onChange={(e) => void set({ theme: e.target.value as AppSettings['theme'] })}
              >
                <option value="system">System</option>
                <option value="dark">Dark</option>
                <option value="light">Light</option>
              </select>
            </label>
            <label className="check">
              <input
                type="checkbox"
                checked={s.notifications}
                onChange={(e) => void set({ notifications: e.target.checked })}
              />{' '}
              Notify me when a print finishes or fails
            </label>
            <label>
              Default copies
              <NumberSetting
                value={s.defaultQuantity}
                min={1}
                max={MAX_QUANTITY}
                onCommit={(n) => void set({ defaultQuantity: n })}
              />
            </label>
            <label>
              Default routing
              <select
                value={s.defaultRoutingMode}
                onChange={(e) =>
                  void set({
                    defaultRoutingMode: e.target.value as AppSettings['defaultRoutingMode']
                  })
                }
              >
                <option value="any">Any printer</option>
                <option value="tags">Printers with tags</option>
              </select>
            </label>
            {s.defaultRoutingMode === 'tags' && (
              <label>
                Default tags
                <TextSetting
                  value={s.defaultTags.join(', ')}
                  placeholder="PLA, RackA"
                  onCommit={(text) => {
                    const tags = [
                      ...new Set(
                        text
                          .split(',')
                          .map((t) => t.trim())
                          .filter(Boolean)
                      )
                    ]
                    const bad = tags.find((t) => t.includes('|'))
                    if (bad)
                      setMessage(
                        `The tag "${bad}" contains "|", which Printago's tag routing cannot express.`
                      )
                    else void set({ defaultTags: tags.slice(0, 20) })
                  }}
                />
              </label>
            )}
            <label>
              Units of STL files
              <select
                value={s.assumedUnit}
                onChange={(e) =>
                  void set({ assumedUnit: e.target.value as AppSettings['assumedUnit'] })
                }
              >
                <option value="mm">Millimetres (most files)</option>
                <option value="inch">Inches</option>
              </select>
            </label>
            <label>
              History size
              <NumberSetting
                value={s.historySize}
                min={50}
                max={10000}
                onCommit={(n) => void set({ historySize: n })}
              />
            </label>
          </section>
        )}
        <section>
          <h3>Data</h3>
          <button
            type="button"
            onClick={async () => {
              if (
                !confirm(
                  'Clear the job history of this store on this computer? Printago keeps its own queue.'
                )
              )
                return
              const r = await window.api.history.clear()
              setMessage(r.ok ? `Cleared ${r.value.cleared} history entries.` : r.error.message)
            }}
          >
            Clear history
          </button>
        </section>
      </div>
    </div>
  )
}
