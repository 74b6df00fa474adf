// The preload: exposes the named API over ipcRenderer and nothing else (no raw ipcRenderer, no
// Node). Emitted as one CommonJS file because a sandboxed preload cannot be an ES module.
import { contextBridge, ipcRenderer, webUtils } from 'electron'

import { createApi, type Transport } from '../shared/api'
import { eventNames, RENDERER_READY } from '../shared/ipc'

const transport: Transport = {
  invoke: (channel, payload) => ipcRenderer.invoke(channel, payload),
  on: (event, listener) => {
    if (!eventNames.includes(event)) throw new Error(`unknown event ${event}`)
    const wrapped = (_e: unknown, payload: unknown): void => listener(payload)
    ipcRenderer.on(event, wrapped)
    return () => ipcRenderer.removeListener(event, wrapped)
  },
  // File.path was removed from Electron; webUtils is the supported way to get a dropped file's path.
  pathForFile: async (file) => webUtils.getPathForFile(file),
  // The renderer's listeners are set up; main delivers the push events it held back.
  ready: () => ipcRenderer.send(RENDERER_READY)
}

contextBridge.exposeInMainWorld('api', createApi(transport))
