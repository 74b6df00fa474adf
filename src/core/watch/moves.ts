// Moving processed files out of the watched folder: sent ones to `Sent/`, refused or failed ones
// to `Failed/` with `<name>.txt` beside them saying why. A name already taken there gets a
// counter (`a (2).stl`), so nothing in Sent/ or Failed/ is ever overwritten.
import { mkdir, rename, stat, writeFile } from 'node:fs/promises'
import { extname, join } from 'node:path'

import { FAILED_DIR, SENT_DIR } from '../../shared/watch'

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false
  )
}

/** A free name for `name` in `dir`: the name itself, or `stem (n).ext`. */
async function freeName(dir: string, name: string): Promise<string> {
  const ext = extname(name)
  const stem = name.slice(0, name.length - ext.length)
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? name : `${stem} (${n})${ext}`
    if (!(await exists(join(dir, candidate))) && !(await exists(join(dir, `${candidate}.txt`))))
      return candidate
  }
}

/** Moves `folder/name` into `folder/Sent/`; returns the path it now has. */
export async function moveToSent(folder: string, name: string): Promise<string> {
  const dir = join(folder, SENT_DIR)
  await mkdir(dir, { recursive: true })
  const dest = join(dir, await freeName(dir, name))
  await rename(join(folder, name), dest)
  return dest
}

/**
 * Moves `folder/name` into `folder/Failed/` and writes why beside it. The reason is written
 * first: a crash between the two leaves an explanation, never a silent failed file.
 */
export async function moveToFailed(folder: string, name: string, reason: string): Promise<string> {
  const dir = join(folder, FAILED_DIR)
  await mkdir(dir, { recursive: true })
  const target = await freeName(dir, name)
  await writeFile(
    join(dir, `${target}.txt`),
    `${name} was not sent.\n\n${reason}\n\nFix the file and copy it into the hot folder again to send it.\n`
  )
  const dest = join(dir, target)
  await rename(join(folder, name), dest)
  return dest
}
