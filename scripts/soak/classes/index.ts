// The fault classes, in the order runs take them (run i exercises CLASSES[i % n]).
import type { FaultClass } from '../run'
import { acting5xx } from './acting-5xx'
import { clockJump } from './clock-jump'
import { concurrency } from './concurrency'
import { crash } from './crash'
import { damage } from './damage'
import { diskFull } from './disk-full'
import { kill } from './kill'
import { lookalike } from './lookalike'
import { retryAfter } from './retry-after'
import { storeSwitch } from './store-switch'
import { transient } from './transient'

export const CLASSES: FaultClass[] = [
  lookalike,
  acting5xx,
  retryAfter,
  concurrency,
  kill,
  clockJump,
  damage,
  diskFull,
  storeSwitch,
  crash,
  transient
]
