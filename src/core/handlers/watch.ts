// `watch:*`: the hot folders (src/core/watch): list with states and recent events, add (the
// folder is checked here: the browser mode types it), change rules, remove, pause and resume,
// send held files, send a file again. Every answer is the whole view; changes also arrive as
// `watch:changed` pushes.
import { fail, ok, type Result } from '../../shared/result'
import type { WatchView } from '../../shared/watch'
import { WatchConfigError, type WatchService } from '../watch/service'
import type { CoreContext, DomainHandlers } from './context'

async function answer(
  watch: WatchService,
  change: () => unknown | Promise<unknown>
): Promise<Result<WatchView>> {
  try {
    await change()
  } catch (err) {
    if (err instanceof WatchConfigError) return fail('watch-folder', err.message)
    throw err
  }
  return ok(watch.view())
}

export function watchHandlers(ctx: CoreContext): DomainHandlers<'watch'> {
  const watch = ctx.watch
  return {
    'watch:list': async () => ok(watch.view()),
    'watch:add': (config) => answer(watch, () => watch.add(config)),
    'watch:update': ({ id, rules }) => answer(watch, () => watch.update(id, rules)),
    'watch:remove': ({ id }) => answer(watch, () => watch.remove(id)),
    'watch:pause': ({ id, paused }) => answer(watch, () => watch.setPaused(id, paused)),
    'watch:release': ({ id, file }) => answer(watch, () => watch.release(id, file)),
    'watch:sendAgain': ({ id, file }) =>
      answer(watch, async () => {
        if (!(await watch.sendAgain(id, file)))
          throw new WatchConfigError(`${file} is not in the folder, or is being sent right now.`)
      })
  }
}
