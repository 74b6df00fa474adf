// Downloads from Printago's storage through signed URLs (thumbnails, slicer logs): a plain GET that
// never carries the API key (the URL holds its own signature), read up to a byte cap, with a
// timeout; failures as PrintagoErrors. Storage is not the API: no rate limit, no retries.
import type { Download } from './client'
import { PrintagoError } from './errors'

/** The code of a system error (ECONNREFUSED…), looking through `cause` chains. */
export function causeCode(error: unknown): string | undefined {
  let current: unknown = error
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string') return code
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

/** GETs `url`, reading at most `maxBytes` (`truncated` says there was more). */
export async function downloadSigned(
  doFetch: typeof globalThis.fetch,
  url: string,
  o: { maxBytes: number; signal?: AbortSignal; timeoutMs: number }
): Promise<Download> {
  // A signed URL carries its own signature: never send the API key to storage.
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), o.timeoutMs)
  const onAbort = (): void => controller.abort()
  o.signal?.addEventListener('abort', onAbort, { once: true })
  const where = new URL(url).pathname
  try {
    const response = await doFetch(url, { signal: controller.signal, redirect: 'error' })
    if (!response.ok) {
      await response.body?.cancel()
      throw new PrintagoError({
        code:
          response.status === 403 ? 'forbidden' : response.status === 404 ? 'not-found' : 'server',
        status: response.status,
        method: 'GET',
        path: where,
        message: `Printago's storage answered ${response.status} for a download`
      })
    }
    const chunks: Uint8Array[] = []
    let size = 0
    let truncated = false
    const reader = response.body?.getReader()
    while (reader) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      size += value.byteLength
      if (size > o.maxBytes) {
        truncated = true
        await reader.cancel()
        break
      }
    }
    const all = new Uint8Array(size)
    let at = 0
    for (const c of chunks) {
      all.set(c, at)
      at += c.byteLength
    }
    return {
      bytes: truncated ? all.subarray(0, o.maxBytes) : all,
      contentType: response.headers.get('content-type'),
      truncated
    }
  } catch (error) {
    if (error instanceof PrintagoError) throw error
    throw new PrintagoError({
      code: controller.signal.aborted && !o.signal?.aborted ? 'timeout' : 'network',
      method: 'GET',
      path: where,
      message: `Could not download from Printago's storage: ${causeCode(error) ?? (error as Error).message}`
    })
  } finally {
    clearTimeout(timer)
    o.signal?.removeEventListener('abort', onAbort)
  }
}
