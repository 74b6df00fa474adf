// Runs in a plain browser page served by the test bridge: defines `window.api` exactly as the
// preload does, but over HTTP (invoke), server-sent events (push) and a staging upload (a dropped
// File becomes a temp file on disk, as Electron's webUtils.getPathForFile gives a real path).
import { createApi, type Transport } from '../shared/api'
import type { EventName } from '../shared/ipc'

const listeners = new Map<EventName, Set<(payload: unknown) => void>>()
const source = new EventSource('/__bridge/events')
source.onmessage = (e: MessageEvent<string>) => {
  const { event, payload } = JSON.parse(e.data) as { event: EventName; payload: unknown }
  listeners.get(event)?.forEach((l) => l(payload))
}

const staged = new WeakMap<File, Promise<string>>()

const transport: Transport = {
  async invoke(channel, payload) {
    const res = await fetch(`/__bridge/invoke/${encodeURIComponent(channel)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload === undefined ? null : payload)
    })
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
