// Injected faults, matched in insertion order; each rule applies `times` times (default once).
// Test tooling only: attached to the emulator by ./index.ts (startTestSandbox), never shipped.
import { setTimeout as sleep } from 'node:timers/promises'

import { defaultBodyFor, discardBody, nestError, prebufferBody, writeJson } from '../http'
import type { BeforeAct, Exchange } from '../server'
import { STORAGE_PREFIX } from '../storage'

/** One injected fault, matched against incoming requests. First match wins; `times` counts down. */
export interface FaultRule {
  method?: string
  /** Exact path or a RegExp source matched against the path (no query). */
  path: string | RegExp
  /** 'status': answer with `status` (and optional body/headers) without acting.
   *  'delay': wait `delayMs` then handle normally.
   *  'reset': destroy the socket without answering (before acting).
   *  'drop-after': act normally (state changes!) then destroy the socket without answering. */
  kind: 'status' | 'delay' | 'reset' | 'drop-after'
  status?: number
  body?: unknown
  headers?: Record<string, string>
  delayMs?: number
  /** How many requests it applies to; default 1. Infinity for all. */
  times?: number
}

const KINDS = new Set<FaultRule['kind']>(['status', 'delay', 'reset', 'drop-after'])

/** The active fault rules. */
export class FaultSet {
  private rules: { rule: FaultRule; left: number }[] = []

  /** Adds a rule (validated). */
  add(rule: FaultRule): void {
    if (!KINDS.has(rule.kind)) throw new Error(`unknown fault kind ${String(rule.kind)}`)
    if (
      rule.kind === 'status' &&
      !(Number.isInteger(rule.status) && rule.status! >= 100 && rule.status! <= 599)
    ) {
      throw new Error('a status fault needs an HTTP status 100-599')
    }
    const left = rule.times ?? 1
    if (!(left > 0)) throw new Error('times must be positive')
    this.rules.push({ rule, left })
  }

  /** Removes all rules. */
  clear(): void {
    this.rules = []
  }

  /** First rule matching the request, consuming one of its `times`. */
  take(method: string, path: string): FaultRule | undefined {
    const i = this.rules.findIndex(({ rule }) => {
      if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) return false
      return typeof rule.path === 'string'
        ? rule.path === path
        : new RegExp(rule.path.source, rule.path.flags).test(path)
    })
    const hit = this.rules[i]
    if (!hit) return undefined
    hit.left -= 1
    if (hit.left <= 0) this.rules.splice(i, 1)
    return hit.rule
  }
}

/**
 * Applies the fault a request draws, if any (a server `beforeAct` hook); `noteFault` learns which
 * kind applied, for the request log.
 */
export async function applyFault(
  faults: FaultSet,
  x: Exchange,
  maxJsonBytes: number,
  noteFault: (kind: FaultRule['kind']) => void
): Promise<BeforeAct> {
  const fault = faults.take(x.method, x.path)
  if (!fault) return 'act'
  noteFault(fault.kind)
  if (fault.kind === 'reset') {
    x.finish(0)
    x.req.socket.destroy()
    return 'answered'
  }
  if (fault.kind === 'status') {
    const status = fault.status ?? 500
    x.finish(status)
    discardBody(x.req, x.res)
    writeJson(x.res, status, fault.body ?? defaultBodyFor(status), fault.headers)
    return 'answered'
  }
  if (fault.kind === 'delay') {
    // The body is read now, so the slow server still acts after its delay when the client gave up.
    if (!x.path.startsWith(STORAGE_PREFIX)) prebufferBody(x.req, maxJsonBytes)
    await sleep(Math.max(0, fault.delayMs ?? 0))
    return 'act'
  }
  return 'act-unanswered'
}

/** Parses the admin endpoint's JSON form (`path` string or `{regex}`, `times` number|"Infinity"|null). */
export function faultFromJson(input: unknown): FaultRule {
  if (!input || typeof input !== 'object') throw nestError(400, 'fault must be an object')
  const o = input as Record<string, unknown>
  let path: string | RegExp
  if (typeof o.path === 'string') path = o.path
  else if (
    o.path &&
    typeof o.path === 'object' &&
    typeof (o.path as { regex?: unknown }).regex === 'string'
  ) {
    try {
      path = new RegExp((o.path as { regex: string }).regex)
    } catch {
      throw nestError(400, 'invalid regex')
    }
  } else throw nestError(400, 'path must be a string or {regex}')
  const times =
    o.times === undefined
      ? undefined
      : o.times === null || o.times === 'Infinity'
        ? Infinity
        : Number(o.times)
  const rule: FaultRule = { path, kind: o.kind as FaultRule['kind'] }
  if (typeof o.method === 'string') rule.method = o.method
  if (typeof o.status === 'number') rule.status = o.status
  if (o.body !== undefined) rule.body = o.body
  if (o.headers && typeof o.headers === 'object') rule.headers = o.headers as Record<string, string>
  if (typeof o.delayMs === 'number') rule.delayMs = o.delayMs
  if (times !== undefined) rule.times = times
  return rule
}
