// The demo store: fixed credentials and a mixed fleet in every state a client must render, with
// the filament each printer has loaded and the settings Printago's Printer does not show.
import type { Printer } from '../shared/printago/api-types'
import { VARIANT } from './materials'
import type { FleetSlot, PrinterSettings } from './types'

/** Demo API key: 72 lowercase alphanumerics like a real key (first 24 = Key ID). */
export const DEMO_API_KEY =
  'sbxdemo0key0id0000000001whgrpaaj4syu8du2odjpbamhxwj6tkst1iqblpavmevgw50c'
/** Demo store id: 24 lowercase alphanumerics. */
export const DEMO_STORE_ID = 'sbxdemostore0us1kv0rubdt'
/** A valid key without the managing permissions (queue.manage, printer.ready, …): 403 there. */
export const DEMO_LIMITED_API_KEY =
  'sbxdemo0limited0key00002yuuxwxi87i2i0tupdrb45flx6k0e773j3tkpj05n9h2eu5gm'

const CREATED = '2025-09-01T08:00:00.000Z'

type Overrides = Partial<Printer> & Pick<Printer, 'id' | 'name' | 'provider' | 'metadata'>

function printer(storeId: string, o: Overrides): Printer {
  return {
    deviceId: null,
    providerConfig: null,
    machineUserProfileId: null,
    machineSystemProfileId: null,
    processUserProfileId: null,
    processSystemProfileId: null,
    nozzleDiameter: '0.4',
    proxyClientId: null,
    commMethod: null,
    enabled: true,
    tags: [],
    confirmedReady: true,
    isAvailable: true,
    isOnline: true,
    printingJobId: null,
    lastPrintedAt: null,
    integrationId: null,
    integrationType: null,
    continuousPrint: false,
    fabmaticRemainingJobs: null,
    lifetimePrintHours: 0,
    lifetimeJobCount: 0,
    isInMaintenance: false,
    lastMaintenanceOfflineAt: null,
    lastMaintenanceOnlineAt: null,
    storeId,
    createdAt: CREATED,
    updatedAt: CREATED,
    ...o
  }
}

function bambu(
  storeId: string,
  n: number,
  name: string,
  product: string,
  model: string,
  serial: string,
  extra: Partial<Printer>
): Printer {
  return printer(storeId, {
    id: `sbxprinter${String(n).padStart(14, '0')}`,
    name,
    provider: 'Bambu',
    deviceId: serial,
    commMethod: 'bambu-cloud-v2',
    integrationType: 'bambulab',
    providerConfig: { use_ams: true, do_bed_leveling: true, bed_type: 'Textured PEI Plate' },
    machineSystemProfileId: 1000 + n,
    metadata: {
      provider: 'bambu',
      name,
      dev_id: serial,
      online: extra.isOnline ?? true,
      print_status: extra.isAvailable === false ? 'RUNNING' : 'IDLE',
      dev_model_name: model,
      dev_product_name: product,
      nozzle_diameter: 0.4,
      // A secret on purpose: clients must never display or log printer metadata verbatim.
      dev_access_code: `${String(n).repeat(2)}c0de${n}7`
    },
    ...extra
  })
}

