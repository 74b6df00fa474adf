import { Component, StrictMode, type ErrorInfo, type ReactNode } from 'react'
import { createRoot } from 'react-dom/client'

import { MIN_WINDOW_SIZE } from '../../shared/settings'
import { App } from './App'
import './styles.css'

/** Last-resort boundary: a render bug shows a message instead of a blank window. */
class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  state = { error: null as Error | null }
  static getDerivedStateFromError(error: Error): { error: Error } {
    return { error }
  }
  componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('render error', error, info.componentStack)
  }
  render(): ReactNode {
    if (this.state.error)
      return (
        <div className="fatal" role="alert">
          <h1>Something went wrong</h1>
          <p>{this.state.error.message}</p>
          <button type="button" onClick={() => location.reload()}>
            Reload
          </button>
        </div>
      )
    return this.props.children
  }
}

const root = document.getElementById('root')!
// The layout's smallest size, the same as the desktop window's minimum: below it (a small browser
// window) the page scrolls instead of squeezing the panels.
root.style.minWidth = `${MIN_WINDOW_SIZE.width}px`
root.style.minHeight = `${MIN_WINDOW_SIZE.height}px`

createRoot(root).render(
  <StrictMode>
    <ErrorBoundary>
      <App />
    </ErrorBoundary>
  </StrictMode>
)
