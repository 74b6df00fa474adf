// Routes: materials and their colour variants (the demo catalogue; read-only).
import { list, need, ok, param, type Route } from './route-kit'

export const MATERIAL_ROUTES: Route[] = [
  {
    method: 'GET',
    pattern: '/v1/materials',
    specPath: '/v1/materials',
    handler: (ctx) => ok(list([...ctx.store.state.materials.values()], ctx, 'Material'))
  },
  {
    // No list parameters in the spec for this one: always the bare array.
    method: 'GET',
    pattern: '/v1/materials/variants',
    specPath: '/v1/materials/variants',
    handler: (ctx) => ok([...ctx.store.state.materialVariants.values()])
  },
  {
    method: 'GET',
    pattern: '/v1/materials/variants/:id',
    specPath: '/v1/materials/variants/{id}',
    handler: (ctx) =>
      ok(
        need(
          ctx.store.state.materialVariants.get(param(ctx, 'id')),
          'Material variant',
          param(ctx, 'id')
        )
      )
  },
  {
    method: 'GET',
    pattern: '/v1/materials/:materialId/variants',
    specPath: '/v1/materials/{materialId}/variants',
    handler: (ctx) => {
      const id = param(ctx, 'materialId')
      need(ctx.store.state.materials.get(id), 'Material', id)
      return ok([...ctx.store.state.materialVariants.values()].filter((v) => v.materialId === id))
    }
  },
  {
    method: 'GET',
    pattern: '/v1/materials/:id',
    specPath: '/v1/materials/{id}',
    handler: (ctx) =>
      ok(need(ctx.store.state.materials.get(param(ctx, 'id')), 'Material', param(ctx, 'id')))
  },
  {
    method: 'GET',
    pattern: '/v1/material-variants',
    specPath: '/v1/material-variants',
    handler: (ctx) =>
      ok(list([...ctx.store.state.materialVariants.values()], ctx, 'MaterialVariant'))
  }
]
