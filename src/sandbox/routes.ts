// The Printago API routes the sandbox implements (first match wins), by area.
import { BUILD_ROUTES } from './routes-builds'
import { JOB_ROUTES } from './routes-jobs'
import { MATERIAL_ROUTES } from './routes-materials'
import { PART_ROUTES } from './routes-parts'
import { PRINTER_ROUTES } from './routes-printers'
import type { Route } from './route-kit'

export type { Route, RouteContext, RouteResult } from './route-kit'

/** The route table. Literal segments come before parameters within each area. */
export const ROUTES: Route[] = [
  ...PART_ROUTES,
  ...BUILD_ROUTES,
  ...PRINTER_ROUTES,
  ...JOB_ROUTES,
  ...MATERIAL_ROUTES
]

/** Finds the route for `method path` (NestJS answers 404 for a wrong method too). */
export function matchRoute(
  method: string,
  path: string
): { route: Route; params: Record<string, string> } | undefined {
  const segs = path.split('/')
  for (const route of ROUTES) {
    if (route.method !== method) continue
    const pat = route.pattern.split('/')
    if (pat.length !== segs.length) continue
    const params: Record<string, string> = {}
    let hit = true
    for (let i = 0; i < pat.length && hit; i++) {
      const p = pat[i] ?? ''
      const s = segs[i] ?? ''
      if (p.startsWith(':')) {
        if (!s) hit = false
        else {
          try {
            params[p.slice(1)] = decodeURIComponent(s)
          } catch {
            params[p.slice(1)] = s
          }
        }
      } else if (p !== s) hit = false
    }
    if (hit) return { route, params }
  }
  return undefined
}
