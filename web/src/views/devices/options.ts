// Choices the device pages share.
import { sites as sitesApi } from '../../api/masterdata'
import type { Option } from '../../components/types'
import { can, session } from '../../session'

/** deviceSites lists the sites a user of the device pages may pick: the
 * master data sites (with site.view), the sites of the user's scope, and
 * those extra names given (sites agents reported from), by code. */
export async function deviceSites(extra: string[] = []): Promise<Option[]> {
  const byCode = new Map<string, string>()
  if (can('site.view')) {
    try {
      const p = await sitesApi.list({ limit: 500, sort: 'code' })
      for (const s of p.items) byCode.set(s.code, `${s.code} ${s.name}`)
    } catch {
      /* the names below still offer something */
    }
  }
  const scope = session.me?.sites
  for (const s of [...(scope && !scope.all ? (scope.sites ?? []) : []), ...extra]) if (!byCode.has(s)) byCode.set(s, s)
  return [...byCode.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([value, label]) => ({ value, label }))
}

/** profileTemplates are starting points for a new profile, by kind
 * (firmware-configs/README.md has every field). */
export const profileTemplates: Record<string, string> = {
  reader: `# An RFID gate: outer antennas face outside, inner ones the stock room.
kind: reader
name: gate-1
address: 192.0.2.10:5084
antennas:
  - {port: 1, role: outer}
  - {port: 2, role: inner}
gate:
  bin: DOOR
`,
  scale: `# A bench scale on a serial port.
kind: scale
name: scale-1
protocol: mt-sics
port: /dev/ttyUSB0
baud: 9600
unit: kg
`,
  scanner: `# A barcode scanner as a USB keyboard at a receiving station.
kind: scanner
name: scanner-1
transport: usb-hid
vendor_id: "0x0c2e"
product_id: "0x0b61"
terminator: enter
station:
  bin: RCV-01
  reason: receive
`,
}

/** yamlField reads a top-level scalar field of a profile ("kind",
 * "name", "address") without a YAML parser: enough for a list. */
export function yamlField(yaml: string, field: string): string {
  const m = new RegExp(`^${field}:\\s*(.*?)\\s*(?:#.*)?$`, 'm').exec(yaml)
  return m ? m[1].replace(/^["']|["']$/g, '') : ''
}
