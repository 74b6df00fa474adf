// Injected faults, matched in insertion order; each rule applies `times` times (default once).
// Test tooling only: attached to the emulator by ./index.ts (startTestSandbox), never shipped.
import { setTimeout as sleep } from 'node:timers/promises'

import type { ServerResponse } from 'node:http'
import { STATUS_CODES } from 'node:http'

import { defaultBodyFor, discardBody, nestError, prebufferBody, writeJson } from '../http'
import type { BeforeAct, Exchange } from '../server'
import { STORAGE_PREFIX } from '../storage'

/** One injected fault, matched against incoming requests. First match wins; `times` counts down. */
export interface FaultRule {
  method?: string
  /** Exact path or a RegExp source matched against the path (no query). */
  path: string | RegExp
  /** 'status': answer with `status` (and optional body/headers) without acting.
   *  'status-after': act normally (state changes!), then answer `status` instead of the result,
   *    like a gateway that timed out on a request the API still performed.
   *  'delay': wait `delayMs` then handle normally.
   *  'reset': destroy the socket without answering (before acting).
   *  'drop-after': act normally (state changes!) then destroy the socket without answering. */
  kind: 'status' | 'status-after' | 'delay' | 'reset' | 'drop-after'
  status?: number
  /** JSON body to send (a string is sent as text in `bodyStyle`); default: per `bodyStyle`. */
  body?: unknown
  /**
   * The default body: 'json' is Printago's NestJS shape (`{statusCode, message, error}`), 'html'
   * a gateway's HTML error page, 'text' a gateway's plain-text error. Default 'json' for
   * 'status', 'html' for 'status-after'.
   */
  bodyStyle?: BodyStyle
  headers?: Record<string, string>
  delayMs?: number
  /** How many requests it applies to; default 1. Infinity for all. */
  times?: number
}

export type BodyStyle = 'json' | 'html' | 'text'

const KINDS = new Set<FaultRule['kind']>(['status', 'status-after', 'delay', 'reset', 'drop-after'])
const STYLES = new Set<BodyStyle>(['json', 'html', 'text'])
const needsStatus = (kind: FaultRule['kind']): boolean =>
  kind === 'status' || kind === 'status-after'

/** The active fault rules. */
export class FaultSet {
  private rules: { rule: FaultRule; left: number }[] = []

  /** Adds a rule (validated). */
  add(rule: FaultRule): void {
    if (!KINDS.has(rule.kind)) throw new Error(`unknown fault kind ${String(rule.kind)}`)
    if (
      needsStatus(rule.kind) &&
      !(Number.isInteger(rule.status) && rule.status! >= 100 && rule.status! <= 599)
    ) {
      throw new Error(`a ${rule.kind} fault needs an HTTP status 100-599`)
    }
    if (rule.bodyStyle !== undefined && !STYLES.has(rule.bodyStyle)) {
      throw new Error(`unknown bodyStyle ${String(rule.bodyStyle)} (json, html or text)`)
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

/** A gateway's error page (nginx-like HTML) or plain text (Envoy-like, as Google's LB sends). */
export function gatewayBody(status: number, style: 'html' | 'text'): string {
  const reason = `${status} ${STATUS_CODES[status] ?? 'Error'}`
  if (style === 'text') {
    return status === 504
      ? 'upstream request timeout'
      : 'upstream connect error or disconnect/reset before headers. reset reason: connection termination'
  }
  return (
    `<html>\r\n<head><title>${reason}</title></head>\r\n<body>\r\n` +
    `<center><h1>${reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`
  )
}

/** Writes a fault's answer: its body, or the default body of its style. */
function writeFaultAnswer(res: ServerResponse, fault: FaultRule, status: number): void {
  const style = fault.bodyStyle ?? (fault.kind === 'status-after' ? 'html' : 'json')
  const text = typeof fault.body === 'string' ? fault.body : undefined
  if (style === 'json' && text === undefined) {
    writeJson(res, status, fault.body ?? defaultBodyFor(status), fault.headers)
    return
  }
  if (res.headersSent || res.destroyed) return
  const payload = text ?? (style === 'json' ? '' : gatewayBody(status, style))
  const type = style === 'html' ? 'text/html' : style === 'text' ? 'text/plain' : 'application/json'
  res.writeHead(status, {
    'content-type': `${type}; charset=utf-8`,
    'content-length': Buffer.byteLength(payload),
    ...fault.headers
  })
  res.end(payload)
}

/**
 * Applies the fault a request draws, if any (a server `beforeAct` hook); `noteFault` learns which
 * kind applied (and, for 'status-after', the status the action produced), for the request log.
 */
export async function applyFault(
  faults: FaultSet,
  x: Exchange,
  maxJsonBytes: number,
  noteFault: (kind: FaultRule['kind'], actedStatus?: number) => void
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
    writeFaultAnswer(x.res, fault, status)
    return 'answered'
  }
  if (fault.kind === 'status-after') {
    return {
      actThen(actedStatus) {
        noteFault(fault.kind, actedStatus)
        const status = fault.status ?? 502
        x.finish(status)
        discardBody(x.req, x.res)
        writeFaultAnswer(x.res, fault, status)
      }
    }
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
  if (typeof o.bodyStyle === 'string') rule.bodyStyle = o.bodyStyle as BodyStyle
  if (typeof o.delayMs === 'number') rule.delayMs = o.delayMs
  if (times !== undefined) rule.times = times
  return rule
}
