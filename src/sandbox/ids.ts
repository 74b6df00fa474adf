// Ids and timestamps. Seeded runs must be reproducible, so nothing here reads Math.random.
import { randomBytes } from 'node:crypto'

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789'

/** Source of randomness: seeded (mulberry32) or crypto-backed. */
export interface Random {
  /** Uniform float in [0, 1). */
  next(): number
  /** A cuid2-shaped id: 24 lowercase alphanumerics starting with a letter. */
  id(): string
  /** `length` lowercase alphanumerics. */
  token(length: number): string
}

/** Creates a Random; with a seed every sequence is reproducible. */
export function createRandom(seed?: number): Random {
  let next: () => number
  if (seed === undefined) {
    next = () => randomBytes(4).readUInt32BE(0) / 2 ** 32
  } else {
    let a = seed >>> 0
    next = () => {
      a = (a + 0x6d2b79f5) >>> 0
      let t = a
      t = Math.imul(t ^ (t >>> 15), t | 1)
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
      return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
    }
  }
  const pick = (chars: string): string => chars[Math.floor(next() * chars.length)] ?? 'a'
  const token = (length: number): string => {
    let out = ''
    for (let i = 0; i < length; i++) out += pick(ALPHABET)
    return out
  }
  return { next, token, id: () => pick(ALPHABET.slice(0, 26)) + token(23) }
}

/** Entity timestamps: strictly increasing so createdAt sorts are stable. */
export interface EntityClock {
  /** Milliseconds since the epoch, never equal to a previous value. */
  nowMs(): number
  /** ISO-8601 of nowMs(). */
  stamp(): string
}

/** Seeded clocks start at a fixed instant and advance 1 s per stamp; others follow `now`. */
export function createEntityClock(seeded: boolean, now: () => number = Date.now): EntityClock {
  let last = seeded ? Date.parse('2026-04-28T12:00:00.000Z') : 0
  const nowMs = (): number => {
    last = seeded ? last + 1000 : Math.max(now(), last + 1)
    return last
  }
  return { nowMs, stamp: () => new Date(nowMs()).toISOString() }
}
