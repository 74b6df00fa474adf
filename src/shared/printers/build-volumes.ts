// Build volumes (X × Y × Z, mm) of common printers, looked up by any name a user or Printago may
// use: marketing name, short name, or Bambu's `dev_model_name` code. Pure data + two functions.
//
// Bambu model codes (`dev_model_name`): N1, N2S, C11, C12, C13, BL-P001, BL-P002 and O1D are the
// values Bambu Studio's printer definitions use. N6, N7, O1E and O1S come from a third-party table
// (see each entry) and are not verified against Bambu's own files.

/** A printer's usable build volume. */
export interface BuildVolume {
  /** Stable id, e.g. 'bambu-x1c'. */
  id: string
  /** Display name, e.g. 'Bambu Lab X1 Carbon'. */
  name: string
  x: number
  y: number
  z: number
  /** Where the numbers come from (the manufacturer's spec page). */
  source: string
  /** Caveats (multi-nozzle reach, variants). */
  note?: string
}

/** Whether a model fits a printer: 'unknown' when the printer or the size is unknown. */
export type BedFit = 'fits' | 'too-big' | 'unknown'

interface Entry extends BuildVolume {
  aliases: string[]
}

const BAMBU_SPECS = 'Bambu Lab product specifications page'

const ENTRIES: Entry[] = [
  // Bambu Lab
  {
    id: 'bambu-a1-mini',
    name: 'Bambu Lab A1 mini',
    x: 180,
    y: 180,
    z: 180,
    source: `${BAMBU_SPECS} (A1 mini)`,
    aliases: ['A1 mini', 'A1mini', 'N1']
  },
  {
    id: 'bambu-a1',
    name: 'Bambu Lab A1',
    x: 256,
    y: 256,
    z: 256,
    source: `${BAMBU_SPECS} (A1)`,
    aliases: ['A1', 'N2S']
  },
  {
    id: 'bambu-p1p',
    name: 'Bambu Lab P1P',
    x: 256,
    y: 256,
    z: 256,
    source: `${BAMBU_SPECS} (P1P)`,
    aliases: ['P1P', 'C11']
  },
  {
    id: 'bambu-p1s',
    name: 'Bambu Lab P1S',
    x: 256,
    y: 256,
    z: 256,
    source: `${BAMBU_SPECS} (P1S)`,
    aliases: ['P1S', 'C12']
  },
  {
    id: 'bambu-p2s',
    name: 'Bambu Lab P2S',
    x: 256,
    y: 256,
    z: 256,
    source: `${BAMBU_SPECS} (P2S)`,
    // Code N7: third-party table, unverified.
    aliases: ['P2S', 'N7']
  },
  {
    id: 'bambu-x1',
    name: 'Bambu Lab X1',
    x: 256,
    y: 256,
    z: 256,
    source: `${BAMBU_SPECS} (X1)`,
    aliases: ['X1', 'BL-P002', '3DPrinter-X1']
  },
  {
    id: 'bambu-x1c',
    name: 'Bambu Lab X1 Carbon',
    x: 256,
    y: 256,
    z: 256,
    source: `${BAMBU_SPECS} (X1 Carbon)`,
    aliases: ['X1 Carbon', 'X1C', 'X1-C', 'X1 Carbon Combo', 'BL-P001', '3DPrinter-X1-Carbon']
  },
  {
    id: 'bambu-x1e',
    name: 'Bambu Lab X1E',
    x: 256,
    y: 256,
    z: 256,
    source: `${BAMBU_SPECS} (X1E)`,
    aliases: ['X1E', 'C13']
  },
  {
    id: 'bambu-x2d',
    name: 'Bambu Lab X2D',
    x: 256,
    y: 256,
    z: 260,
    source: 'Bambu Lab blog, X2D announcement ("standard build volume 256 × 256 × 260 mm")',
    note: 'Dual-nozzle printer; the volume is the standard (single-nozzle) one.',
    // Code N6: third-party table, unverified.
    aliases: ['X2D', 'N6']
  },
  {
    id: 'bambu-h2d',
    name: 'Bambu Lab H2D',
    x: 325,
    y: 320,
    z: 325,
    source: `${BAMBU_SPECS} (H2D); Bambu Lab Wiki "Printable range for dual nozzles"`,
    note:
      'One nozzle reaches 325 mm in X (left nozzle X 0–325, right nozzle X 25–350); the bed is ' +
      '350 mm wide in total, and a print using both nozzles must fit 300 × 320 mm. The left ' +
      'nozzle reaches 320 mm in Z, the right 325 mm. We use the single-nozzle volume.',
    aliases: ['H2D', 'O1D']
  },
  {
    id: 'bambu-h2d-pro',
    name: 'Bambu Lab H2D Pro',
    x: 325,
    y: 320,
    z: 325,
    source: `${BAMBU_SPECS} (H2D Pro)`,
    note: 'Same motion system as the H2D: see its note on dual-nozzle reach.',
    // Code O1E: third-party table, unverified.
    aliases: ['H2D Pro', 'O1E']
  },
  {
    id: 'bambu-h2s',
    name: 'Bambu Lab H2S',
    x: 340,
    y: 320,
    z: 340,
    source: `${BAMBU_SPECS} (H2S)`,
    // Code O1S: third-party table, unverified.
    aliases: ['H2S', 'O1S']
  },
  // Prusa Research
  {
    id: 'prusa-mk4s',
    name: 'Original Prusa MK4S',
    x: 250,
    y: 210,
    z: 220,
    source: 'Prusa Research MK4S product page (technical specifications)',
    aliases: ['MK4S', 'Prusa MK4S', 'Original Prusa MK4S']
  },
  {
    id: 'prusa-mk4',
    name: 'Original Prusa MK4',
    x: 250,
    y: 210,
    z: 220,
    source: 'Prusa Research MK4 product page (technical specifications)',
    aliases: ['MK4', 'Prusa MK4', 'Original Prusa MK4']
  },
  {
    id: 'prusa-mk3.9',
    name: 'Original Prusa MK3.9',
    x: 250,
    y: 210,
    z: 220,
    source: 'Prusa Research MK3.9 product page (technical specifications)',
    aliases: ['MK3.9', 'MK3.9S']
  },
  {
    id: 'prusa-mk3s',
    name: 'Original Prusa i3 MK3S+',
    x: 250,
    y: 210,
    z: 210,
    source: 'Prusa Research MK3S+ product page (technical specifications)',
    aliases: ['MK3S+', 'MK3S', 'MK3', 'Prusa i3 MK3S+', 'i3 MK3S+']
  },
  {
    id: 'prusa-mini',
    name: 'Original Prusa MINI+',
    x: 180,
    y: 180,
    z: 180,
    source: 'Prusa Research MINI+ product page (technical specifications)',
    aliases: ['MINI', 'MINI+', 'Prusa MINI', 'Prusa Mini+']
  },
  {
    id: 'prusa-xl',
    name: 'Original Prusa XL',
    x: 360,
    y: 360,
    z: 360,
    source: 'Prusa Research XL product page (technical specifications)',
    aliases: ['XL', 'Prusa XL']
  },
  {
    id: 'prusa-core-one',
    name: 'Prusa CORE One',
    x: 250,
    y: 220,
    z: 270,
    source: 'Prusa Research CORE One product page (technical specifications)',
    aliases: ['CORE One', 'Core1', 'Prusa Core One']
  },
  // Voron Design (open-source kits; the size is the build option)
  ...[250, 300, 350].map((s): Entry => ({
    id: `voron-2.4-${s}`,
    name: `Voron 2.4 ${s}`,
    x: s,
    y: s,
    z: s,
    source: 'Voron Design documentation (Voron 2.4 build sizes)',
    aliases: [`Voron 2.4 ${s}`, `Voron 2.4 R2 ${s}`, `V2.4 ${s}`, `Voron2.4 ${s}mm`]
  })),
  ...[250, 300, 350].map((s): Entry => ({
    id: `voron-trident-${s}`,
    name: `Voron Trident ${s}`,
    x: s,
    y: s,
    z: 250,
    source: 'Voron Design documentation (Trident build sizes)',
    note: 'Z is the standard 250 mm; taller Z options exist.',
    aliases: [`Voron Trident ${s}`, `Trident ${s}`]
  })),
  {
    id: 'voron-0.2',
    name: 'Voron 0.2',
    x: 120,
    y: 120,
    z: 120,
    source: 'Voron Design documentation (V0.2)',
    aliases: ['Voron 0.2', 'Voron 0', 'V0.2']
  },
  // Creality
  {
    id: 'creality-ender-3',
    name: 'Creality Ender-3',
    x: 220,
    y: 220,
    z: 250,
    source: 'Creality Ender-3 product page (specifications)',
    aliases: ['Ender 3', 'Ender-3', 'Ender 3 Pro', 'Ender 3 V2', 'Ender 3 V2 Neo', 'Ender 3 Neo']
  },
  {
    id: 'creality-ender-3-s1',
    name: 'Creality Ender-3 S1',
    x: 220,
    y: 220,
    z: 270,
    source: 'Creality Ender-3 S1 product page (specifications)',
    aliases: ['Ender 3 S1', 'Ender-3 S1', 'Ender 3 S1 Pro']
  },
  {
    id: 'creality-ender-3-v3-se',
    name: 'Creality Ender-3 V3 SE',
    x: 220,
    y: 220,
    z: 250,
    source: 'Creality Ender-3 V3 SE product page (specifications)',
    aliases: ['Ender 3 V3 SE', 'Ender-3 V3 SE']
  },
  {
    id: 'creality-k1',
    name: 'Creality K1',
    x: 220,
    y: 220,
    z: 250,
    source: 'Creality K1 product page (specifications)',
    aliases: ['K1', 'K1C']
  },
  {
    id: 'creality-k1-max',
    name: 'Creality K1 Max',
    x: 300,
    y: 300,
    z: 300,
    source: 'Creality K1 Max product page (specifications)',
    aliases: ['K1 Max']
  },
  // Elegoo
  {
    id: 'elegoo-neptune-4',
    name: 'Elegoo Neptune 4',
    x: 225,
    y: 225,
    z: 265,
    source: 'Elegoo Neptune 4 product page (specifications)',
    aliases: ['Neptune 4', 'Neptune 4 Pro']
  }
]

