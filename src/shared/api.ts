// The renderer's API (`window.api`), built from the IPC contract over any transport: Electron's
// ipcRenderer in the preload, HTTP + server-sent events in the browser test bridge.
import type { Channel, ChannelResults, EventName, Events, Payload } from './ipc'
import type { Result } from './result'

export interface Transport {
  invoke(channel: Channel, payload: unknown): Promise<Result<unknown>>
  on(event: EventName, listener: (payload: unknown) => void): () => void
  /** A dropped or picked File → its path on disk, which main-process services read. */
  pathForFile(file: File): Promise<string>
  /** The renderer's listeners are set up: the host delivers the push events it held back. */
  ready(): void
}

type Invoke<C extends Channel> =
  Payload<C> extends void | undefined
    ? (payload?: Payload<C>) => Promise<Result<ChannelResults[C]>>
    : (payload: Payload<C>) => Promise<Result<ChannelResults[C]>>

function call<C extends Channel>(t: Transport, channel: C): Invoke<C> {
  return ((payload?: unknown) => t.invoke(channel, payload)) as Invoke<C>
}

function listen<E extends EventName>(
  t: Transport,
  event: E
): (listener: (payload: Events[E]) => void) => () => void {
  return (listener) => t.on(event, (p) => listener(p as Events[E]))
}

/** Builds the named, narrow API the renderer uses. Nothing else of Electron is exposed. */
export function createApi(t: Transport) {
  return {
    app: { info: call(t, 'app:info'), ready: (): void => t.ready() },
    store: {
      status: call(t, 'store:status'),
      useDemo: call(t, 'store:useDemo'),
      connect: call(t, 'store:connect'),
      disconnect: call(t, 'store:disconnect'),
      list: call(t, 'store:list'),
      switch: call(t, 'store:switch'),
      forget: call(t, 'store:forget'),
      onChanged: listen(t, 'store:changed')
    },
    files: {
      pathFor: (file: File): Promise<string> => t.pathForFile(file),
      hash: call(t, 'files:hash')
    },
    printers: {
      list: call(t, 'printers:list'),
      materials: call(t, 'printers:materials'),
      confirmReady: call(t, 'printers:confirmReady'),
      onChanged: listen(t, 'printers:changed'),
      onAskBedClear: listen(t, 'printers:askBedClear')
    },
    send: {
      start: call(t, 'send:start'),
      cancel: call(t, 'send:cancel'),
      preview: call(t, 'send:preview'),
      onProgress: listen(t, 'send:progress'),
      onFinished: listen(t, 'send:finished')
    },
    settings: { get: call(t, 'settings:get'), set: call(t, 'settings:set') },
    watch: {
      list: call(t, 'watch:list'),
      add: call(t, 'watch:add'),
      update: call(t, 'watch:update'),
      remove: call(t, 'watch:remove'),
      pause: call(t, 'watch:pause'),
      release: call(t, 'watch:release'),
      sendAgain: call(t, 'watch:sendAgain'),
      onChanged: listen(t, 'watch:changed')
    },
    shell: { openExternal: call(t, 'shell:openExternal') },
    history: {
      list: call(t, 'history:list'),
      reprint: call(t, 'history:reprint'),
      cancel: call(t, 'history:cancel'),
      retry: call(t, 'history:retry'),
      troubleshoot: call(t, 'history:troubleshoot'),
      moveToFront: call(t, 'history:moveToFront'),
      pause: call(t, 'history:pause'),
      resume: call(t, 'history:resume'),
      clearFinished: call(t, 'history:clearFinished'),
      slicerLog: call(t, 'history:slicerLog'),
      exportCsv: call(t, 'history:exportCsv'),
      clear: call(t, 'history:clear'),
      onChanged: listen(t, 'history:changed'),
      onOpen: listen(t, 'history:open')
    }
  }
}

export type Api = ReturnType<typeof createApi>
