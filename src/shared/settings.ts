// User preferences: their schema (a hand-edited settings file is validated field by field and
// falls back to defaults where it is nonsense) and defaults.
import { z } from 'zod'

import { MAX_QUANTITY, MAX_TAG_LENGTH, MAX_TAGS } from './send'

export const SettingsSchema = z.strictObject({
  theme: z.enum(['system', 'light', 'dark']),
  notifications: z.boolean(),
  defaultRoutingMode: z.enum(['any', 'tags']),
  defaultTags: z.array(z.string().min(1).max(MAX_TAG_LENGTH)).max(MAX_TAGS),
  defaultQuantity: z.number().int().min(1).max(MAX_QUANTITY),
  assumedUnit: z.enum(['mm', 'inch']),
  historySize: z.number().int().min(50).max(10_000),
  /** Where a weakly protected key goes: kept (encrypted as well as the OS allows) or this session only. */
  weakKeyStorage: z.enum(['ask', 'store', 'session'])
})

export type AppSettings = z.infer<typeof SettingsSchema>

/**
 * The smallest window the layout is made for (CSS px): Electron's window minimum, and the page's
 * minimum in the browser mode (it scrolls below it). Every panel scrolls inside it; Send stays in
 * view.
 */
export const MIN_WINDOW_SIZE = { width: 900, height: 600 } as const

export const DEFAULT_SETTINGS: AppSettings = {
  theme: 'system',
  notifications: true,
  defaultRoutingMode: 'any',
  defaultTags: [],
  defaultQuantity: 1,
  assumedUnit: 'mm',
  historySize: 1000,
  weakKeyStorage: 'ask'
}

/** Reads settings leniently: every valid field is kept, every invalid one falls back to its default. */
export function sanitizeSettings(raw: unknown): { settings: AppSettings; invalid: string[] } {
  const settings: AppSettings = { ...DEFAULT_SETTINGS }
  const invalid: string[] = []
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    return { settings, invalid: raw === undefined ? [] : ['(whole file)'] }
  const shape = SettingsSchema.shape
  for (const key of Object.keys(shape) as Array<keyof AppSettings>) {
    if (!(key in raw)) continue
    const parsed = shape[key].safeParse((raw as Record<string, unknown>)[key])
    if (parsed.success) (settings as Record<string, unknown>)[key] = parsed.data
    else invalid.push(key)
  }
  return { settings, invalid }
}

/** How well the OS protects stored keys (Electron safeStorage; Linux 'basic_text' is weak). */
export type KeyProtection = 'strong' | 'weak' | 'unavailable' | 'memory'
