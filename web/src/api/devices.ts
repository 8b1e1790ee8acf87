// Agents' status and device health (GET /devices) and the sites' device
// profiles (/device-profiles), as cloud/httpapi/devices.go serves them.
import { ApiError, get, listOf, request } from './http'

/** DeviceStatus is one device's health in a replica's latest status. */
export interface DeviceStatus {
  device: string
  kind: string
  connected: boolean
  error?: string
  last_event_at?: string
  /** clock_offset_ms is the device's clock minus the agent's. */
  clock_offset_ms: number
  clock_skewed: boolean
}

/** ReplicaStatus is the latest status an agent's replica reported. */
export interface ReplicaStatus {
  tenant: string
  site: string
  replica: string
  online: boolean
  last_seq: number
  acked_seq: number
  master_rev: number
  /** reported_at is the agent's clock, received_at the cloud's. */
  reported_at: string
  received_at: string
  devices: DeviceStatus[]
}

/** lag is a replica's sync lag: events recorded but not yet acknowledged. */
export const lag = (r: ReplicaStatus): number => Math.max(0, r.last_seq - r.acked_seq)

export async function statuses(site?: string): Promise<ReplicaStatus[]> {
  const items = listOf<ReplicaStatus>(await get('/devices', { site }))
  return items.map((r) => ({ ...r, devices: r.devices ?? [] }))
}

/** DeviceProfile is one of a site's device profiles (a YAML file). */
export interface DeviceProfile {
  site: string
  /** name is the file name, such as gate-1.yaml. */
  name: string
  yaml: string
  /** rev is the master revision of its last change. */
  rev: number
}

export async function profiles(site: string): Promise<DeviceProfile[]> {
  return listOf<DeviceProfile>(await get('/device-profiles', { site }))
}

const profilePath = (site: string, name: string) => `/device-profiles/${encodeURIComponent(site)}/${encodeURIComponent(name)}`

export async function putProfile(site: string, name: string, yaml: string): Promise<DeviceProfile> {
  return (await request<DeviceProfile>(profilePath(site, name), { method: 'PUT', body: { yaml } })).data
}

export async function deleteProfile(site: string, name: string): Promise<void> {
  await request(profilePath(site, name), { method: 'DELETE' })
}

/** ProfileProblem is one problem of a refused profile: its field path
 * in the YAML (antennas[0].role, empty for the whole file), its line
 * (0 when unknown) and the message. */
export interface ProfileProblem {
  path: string
  line: number
  message: string
}

/** profileProblems reads the problems of a refused PUT: each error
 * names body.yaml.<path> and says its line in the message ("(line 5)",
 * "（第 5 行）"). */
export function profileProblems(e: ApiError, zh: boolean): ProfileProblem[] {
  const list = e.body.errors?.length
    ? e.body.errors
    : [{ field: e.body.field ?? '', error: e.body.error, error_zh: e.body.error_zh }]
  return list.map((x) => {
    const m = /\(line (\d+)\)/.exec(x.error) ?? /第\s*(\d+)\s*行/.exec(x.error_zh ?? '')
    const line = m ? Number(m[1]) : 0
    let message = (zh ? x.error_zh : x.error) || x.error
    // The line is shown apart; the message need not say it again.
    message = message.replace(/\s*\(line \d+\)/, '').replace(/（第\s*\d+\s*行）/, '')
    // Nor the file, which is the one in the editor.
    message = message.replace(/^[\w.-]+\.ya?ml\s*[:：]\s*/, '')
    const path = x.field.replace(/^body\./, '').replace(/^yaml\.?/, '')
    return { path, line, message }
  })
}
