// The local files each channel's payload names. In the browser mode main reads only files the user
// gave the page, so the bridge checks these paths against its staged files before the handler
// runs. Every channel of the contract is listed: a new channel does not compile until it says
// which paths it carries.
import { channels, type Channel, type Payload } from '../shared/ipc'

const none = (): string[] => []

const PATHS: { [C in Channel]: (payload: Payload<C>) => string[] } = {
  'files:hash': (p) => [p.path],
  'send:start': (p) => p.items.map((item) => item.path),
  'send:preview': (p) => p.items.map((item) => item.path),
  'app:info': none,
  'store:status': none,
  'store:useDemo': none,
  'store:connect': none,
  'store:disconnect': none,
  'printers:list': none,
  'printers:materials': none,
  'send:cancel': none,
  'shell:openExternal': none,
  'history:list': none,
  'history:reprint': none,
  'history:cancel': none,
  'history:retry': none,
  'history:troubleshoot': none,
  'history:moveToFront': none,
  'history:pause': none,
  'history:resume': none,
  'history:clearFinished': none,
  'history:slicerLog': none,
  'printers:confirmReady': none,
  'history:exportCsv': none,
  'history:clear': none,
  'settings:get': none,
  'settings:set': none,
  'store:list': none,
  'store:switch': none,
  'store:forget': none,
  'watch:list': none,
  // A hot folder is named by the signed-in user on purpose (typed: no picker in a browser); its
  // files are read by the watcher, never through a payload path. docs/security.md says so.
  'watch:add': none,
  'watch:update': none,
  'watch:remove': none,
  'watch:pause': none,
  'watch:release': none,
  'watch:sendAgain': none
}

/**
 * The paths `payload` names, read with the channel's own schema; null when the payload does not
 * match it (the handler table refuses it then, without reading anything).
 */
export function pathsIn<C extends Channel>(channel: C, payload: unknown): string[] | null {
  const parsed = channels[channel].safeParse(payload)
  if (!parsed.success) return null
  return (PATHS[channel] as (p: unknown) => string[])(parsed.data)
}
