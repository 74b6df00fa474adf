// Regenerates the Printago API contract used by the client and the sandbox:
//   src/shared/printago/openapi.subset.json  – the endpoints we use, with every schema they reference
//   src/shared/printago/api-types.ts          – TypeScript types generated from that subset
// Source: Printago's official OpenAPI specs, copied verbatim into spec/printago/.
// The Apr-2026 spec is the contract; the legacy POST /v1/builds exists only in the Oct-2025 one.
import { readFileSync, writeFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'

const CURRENT = 'spec/printago/openapi-2026-04.json'
const LEGACY = 'spec/printago/openapi-2025-10.json'
const OUT_JSON = 'src/shared/printago/openapi.subset.json'
const OUT_TS = 'src/shared/printago/api-types.ts'

/** Paths (and methods) the app and the sandbox implement. */
const USED = {
  '/v1/stores': ['get'],
  '/v1/storage/signed-upload-urls': ['post'],
  '/v1/storage/signed-urls': ['post'],
  '/v1/parts': ['get', 'post'],
  '/v1/parts/search': ['post'],
  '/v1/parts/{id}': ['get', 'delete'],
  '/v1/parts/{id}/split-plates': ['post'],
  '/v1/parts/{partId}/metadata': ['get'],
  '/v1/parts/{partId}/estimate': ['post'],
  '/v2/builds': ['post'],
  '/v2/builds/preview': ['post'],
  '/v1/part-builds': ['get'],
  '/v1/part-builds/search': ['post'],
  '/v1/part-builds/{id}': ['get'],
  '/v1/printers': ['get', 'delete'],
  '/v1/printers/search': ['post'],
  '/v1/printers/confirm-ready': ['patch'],
  '/v1/printers/continous-print': ['patch'],
  '/v1/printers/{id}': ['get', 'delete'],
  '/v1/maintenance/mode': ['patch'],
  '/v1/print-jobs': ['get'],
  '/v1/print-jobs/search': ['post'],
  '/v1/print-jobs/{id}': ['get', 'patch'],
  '/v1/print-jobs/cancel': ['patch'],
  '/v1/print-jobs/retry': ['patch'],
  '/v1/print-jobs/pause': ['patch'],
  '/v1/print-jobs/resume': ['patch'],
  '/v1/print-jobs/clear': ['patch'],
  '/v1/print-jobs/move-to-queue-front': ['patch'],
  '/v1/print-jobs/{id}/reorder': ['patch'],
  '/v1/print-jobs/{id}/matching-troubleshoot': ['get'],
  '/v1/materials': ['get'],
  '/v1/materials/variants': ['get'],
  '/v1/materials/variants/{id}': ['get'],
  '/v1/materials/printer-slots': ['get'],
  '/v1/materials/{materialId}/variants': ['get'],
  '/v1/materials/{id}': ['get'],
  '/v1/material-variants': ['get'],
  '/v1/printer-slots': ['get']
}
const USED_LEGACY = { '/v1/builds': ['post'] }
/** Schemas without an endpoint: the MQTT printer-stats payload (the removed REST stats schema). */
const LEGACY_SCHEMAS = ['PrinterStat']

const current = JSON.parse(readFileSync(CURRENT, 'utf8'))
const legacy = JSON.parse(readFileSync(LEGACY, 'utf8'))

function collectRefs(node, spec, schemas, prefix) {
  if (Array.isArray(node)) return node.forEach((n) => collectRefs(n, spec, schemas, prefix))
  if (!node || typeof node !== 'object') return
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') {
      const name = value.replace('#/components/schemas/', '')
      const target = prefix + name
      if (!schemas[target]) {
        schemas[target] = structuredClone(spec.components.schemas[name])
        if (!schemas[target]) throw new Error(`unresolved ${value}`)
        collectRefs(schemas[target], spec, schemas, prefix)
      }
    } else collectRefs(value, spec, schemas, prefix)
  }
}

/** Rewrites $refs of a legacy schema so its names cannot collide with the current spec's. */
function prefixRefs(node, prefix) {
  if (Array.isArray(node)) return node.forEach((n) => prefixRefs(n, prefix))
  if (!node || typeof node !== 'object') return
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string')
      node[key] = value.replace('#/components/schemas/', '#/components/schemas/' + prefix)
    else prefixRefs(value, prefix)
  }
}

const paths = {}
const schemas = {}
for (const [path, methods] of Object.entries(USED)) {
  paths[path] = {}
  for (const m of methods) {
    const op = current.paths[path]?.[m]
    if (!op) throw new Error(`${m.toUpperCase()} ${path} missing from ${CURRENT}`)
    paths[path][m] = structuredClone(op)
  }
  collectRefs(paths[path], current, schemas, '')
}
for (const [path, methods] of Object.entries(USED_LEGACY)) {
  paths[path] = {}
  for (const m of methods) {
    const op = structuredClone(legacy.paths[path][m])
    op['x-source'] = 'openapi-2025-10.json (removed from the Apr-2026 spec)'
    const legacySchemas = {}
    collectRefs(op, legacy, legacySchemas, 'Legacy')
    prefixRefs(op, 'Legacy')
    for (const s of Object.values(legacySchemas)) prefixRefs(s, 'Legacy')
    Object.assign(schemas, legacySchemas)
    paths[path][m] = op
  }
}

for (const name of LEGACY_SCHEMAS) {
  const legacySchemas = {}
  collectRefs({ $ref: `#/components/schemas/${name}` }, legacy, legacySchemas, 'Legacy')
  for (const s of Object.values(legacySchemas)) prefixRefs(s, 'Legacy')
  Object.assign(schemas, legacySchemas)
}

const subset = {
  openapi: current.openapi,
  info: {
    ...current.info,
    description: `Subset of ${CURRENT} (+ ${LEGACY} for /v1/builds and the printer-stats payload). Generated by scripts/gen-api-types.mjs; do not edit.`
  },
  servers: current.servers,
  paths,
  components: {
    schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))),
    securitySchemes: current.components.securitySchemes
  }
}
writeFileSync(OUT_JSON, JSON.stringify(subset, null, 1) + '\n')
execFileSync(
  'npx',
  ['openapi-typescript', OUT_JSON, '-o', OUT_TS, '--root-types', '--root-types-no-schema-prefix'],
  { stdio: 'inherit' }
)
const ts = readFileSync(OUT_TS, 'utf8')
writeFileSync(
  OUT_TS,
  `/* eslint-disable */\n// Generated by scripts/gen-api-types.mjs from Printago's official OpenAPI spec. Do not edit.\n${ts}`
)
console.log(
  `${Object.keys(paths).length} paths, ${Object.keys(schemas).length} schemas -> ${OUT_JSON}, ${OUT_TS}`
)
