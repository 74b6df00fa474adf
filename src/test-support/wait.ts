// Waiting for a state, never for a time: polls `cond` and fails with a name after `timeoutMs`.
// The timeout is no timing assertion, only a way out for a test whose state never comes (so its
// teardown still runs); it is generous because the machine may be loaded.

/** Resolves once `cond()` holds; rejects naming `what` after `timeoutMs` (real time). */
export async function waitFor(
  cond: () => boolean,
  timeoutMs = 10_000,
  what = 'condition'
): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 2))
  }
}
