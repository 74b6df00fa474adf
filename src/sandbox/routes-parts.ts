// Routes: the store, storage (signed upload and download URLs) and parts with their metadata.
import type {
  PartInsertWithMaterials,
  SignedUploadUrlsRequest,
  SignedUrlsRequest
} from '../shared/printago/api-types'
import { nestError } from './http'
import { createPart, deletePart, splitPlates } from './parts'
import { created, list, need, ok, param, searched, type Route } from './route-kit'
import { searchBodySchema } from './search'
import { permissionOf } from './spec'

/** Signed download URLs live this long unless asked otherwise (seconds; a guess). */
const DEFAULT_DOWNLOAD_SECONDS = 3600
/** GCS V4 signatures last at most 7 days. */
const MAX_DOWNLOAD_SECONDS = 7 * 24 * 3600

export const PART_ROUTES: Route[] = [
  {
    method: 'GET',
    pattern: '/v1/stores',
    specPath: '/v1/stores',
    handler: ({ store }) => ok([store.store()])
  },
  {
    method: 'POST',
    pattern: '/v1/storage/signed-upload-urls',
    specPath: '/v1/storage/signed-upload-urls',
    handler: ({ body, storage, store, baseUrl }) => {
      const { filenames } = body as SignedUploadUrlsRequest
      return created({ signedUrls: storage.signUploads(store.storeId, filenames, baseUrl) })
    }
  },
  {
    method: 'POST',
    pattern: '/v1/storage/signed-urls',
    specPath: '/v1/storage/signed-urls',
    handler: ({ body, storage, baseUrl }) => {
      const { paths, duration } = body as SignedUrlsRequest
      const seconds = duration ?? DEFAULT_DOWNLOAD_SECONDS
      if (!(seconds > 0 && seconds <= MAX_DOWNLOAD_SECONDS)) {
        throw nestError(400, `duration must be between 1 and ${MAX_DOWNLOAD_SECONDS} seconds`)
      }
      return created({ signedUrls: storage.signDownloads(paths, seconds, baseUrl) })
    }
  },
  {
    method: 'GET',
    pattern: '/v1/parts',
    specPath: '/v1/parts',
    handler: (ctx) => ok(list([...ctx.store.state.parts.values()], ctx, 'Part'))
  },
  {
    method: 'POST',
    pattern: '/v1/parts',
    specPath: '/v1/parts',
    handler: ({ body, store }) => created(createPart(store, body as PartInsertWithMaterials))
  },
  {
    method: 'POST',
    pattern: '/v1/parts/search',
    permission: permissionOf('post', '/v1/parts/search'),
    inlineBodySchema: searchBodySchema('SearchQueryDtoPart'),
    handler: (ctx) => searched([...ctx.store.state.parts.values()], ctx, 'Part')
  },
  {
    method: 'GET',
    pattern: '/v1/parts/:id',
    specPath: '/v1/parts/{id}',
    handler: (ctx) =>
      ok(need(ctx.store.state.parts.get(param(ctx, 'id')), 'Part', param(ctx, 'id')))
  },
  {
    // Printago answers an id array.
    method: 'DELETE',
    pattern: '/v1/parts/:id',
    specPath: '/v1/parts/{id}',
    handler: (ctx) => {
      deletePart(ctx.store, param(ctx, 'id'))
      return ok([param(ctx, 'id')])
    }
  },
  {
    method: 'POST',
    pattern: '/v1/parts/:id/split-plates',
    specPath: '/v1/parts/{id}/split-plates',
    handler: (ctx) => created(splitPlates(ctx.store, ctx.storage, param(ctx, 'id')))
  },
  {
    // 200 with `null` until the part's metadata has been extracted.
    method: 'GET',
    pattern: '/v1/parts/:partId/metadata',
    specPath: '/v1/parts/{partId}/metadata',
    handler: (ctx) => {
      const id = param(ctx, 'partId')
      need(ctx.store.state.parts.get(id), 'Part', id)
      return ok(ctx.store.state.partMetadata.get(id) ?? null)
    }
  },
  {
    method: 'POST',
    pattern: '/v1/parts/:partId/estimate',
    specPath: '/v1/parts/{partId}/estimate',
    handler: (ctx) => {
      const id = param(ctx, 'partId')
      need(ctx.store.state.parts.get(id), 'Part', id)
      ctx.store.pendingAnalysis.add(id)
      return created({ message: `Estimation started for part ${id}` })
    }
  }
]
