// The Conf-like store the history file is written through: electron-store in the app, conf in
// Node (ElectronStore is literally `class extends Conf`). Injected, so core stays Electron-free.
import Conf from 'conf'

/** The part of Conf / ElectronStore the repository uses. */
export interface ConfLike {
  readonly path: string
  store: Record<string, unknown>
}

/** What the factory must pass on to `new Conf(...)` / `new ElectronStore(...)`. */
export interface ConfFactoryOptions {
  cwd: string
  /** File name without `.json` (Conf: `configName`, electron-store: `name`). */
  name: string
  /** Must stay false: a damaged file is quarantined here, never silently replaced. */
  clearInvalidConfig: false
  configFileMode: number
  serialize: (value: Record<string, unknown>) => string
  deserialize: (text: string) => Record<string, unknown>
}

/** Creates the Conf-like store for one file (injected so tests use conf and the app electron-store). */
export type ConfFactory = (options: ConfFactoryOptions) => ConfLike

/** Opens the history file `name` in `dir` through `createConf`, private to the user. */
export function openHistoryConf(createConf: ConfFactory, dir: string, name: string): ConfLike {
  return createConf({
    cwd: dir,
    name,
    clearInvalidConfig: false,
    configFileMode: 0o600,
    serialize: (value) => JSON.stringify(value),
    deserialize: (t) => JSON.parse(t) as Record<string, unknown>
  })
}

/** Conf in Node (the desktop app passes electron-store, which extends Conf). */
export const nodeConfFactory: ConfFactory = (o) =>
  new Conf<Record<string, unknown>>({
    cwd: o.cwd,
    configName: o.name,
    clearInvalidConfig: o.clearInvalidConfig,
    configFileMode: o.configFileMode,
    serialize: o.serialize,
    deserialize: o.deserialize
  })