/** About eight printers of mixed models and states (ready, bed-clear, printing, offline, disabled). */
export function demoFleet(storeId: string = DEMO_STORE_ID): Printer[] {
  return [
    bambu(storeId, 1, 'A1 mini #1', 'A1 mini', 'N1', '0300AA000000001', {
      tags: ['PLA', 'RackA'],
      lifetimeJobCount: 212,
      lifetimePrintHours: 640.5
    }),
    // Automatic plate clearing (Printago's continuous print / FabMatic): clears its own bed.
    bambu(storeId, 2, 'A1 #1', 'A1', 'N2S', '0390AA000000002', {
      tags: ['PLA', 'PETG', 'RackA'],
      continuousPrint: true,
      lifetimeJobCount: 97,
      lifetimePrintHours: 301.25
    }),
    bambu(storeId, 3, 'P1S #1', 'P1S', 'C12', '01P00A000000003', {
      tags: ['PLA', 'PETG', 'RackB'],
      lifetimeJobCount: 455,
      lifetimePrintHours: 1820
    }),
    // Finished a print; nobody has cleared the bed yet. Its jobs wait for approval after slicing.
    bambu(storeId, 4, 'P1S #2', 'P1S', 'C12', '01P00A000000004', {
      tags: ['PETG', 'RackB'],
      confirmedReady: false,
      lastPrintedAt: '2026-04-28T09:30:00.000Z',
      lifetimeJobCount: 388,
      lifetimePrintHours: 1504.75
    }),
    // Busy with a print started outside Printago (no printingJobId), which the sandbox finishes.
    bambu(storeId, 5, 'X1 Carbon', 'X1 Carbon', 'BL-P001', '00M00A000000005', {
      tags: ['PLA', 'PETG', 'RackB'],
      isAvailable: false,
      lifetimeJobCount: 1032,
      lifetimePrintHours: 4210.5
    }),
    bambu(storeId, 6, 'H2D', 'H2D', 'O1D', '0948AA000000006', {
      tags: ['PLA', 'PETG', 'Big'],
      lifetimeJobCount: 18,
      lifetimePrintHours: 95
    }),
    printer(storeId, {
      id: 'sbxprinter00000000000007',
      name: 'Prusa MK4',
      provider: 'Prusa',
      tags: ['PETG', 'RackA'],
      isOnline: false,
      isAvailable: false,
      confirmedReady: false,
      metadata: { provider: 'prusa', password: 'prusa-link-secret', nozzle_diameter: 0.4 },
      lifetimeJobCount: 140,
      lifetimePrintHours: 610
    }),
    printer(storeId, {
      id: 'sbxprinter00000000000008',
      name: 'Voron 2.4 350',
      provider: 'Klipper',
      tags: ['PLA', 'Big'],
      enabled: false,
      commMethod: 'fuse',
      metadata: {
        provider: 'klipper',
        moonraker_host: '192.168.1.50',
        moonraker_port: 7125,
        api_key: 'moonraker-api-secret',
        nozzle_diameter: 0.4,
        extruder_count: 1,
        kinematics: 'corexy',
        max_velocity: 500,
        max_accel: 10000,
        mmu_type: 'none'
      },
      lifetimeJobCount: 77,
      lifetimePrintHours: 390
    })
  ]
}

/** Printer numbers of the demo fleet, for slot tables. */
const P = (n: number): string => `sbxprinter${String(n).padStart(14, '0')}`

function ams(printerId: string, amsIndex: number, variants: (string | null)[]): FleetSlot[] {
  return variants.map((variantId, slotIndex) => ({ printerId, amsIndex, slotIndex, variantId }))
}
const spool = (printerId: string, variantId: string): FleetSlot => ({
  printerId,
  amsIndex: -1,
  slotIndex: 0,
  variantId
})

/** What the demo farm has loaded: AMS units with PLA and PETG, some printers a spool only. */
export function demoSlots(): FleetSlot[] {
  const v = VARIANT
  return [
    ...ams(P(1), 0, [v.plaWhite, v.plaBlack, v.plaRed, v.plaBlue]),
    ...ams(P(2), 0, [v.plaWhite, v.plaBlack, v.petgBlack, v.petgOrange]),
    ...ams(P(3), 0, [v.plaWhite, v.plaGray, v.petgBlack, null]),
    spool(P(4), v.petgBlack),
    ...ams(P(5), 0, [v.plaWhite, v.plaBlack, v.petgTranslucent, v.petgBlack]),
    ...ams(P(6), 0, [v.plaWhite, v.plaBlack, v.plaRed, v.plaYellow]),
    ...ams(P(6), 1, [v.petgBlack, v.petgWhite, null, null]),
    spool(P(7), v.prusamentOrange),
    spool(P(8), v.plaBlack)
  ]
}

/** Sandbox-only settings of the demo farm: P1S #2 needs jobs approved before they print. */
export function demoPrinterSettings(): Record<string, Partial<PrinterSettings>> {
  return { [P(4)]: { requiresApproval: true } }
}
