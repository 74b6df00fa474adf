// The files dropped or picked for sending. Each file is parsed in the STL worker for the preview
// and report while main locates it on disk and hashes it; the same file twice (same path or same
// content) is flagged instead of added. Drops are taken anywhere on the window, which must never
// navigate to a dropped file.
import { useCallback, useEffect, useRef, useState } from 'react'

import { defaultLabel } from '../../../shared/send'
import type { ThreeMfError } from '../../../shared/3mf'
import type { StlError } from '../../../shared/stl/types'
import { collectDropped, type FileOptions, type LoadedFile, type SkippedEntry } from '../lib/files'
import { forgetDrawn, presentNow, whenDrawn } from '../lib/first-frame'
import { parseInWorker, warmParser } from '../lib/parse-client'
import type { ParsedMesh } from '../lib/parse-protocol'
import type { SentFile } from './useSend'

let keySeq = 0
const newKey = (): string => `f${Date.now().toString(36)}${(keySeq++).toString(36)}`

type Located = { error?: string; duplicate?: string }

export interface DroppedFiles {
  files: LoadedFile[]
  selectedKey: string | null
  select: (key: string) => void
  /** Sentences about files not added (e.g. the same file twice), newest first. */
  notices: string[]
  /** Entries of dropped folders that are not STL files. */
  skipped: SkippedEntry[]
  /** A drag is over the window. */
  dragging: boolean
  addFiles: (incoming: File[], skipped?: SkippedEntry[]) => void
  removeFile: (key: string) => void
  setOptions: (key: string, options: Partial<FileOptions>) => void
  /** Shows another plate of a project file (its report and 3D view follow). */
  showPlate: (key: string, index: number) => void
  /** Marks the files of a finished send as sent (`keys` by request index). */
  markSent: (keys: string[], sent: SentFile[], at: number) => void
  /** Forgets every "sent" mark (another store was chosen). */
  clearSent: () => void
}

interface Options {
  /** Quantity a new file starts with (the user's default). */
  defaultQuantity: number
  /** Called on every drop on the window (the app shows the send view). */
  onDrop: () => void
}