/**
 * Canonical form of a printer name for matching: lower case, `+` → "plus", brand and filler
 * words ("Bambu Lab", "Original Prusa", "Combo", "mm") dropped, then only letters and digits.
 */
export function normalizeModelName(name: string): string {
  return name
    .toLowerCase()
    .replace(/\+/g, 'plus')
    .replace(/(\d)\s*mm\b/g, '$1')
    .replace(
      /\b(bambu\s*lab|bambulab|bambu|original|prusa\s*research|prusa|creality|elegoo|voron\s*design|combo|printer|3d\s*printer)\b/g,
      ' '
    )
    .replace(/[^a-z0-9]/g, '')
}

const BY_NAME = new Map<string, BuildVolume>()
for (const { aliases, ...volume } of ENTRIES) {
  for (const alias of [volume.name, volume.id, ...aliases]) {
    const key = normalizeModelName(alias)
    if (key !== '' && !BY_NAME.has(key)) BY_NAME.set(key, volume)
  }
}

/** Every known build volume (for settings screens and docs). */
export const BUILD_VOLUMES: readonly BuildVolume[] = ENTRIES.map(({ aliases: _a, ...v }) => v)

/**
 * Every name a printer of this model may report (display name, short names, Bambu's model code),
 * for a `printer.modelName` any-of that must reach exactly this model's printers.
 */
