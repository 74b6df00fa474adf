// A stand-in for the canvas element inside the render worker: OrbitControls listens on it (and on
// its ownerDocument, which is itself) and reads its size; the main thread forwards the events.
import { EventDispatcher } from 'three'

import type { ForwardedEvent, ViewSize } from './protocol'

type ProxyEvents = Record<
  string,
  ForwardedEvent & { preventDefault(): void; stopPropagation(): void }
>

/** Just enough of an HTMLElement for three-stdlib's OrbitControls, fed by forwarded events. */
export class ProxyElement extends EventDispatcher<ProxyEvents> {
  readonly style: Record<string, string> = {}
  clientWidth = 0
  clientHeight = 0
  private left = 0
  private top = 0

  /** OrbitControls follows drags on `ownerDocument`; here every event arrives on this object. */
  get ownerDocument(): this {
    return this
  }

  /** Updates the size and page position from the main thread's measurement. */
  setSize(size: ViewSize): void {
    this.clientWidth = size.width
    this.clientHeight = size.height
    this.left = size.left
    this.top = size.top
  }

  /** The canvas rectangle on the page, as the main thread last measured it. */
  getBoundingClientRect(): DOMRectReadOnly {
    const { left, top, clientWidth: width, clientHeight: height } = this
    const rect = {
      x: left,
      y: top,
      left,
      top,
      width,
      height,
      right: left + width,
      bottom: top + height
    }
    return { ...rect, toJSON: () => rect }
  }

  /** Pointer capture is taken on the real canvas by the main thread. */
  setPointerCapture(): void {}

  /** See setPointerCapture. */
  releasePointerCapture(): void {}

  /** Nothing to focus in a worker. */
  focus(): void {}

  /** Dispatches a forwarded DOM event to the listeners (default actions were handled on main). */
  forward(event: ForwardedEvent): void {
    this.dispatchEvent({ ...event, preventDefault() {}, stopPropagation() {} })
  }
}
