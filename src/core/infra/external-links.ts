// shell.openExternal is a classic Electron attack surface: only https URLs on an exact host
// allow-list may leave the app.

export const EXTERNAL_HOSTS = [
  'app.printago.io',
  'docs.printago.io',
  'www.printago.io',
  'printago.io'
]

/** Returns the normalised URL if it may be opened externally, else null. */
export function allowedExternalUrl(raw: string): string | null {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return null
  }
  if (url.protocol !== 'https:') return null
  if (url.username || url.password) return null
  if (!EXTERNAL_HOSTS.includes(url.hostname)) return null
  if (url.port && url.port !== '443') return null
  return url.toString()
}
