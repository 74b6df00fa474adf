// Routes: builds (v2, its preview, the legacy v1) and part builds.
import type { BuildConfigV2, LegacyBuildConfig } from '../shared/printago/api-types'
import { createBuildsV1, createBuildsV2, previewBuildsV2 } from './builds'
import { created, list, ok, param, searched, type Route } from './route-kit'
import { searchBodySchema } from './search'
import { permissionOf } from './spec'

export const BUILD_ROUTES: Route[] = [
  {
    method: 'POST',
    pattern: '/v2/builds',
    specPath: '/v2/builds',
    handler: ({ body, store }) =>
      created({ partBuilds: createBuildsV2(store, body as BuildConfigV2), skuBuilds: [] })
  },
  {
    // A dry run: the same checks and 404s, nothing queued; it counts against the rate limit.
    method: 'POST',
    pattern: '/v2/builds/preview',
    specPath: '/v2/builds/preview',
    handler: ({ body, store }) => created(previewBuildsV2(store, body as BuildConfigV2))
  },
  {
    method: 'POST',
    pattern: '/v1/builds',
    specPath: '/v1/builds',
    handler: ({ body, store }) =>
      created({ partBuilds: createBuildsV1(store, body as LegacyBuildConfig), skuBuilds: [] })
  },
  {
    method: 'GET',
    pattern: '/v1/part-builds',
    specPath: '/v1/part-builds',
    handler: (ctx) => {
      const rows = [...ctx.store.state.partBuilds.values()].map((b) => ctx.store.withRelations(b))
      return ok(list(rows, ctx, 'PartBuildWithRelation'))
    }
  },
  {
    method: 'POST',
    pattern: '/v1/part-builds/search',
    permission: permissionOf('post', '/v1/part-builds/search'),
    inlineBodySchema: searchBodySchema('SearchQueryDtoPartBuild'),
    handler: (ctx) => {
      const rows = [...ctx.store.state.partBuilds.values()].map((b) => ctx.store.withRelations(b))
      return searched(rows, ctx, 'PartBuild')
    }
  },
  {
    method: 'GET',
    pattern: '/v1/part-builds/:id',
    specPath: '/v1/part-builds/{id}',
    handler: (ctx) => {
      // Documented as "or undefined if not found": 200 with an empty body, not 404.
      const build = ctx.store.state.partBuilds.get(param(ctx, 'id'))
      return ok(build ? ctx.store.withRelations(build) : undefined)
    }
  }
]
