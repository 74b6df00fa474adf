// The options `send` and `watch` share — where to print, how many copies, which priority — read
// and checked one way, so both commands accept and refuse the same things in the same words.
import { MAX_QUANTITY, type Priority, type Routing } from '../shared/send'
import { UsageError } from './io'

/** Printago printer ids are cuid2s: 24 lowercase alphanumerics. */
const PRINTER_ID = /^[a-z0-9]{24}$/

/** `--printer <id>` or `--tags A,B` (or neither: any printer); throws UsageError. */
export function routingFromArgs(values: { printer?: string; tags?: string }): Routing {
  const { printer } = values
  if (printer !== undefined) {
    if (printer.trim() === '') throw new UsageError('--printer needs a printer id')
    if (!PRINTER_ID.test(printer)) {
      throw new UsageError(
        `--printer needs a printer id, 24 lowercase letters and digits (got "${printer}"); the printers command lists them`
      )
    }
  }
  let tags: string[] | undefined
  if (values.tags !== undefined) {
    tags = values.tags.split(',').map((t) => t.trim())
    if (tags.some((t) => t === '')) throw new UsageError('--tags has an empty tag')
    const bad = tags.find((t) => t.includes('|'))
    if (bad)
      throw new UsageError(`tag "${bad}" contains '|', which Printago's tag syntax cannot express`)
  }
  if (printer !== undefined && tags !== undefined) {
    throw new UsageError('use either --printer or --tags, not both')
  }
  if (printer !== undefined) return { mode: 'printer', printerId: printer }
  return tags ? { mode: 'tags', tags } : { mode: 'any' }
}

/** `--quantity N` (default 1); throws UsageError. */
export function quantityFromArg(raw: string | undefined): number {
  if (raw === undefined) return 1
  const quantity = /^\d+$/.test(raw) ? Number(raw) : NaN
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) {
    throw new UsageError(`--quantity must be a whole number from 1 to ${MAX_QUANTITY} (got ${raw})`)
  }
  return quantity
}

/** `--priority low|normal` (undefined when not given); throws UsageError. */
export function priorityFromArg(raw: string | undefined): Priority | undefined {
  if (raw !== undefined && raw !== 'low' && raw !== 'normal')
    throw new UsageError(`--priority must be low or normal (got ${raw})`)
  return raw
}
