// Temp directories for tests: each test gets its own (parallel workers never share files).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A fresh temp directory and its cleanup. */
export async function tempDir(
  prefix = 'printago-send-'
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true, maxRetries: 3 }) }
}