/** The file list and its actions. */
export function useDroppedFiles({ defaultQuantity, onDrop }: Options): DroppedFiles {
  const [files, setFiles] = useState<LoadedFile[]>([])
  const [selectedKey, setSelectedKey] = useState<string | null>(null)
  const [notices, setNotices] = useState<string[]>([])
  const [skipped, setSkipped] = useState<SkippedEntry[]>([])
  const [dragging, setDragging] = useState(false)
  // Read by the async work of each file: the list and defaults as they are by then.
  const filesRef = useRef(files)
  filesRef.current = files
  const quantityRef = useRef(defaultQuantity)
  quantityRef.current = defaultQuantity
  const onDropRef = useRef(onDrop)
  onDropRef.current = onDrop
  const selectedRef = useRef(selectedKey)
  selectedRef.current = selectedKey

  const updateFile = (key: string, patch: Partial<LoadedFile>): void =>
    setFiles((fs) => fs.map((f) => (f.key === key ? { ...f, ...patch } : f)))

  /** Main needs the file on disk (to hash and upload): its path, then its hash. */
  const locate = async (key: string, file: File): Promise<Located> => {
    const path = await window.api.files.pathFor(file)
    if (!path)
      return {
        error:
          'This file has no location on disk (was it dragged from another app?). Save it to a folder first.'
      }
    const dupPath = filesRef.current.find((f) => f.key !== key && f.path === path)
    if (dupPath) return { duplicate: dupPath.name }
    updateFile(key, { path })
    const h = await window.api.files.hash({ path })
    if (!h.ok) return { error: h.error.message }
    const dupHash = filesRef.current.find((f) => f.key !== key && f.sha256 === h.value.sha256)
    if (dupHash) return { duplicate: dupHash.name }
    updateFile(key, { sha256: h.value.sha256 })
    return {}
  }

  const load = async (key: string, file: File): Promise<void> => {
    // The preview starts with the triangles; the report, thumbnail and hash follow.
    const onMesh = ({ positions, bbox }: ParsedMesh): void => {
      if (selectedRef.current === key) presentNow(key, positions, bbox)
      updateFile(key, { positions, bbox })
    }
    const [loc, res] = await Promise.all([
      locate(key, file).catch((e: Error): Located => ({ error: e.message })),
      parseInWorker(file, { onMesh }).catch((e: Error) => e)
    ])
    if (loc.duplicate) {
      setFiles((fs) => fs.filter((f) => f.key !== key))
      setSelectedKey((k) =>
        k === key ? (filesRef.current.find((f) => f.key !== key)?.key ?? null) : k
      )
      setNotices((n) =>
        [
          `${file.name} is already in the list (same file as ${loc.duplicate}); not added twice.`,
          ...n
        ].slice(0, 5)
      )
      return
    }
    // A file that cannot be used is not previewed either (its report says why).
    const fail = (error: StlError | ThreeMfError): void =>
      updateFile(key, { status: 'error', error, positions: undefined, bbox: undefined })
    if (res instanceof Error)
      return fail({ code: 'unreadable', message: `Could not read this file: ${res.message}` })
    if (!res.ok) return fail(res.error)
    if (loc.error) return fail({ code: 'unreadable', message: loc.error })
    // The preview first: the report and the row's details repaint the page, which would hold up the
    // model's first frame (see lib/first-frame.ts).
    if ('project' in res) {
      // A project: every plate at once; the first one with something to show is on view.
      const first = Math.max(
        0,
        res.project.plates.findIndex((p) => p.positions || p.thumbnail)
      )
      const plate = res.project.plates[first]
      updateFile(key, {
        status: 'ready',
        project: res.project,
        plateIndex: first,
        report: plate?.report ?? undefined,
        positions: plate?.positions ?? undefined,
        bbox: plate?.bbox ?? undefined,
        parseMs: res.parseMs,
        thumbnail: res.thumbnail ?? undefined
      })
      return
    }
    if (selectedRef.current === key) await whenDrawn(key)
    updateFile(key, {
      status: 'ready',
      report: res.report,
      parseMs: res.parseMs,
      thumbnail: res.thumbnail ?? undefined
    })
  }

  // Stable: the window's drop listener keeps the first one. Everything it reads is in refs.
  const addFiles = useCallback((incoming: File[], skippedNow: SkippedEntry[] = []) => {
    if (skippedNow.length) setSkipped((s) => [...skippedNow, ...s].slice(0, 50))
    for (const file of incoming) {
      const key = newKey()
      const entry: LoadedFile = {
        key,
        name: file.name,
        size: file.size,
        path: null,
        sha256: null,
        status: 'parsing',
        options: {
          label: defaultLabel(file.name),
          quantity: quantityRef.current,
          priority: 'normal',
          position: 'back'
        }
      }
      setFiles((fs) => [...fs, entry])
      setSelectedKey((k) => k ?? key)
      void load(key, file)
    }
  }, []) // eslint-disable-line react-hooks/exhaustive-deps

  // The parser is started with the screen, not by the first drop.
  useEffect(warmParser, [])

  useEffect(() => {
    let depth = 0
    const over = (e: DragEvent): void => {
      e.preventDefault()
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy'
    }
    const enter = (e: DragEvent): void => {
      e.preventDefault()
      depth++
      setDragging(true)
    }
    const leave = (): void => {
      depth = Math.max(0, depth - 1)
      if (depth === 0) setDragging(false)
    }
    const drop = (e: DragEvent): void => {
      e.preventDefault()
      depth = 0
      setDragging(false)
      if (!e.dataTransfer) return
      onDropRef.current()
      void collectDropped(e.dataTransfer).then(({ files: f, skipped: s }) => addFiles(f, s))
    }
    window.addEventListener('dragover', over)
    window.addEventListener('dragenter', enter)
    window.addEventListener('dragleave', leave)
    window.addEventListener('drop', drop)
    return () => {
      window.removeEventListener('dragover', over)
      window.removeEventListener('dragenter', enter)
      window.removeEventListener('dragleave', leave)
      window.removeEventListener('drop', drop)
    }
  }, [addFiles])

  const removeFile = useCallback((key: string): void => {
    forgetDrawn(key)
    setFiles((fs) => {
      const i = fs.findIndex((f) => f.key === key)
      const next = fs.filter((f) => f.key !== key)
      setSelectedKey((k) => (k === key ? (next[Math.min(i, next.length - 1)]?.key ?? null) : k))
      return next
    })
  }, [])

  const setOptions = useCallback(
    (key: string, options: Partial<FileOptions>): void =>
      setFiles((fs) =>
        fs.map((f) => (f.key === key ? { ...f, options: { ...f.options, ...options } } : f))
      ),
    []
  )

  const showPlate = useCallback((key: string, index: number): void => {
    setFiles((fs) =>
      fs.map((f) => {
        const plate = f.key === key ? f.project?.plates[index] : undefined
        if (!plate) return f
        return {
          ...f,
          plateIndex: index,
          report: plate.report ?? undefined,
          positions: plate.positions ?? undefined,
          bbox: plate.bbox ?? undefined
        }
      })
    )
  }, [])

  const markSent = useCallback((keys: string[], sent: SentFile[], at: number): void => {
    setFiles((fs) =>
      fs.map((f) => {
        const done = keys.includes(f.key) ? sent.find((x) => x.file === f.path) : undefined
        return done
          ? { ...f, sent: { partBuildId: done.partBuildId, at, reusedPart: done.reusedPart } }
          : f
      })
    )
  }, [])

  const clearSent = useCallback(
    () => setFiles((fs) => fs.map((f) => (f.sent ? { ...f, sent: undefined } : f))),
    []
  )

  return {
    files,
    selectedKey,
    select: setSelectedKey,
    notices,
    skipped,
    dragging,
    addFiles,
    removeFile,
    setOptions,
    showPlate,
    markSent,
    clearSent
  }
}
