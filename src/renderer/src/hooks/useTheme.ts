// Theme: 'system' follows the OS; the stylesheet has dark and light variable sets, chosen by
// `data-theme` on the root element.
import { useEffect } from 'react'

export type ThemeSetting = 'system' | 'light' | 'dark'

/** Applies the theme setting to the document (and follows the OS while it is 'system'). */
export function useTheme(theme: ThemeSetting): void {
  useEffect(() => {
    const media = window.matchMedia('(prefers-color-scheme: light)')
    const apply = (): void => {
      document.documentElement.dataset.theme =
        theme === 'system' ? (media.matches ? 'light' : 'dark') : theme
    }
    apply()
    media.addEventListener('change', apply)
    return () => media.removeEventListener('change', apply)
  }, [theme])
}