export function modelNamesOf(id: string): string[] {
  const e = ENTRIES.find((v) => v.id === id)
  return e ? [...new Set([e.name, ...e.aliases])] : []
}

/** Finds a printer's build volume by name or model code; null when unknown. */
export function lookupBuildVolume(modelName: string | null | undefined): BuildVolume | null {
  if (typeof modelName !== 'string') return null
  const key = normalizeModelName(modelName)
  return key === '' ? null : (BY_NAME.get(key) ?? null)
}

/** Tolerance for float noise in a model's size (mm). */
const FIT_TOLERANCE = 0.001

/**
 * Whether a model of `size` (X, Y, Z mm) fits `volume`, allowing a 90° turn about Z (compares
 * the sorted footprints). An unknown printer or a non-finite size is 'unknown', never 'fits'.
 */
export function fitsBed(
  size: readonly [number, number, number],
  volume: BuildVolume | null | undefined
): BedFit {
  if (!volume) return 'unknown'
  const [sx, sy, sz] = size
  if (![sx, sy, sz].every((n) => Number.isFinite(n) && n >= 0)) return 'unknown'
  const small = Math.min(sx, sy)
  const large = Math.max(sx, sy)
  const bedSmall = Math.min(volume.x, volume.y)
  const bedLarge = Math.max(volume.x, volume.y)
  const fits =
    small <= bedSmall + FIT_TOLERANCE &&
    large <= bedLarge + FIT_TOLERANCE &&
    sz <= volume.z + FIT_TOLERANCE
  return fits ? 'fits' : 'too-big'
}
