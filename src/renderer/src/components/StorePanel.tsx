// First run and the store banner: try the demo store, or connect a Printago store with a key.
// The key is sent to main once and never comes back: the renderer only sees a masked form.
import { useState, type FormEvent, type ReactElement } from 'react'

import type { StoreStatus } from '../../../shared/ipc'

interface ConnectFormProps {
  onConnected: (s: StoreStatus) => void
  onCancel?: () => void
}

/** The "Connect my Printago store" form. */
export function ConnectForm({ onConnected, onCancel }: ConnectFormProps): ReactElement {
  const [apiKey, setApiKey] = useState('')
  const [storeId, setStoreId] = useState('')
  const [baseUrl, setBaseUrl] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [askWeak, setAskWeak] = useState(false)

  const connect = async (weakKeyStorage?: 'store' | 'session'): Promise<void> => {
    setBusy(true)
    setError(null)
    const res = await window.api.store.connect({
      apiKey,
      storeId,
      ...(baseUrl.trim() ? { baseUrl: baseUrl.trim() } : {}),
      ...(weakKeyStorage ? { weakKeyStorage } : {})
    })
    setBusy(false)
    setAskWeak(!res.ok && res.error.code === 'weak-key-storage')
    if (res.ok) {
      setApiKey('')
      onConnected(res.value)
    } else setError(res.error.message)
  }
  const submit = (e: FormEvent): void => {
    e.preventDefault()
    void connect()
  }

  return (
    <form className="connect-form" onSubmit={submit} aria-label="Connect a Printago store">
      <label>
        API key
        <input
          type="password"
          autoComplete="off"
          value={apiKey}
          onChange={(e) => setApiKey(e.target.value)}
          required
          data-testid="api-key"
        />
      </label>
      <label>
        Store id
        <input
          value={storeId}
          onChange={(e) => setStoreId(e.target.value)}
          required
          placeholder="24 lowercase letters or digits"
          data-testid="store-id"
        />
      </label>
      <details>
        <summary>Advanced</summary>
        <label>
          API base URL
          <input
            value={baseUrl}
            onChange={(e) => setBaseUrl(e.target.value)}
            placeholder="https://api.printago.io"
            data-testid="base-url"
          />
        </label>
      </details>
      {error && (
        <div className="error-box" role="alert" data-testid="connect-error">
          <span>{error}</span>
          {askWeak && (
            <span className="row">
              <button type="button" onClick={() => void connect('store')}>
                Store anyway
              </button>
              <button type="button" onClick={() => void connect('session')}>
                This session only
              </button>
            </span>
          )}
        </div>
      )}
      <div className="row">
        <button type="submit" className="primary" disabled={busy} data-testid="connect-button">
          {busy ? 'Checking…' : 'Connect'}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  )
}

/** Shown when no store is configured. `waiting`: files dropped meanwhile (kept for later). */
export function FirstRun({
  onStore,
  waiting = []
}: {
  onStore: (s: StoreStatus) => void
  waiting?: string[]
}): ReactElement {
  const [connecting, setConnecting] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const demo = async (): Promise<void> => {
    const res = await window.api.store.useDemo()
    if (res.ok) onStore(res.value)
    else setError(res.error.message)
  }
  return (
    <main className="first-run" data-testid="first-run">
      <h1>Send STL files to your Printago print farm</h1>
      <p className="muted">
        Drop files, check them in 3D, pick a printer or tags, and follow every job.
      </p>
      {waiting.length > 0 && (
        <p className="notice" role="status" data-testid="first-run-waiting">
          {waiting.length === 1 ? `${waiting[0]} is` : `${waiting.length} files are`} waiting:
          choose a store below and {waiting.length === 1 ? 'it appears' : 'they appear'} on the Send
          screen.
        </p>
      )}
      <div className="cards">
        <section className="card">
          <h2>Try the demo store</h2>
          <p>A built-in Printago sandbox with eight printers. Nothing leaves this computer.</p>
          <button type="button" className="primary" onClick={demo} data-testid="use-demo">
            Try the demo store
          </button>
          {error && <p className="error-box">{error}</p>}
        </section>
        <section className="card">
          <h2>Connect my Printago store</h2>
          {connecting ? (
            <ConnectForm onConnected={onStore} onCancel={() => setConnecting(false)} />
          ) : (
            <>
              <p>Use an API key from Printago → Settings → API Keys, and your store id.</p>
              <button type="button" onClick={() => setConnecting(true)} data-testid="connect-start">
                Connect my Printago store
              </button>
            </>
          )}
        </section>
      </div>
    </main>
  )
}

/** The banner that always says which store the app is sending to. */
export function StoreBanner({
  store,
  weakKeys = false,
  onSettings
}: {
  store: StoreStatus
  /** Keys are stored without a system keyring: a visible warning, explained in Settings. */
  weakKeys?: boolean
  onSettings: () => void
}): ReactElement {
  return (
    <div className={`store-banner ${store.kind}`} data-testid="store-banner">
      <span className="store-kind">{store.kind === 'demo' ? 'Demo store' : 'Printago'}</span>
      <span className="store-name" title={store.name}>
        {store.name}
      </span>
      {store.keyMasked && (
        <span className="muted small mono key-masked">key {store.keyMasked}</span>
      )}
      {weakKeys && store.kind === 'printago' && !store.sessionOnlyKey && (
        <span className="warn-chip" title="Open Settings for details" data-testid="weak-key-chip">
          Key not in a keyring
        </span>
      )}
      <button type="button" onClick={onSettings} data-testid="open-settings">
        <span aria-hidden="true">⚙ </span>Settings
      </button>
    </div>
  )
}
