// "Where to print": any printer, this printer, or printers carrying all chosen tags (exact case,
// Printago's `&=`), with a live read-out of which printers match and how many have the files'
// material loaded. Bed fit is judged per file (the file rows say which printers are too small).
import type { ReactElement } from 'react'

import type { LoadedSlot, PrinterSummary } from '../../../../shared/ipc'
import { hasLoaded } from '../../../../shared/printers/loaded'
import { materialWords, type MaterialChoice } from '../../../../shared/send'
import type { Mode } from './send-rules'

const MODE_LABEL: Record<Mode, string> = {
  any: 'Any printer',
  printer: 'This printer',
  tags: 'Printers with tags'
}

interface RoutingPickerProps {
  mode: Mode
  onMode: (mode: Mode) => void
  /** Every tag of the fleet, sorted. */
  allTags: string[]
  tags: string[]
  onToggleTag: (tag: string) => void
  tagMatches: PrinterSummary[]
  /** The material every file asks for (null: none, or they differ). */
  material?: MaterialChoice | null
  loaded?: Record<string, LoadedSlot[]> | null
}

/** The routing radio group and, for tag routing, the tag chips and the match read-out. */
export function RoutingPicker(props: RoutingPickerProps): ReactElement {
  const { mode, allTags, tags, tagMatches, material, loaded } = props
  const withMaterial =
    material && loaded ? tagMatches.filter((p) => hasLoaded(loaded[p.id], material)).length : null
  const piped = allTags.filter((t) => t.includes('|'))
  return (
    <>
      <div role="radiogroup" aria-label="Routing" className="segmented">
        {(['any', 'printer', 'tags'] as Mode[]).map((m) => (
          <label key={m} className={mode === m ? 'active' : ''}>
            <input
              type="radio"
              name="routing"
              value={m}
              checked={mode === m}
              onChange={() => props.onMode(m)}
            />
            {MODE_LABEL[m]}
          </label>
        ))}
      </div>

      {mode === 'tags' && (
        <div className="tags" data-testid="tag-picker">
          <div
            className="chips"
            role="group"
            aria-label="Tags (a printer must carry all chosen tags)"
          >
            {allTags.length === 0 && <span className="muted">The fleet has no tags.</span>}
            {allTags.map((t) => {
              const expressible = !t.includes('|')
              const on = tags.includes(t)
              return (
                <button
                  key={t}
                  type="button"
                  className={`chip ${on ? 'on' : ''}`}
                  aria-pressed={on}
                  disabled={!expressible}
                  title={
                    expressible
                      ? `Require tag ${t}`
                      : 'This tag contains "|", which Printago’s tag routing cannot express'
                  }
                  onClick={() => props.onToggleTag(t)}
                >
                  {t}
                </button>
              )
            })}
          </div>
          {piped.length > 0 && (
            <p className="muted small" data-testid="tag-pipe-note">
              Tags containing “|” ({piped.join(', ')}) cannot be chosen: Printago’s tag routing uses
              “|” to separate tags. Rename them in Printago to route by them.
            </p>
          )}
          {tags.length > 0 && (
            <p
              className={tagMatches.length ? 'match-readout' : 'match-readout warning'}
              data-testid="tag-match"
              aria-live="polite"
            >
              {tagMatches.length === 0
                ? 'No printer carries all of these tags — the job would wait forever.'
                : `${tagMatches.length} match, ${tagMatches.filter((p) => p.state === 'ready').length} ready now: ${tagMatches.map((p) => p.name).join(', ')}`}
              {withMaterial !== null && tagMatches.length > 0 && (
                <span className={withMaterial === 0 ? 'warning' : undefined}>
                  {' '}
                  — {withMaterial} with {materialWords(material)} loaded
                </span>
              )}
            </p>
          )}
        </div>
      )}
    </>
  )
}
