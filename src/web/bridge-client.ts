// Runs in a plain browser page served by the bridge, in one of two roles:
// - on the sign-in page (`data-page="sign-in"`): trades the `#token=…` of the address the server
//   printed for the session cookie (HttpOnly: page scripts never see it again), takes the token
//   out of the address bar, and opens the app;
// - in the app: defines `window.api` exactly as the preload does, but over HTTP (invoke), server-
//   sent events (push) and a staging upload (a dropped File becomes a file on disk, as Electron's
//   webUtils.getPathForFile gives a real path). A call refused for want of a session (the server
//   was restarted: new token) goes back to the sign-in page.
import { createApi, type Transport } from '../shared/api'
import type { EventName } from '../shared/ipc'

/** The token in the address (`#token=…`), removed from the address bar and history entry. */
function takeTokenFromAddress(): string | null {
  const params = new URLSearchParams(location.hash.slice(1))
  const token = params.get('token')
  if (token === null) return null
  params.delete('token')
  const rest = params.toString()
  history.replaceState(
    history.state,
    '',
    `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`
  )
  return token
}

function signIn(): void {
  const token = takeTokenFromAddress()
  if (!token) return
  const show = (text: string, error: boolean): void => {
    const el = document.getElementById('sign-in-status')
    if (!el) return
    el.textContent = text
    el.classList.toggle('error', error)
  }
  show('Signing in…', false)
  fetch('/__bridge/session', { method: 'POST', headers: { authorization: `Bearer ${token}` } })
    .then((res) => {
      if (res.ok) return location.replace('/')
      show(
        res.status === 401
          ? 'The token in this address is not valid: Printago Send was restarted since it was printed, or it was copied incompletely. Open the newest address from its terminal.'
          : `Signing in failed (${res.status}).`,
        true
      )
    })
    .catch(() => show('Printago Send is not answering: is it still running?', true))
}

/** Back to the sign-in page (the server answers `/` with it when there is no session). */
function sessionEnded(): void {
  location.replace('/')
}

function defineApi(): void {
  // Already signed in (the cookie), but opened with a token: it must not stay in the address bar.
  takeTokenFromAddress()

  const listeners = new Map<EventName, Set<(payload: unknown) => void>>()
  const source = new EventSource('/__bridge/events')
  source.onmessage = (e: MessageEvent<string>) => {
    const { event, payload } = JSON.parse(e.data) as { event: EventName; payload: unknown }
    listeners.get(event)?.forEach((l) => l(payload))
  }
  // A refused stream is not retried by the browser: find out whether the session ended.
  source.onerror = () => {
    if (source.readyState !== EventSource.CLOSED) return
    void fetch('/__bridge/session').then((r) => r.status === 401 && sessionEnded())
  }

  const staged = new WeakMap<File, Promise<string>>()

  const transport: Transport = {
    async invoke(channel, payload) {
      const res = await fetch(`/__bridge/invoke/${encodeURIComponent(channel)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload === undefined ? null : payload)
      })
      if (res.status === 401) sessionEnded()
      return res.json()
    },
    on(event, listener) {
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      set.add(listener)
      return () => set.delete(listener)
    },
    pathForFile(file) {
      let p = staged.get(file)
      if (!p) {
        p = fetch('/__bridge/stage', {
          method: 'POST',
          headers: { 'x-file-name': encodeURIComponent(file.name) },
          body: file
        }).then(async (r) => {
          if (r.status === 401) sessionEnded()
          const body = (await r.json()) as { path?: string; error?: string }
          if (!r.ok || !body.path) throw new Error(body.error ?? `staging failed (${r.status})`)
          return body.path
        })
        staged.set(file, p)
      }
      return p
    },
    // The event stream is open before the app renders (EventSource above), so nothing to signal.
    ready: () => undefined
  }

  window.api = createApi(transport)
}

if ((document.currentScript as HTMLScriptElement | null)?.dataset.page === 'sign-in') {
  signIn()
  // The address pasted into this same tab only changes the part after '#': no new page load.
  window.addEventListener('hashchange', signIn)
} else defineApi()
