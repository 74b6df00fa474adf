// Waiting for a state, never for a time: polls `cond` and fails with a name after `timeoutMs`.

/** Resolves once `cond()` holds; rejects naming `what` after `timeoutMs` (real time). */
export async function waitFor(
  cond: () => boolean,
  timeoutMs = 5000,
  what = 'condition'
): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}
