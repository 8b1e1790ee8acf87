// Device health as the home page and the devices page show it: the
// latest status of each replica (GET /devices) joined with what the
// cloud knows of its sync (GET /replicas: a replica in conflict, one that
// synced but never reported a status).
import * as cloudApi from '../../api/cloud'
import * as devicesApi from '../../api/devices'

/** Replica is one agent replica: its status, when it reported one. */
export interface Replica {
  site: string
  replica: string
  /** status is undefined for a replica that synced but never reported. */
  status?: devicesApi.ReplicaStatus
  /** conflictSeq is where the cloud found the replica in conflict (0: never). */
  conflictSeq: number
  lag: number
  devices: devicesApi.DeviceStatus[]
}

/** loadReplicas fetches both lists and joins them by replica ID. */
export async function loadReplicas(site?: string): Promise<Replica[]> {
  const [st, rs] = await Promise.all([devicesApi.statuses(site), cloudApi.replicas(site).catch(() => [] as cloudApi.ReplicaInfo[])])
  const out = new Map<string, Replica>()
  for (const s of st) {
    out.set(s.replica, { site: s.site, replica: s.replica, status: s, conflictSeq: 0, lag: devicesApi.lag(s), devices: s.devices })
  }
  for (const r of rs) {
    const have = out.get(r.replica)
    if (have) have.conflictSeq = r.conflict_seq ?? 0
    else out.set(r.replica, { site: r.site, replica: r.replica, conflictSeq: r.conflict_seq ?? 0, lag: Math.max(0, r.max_seq - r.watermark), devices: [] })
  }
  return [...out.values()].sort((a, b) => a.site.localeCompare(b.site) || a.replica.localeCompare(b.replica))
}

export type ReplicaState = 'conflict' | 'online' | 'offline' | 'unknown'

export function replicaState(r: Replica): ReplicaState {
  if (r.conflictSeq) return 'conflict'
  if (!r.status) return 'unknown'
  return r.status.online ? 'online' : 'offline'
}

export type DeviceState = 'ok' | 'error' | 'disconnected' | 'skewed'

/** deviceState is the worst that is true of a device. */
export function deviceState(d: devicesApi.DeviceStatus): DeviceState {
  if (d.error) return 'error'
  if (!d.connected) return 'disconnected'
  if (d.clock_skewed) return 'skewed'
  return 'ok'
}

/** tagType is the Element Plus tag type of a state. */
export function tagType(s: ReplicaState | DeviceState): 'success' | 'info' | 'danger' | 'warning' {
  switch (s) {
    case 'online':
    case 'ok':
      return 'success'
    case 'conflict':
    case 'error':
      return 'danger'
    case 'skewed':
    case 'disconnected':
      return 'warning'
    default:
      return 'info'
  }
}

/** SiteHealth sums a site's replicas. */
export interface SiteHealth {
  site: string
  online: boolean
  replicas: number
  lastReport: string
  lag: number
  devices: number
  devicesOK: number
}

export function bySite(rs: Replica[]): SiteHealth[] {
  const m = new Map<string, SiteHealth>()
  for (const r of rs) {
    const s = m.get(r.site) ?? { site: r.site, online: false, replicas: 0, lastReport: '', lag: 0, devices: 0, devicesOK: 0 }
    s.replicas++
    s.online ||= replicaState(r) === 'online'
    const at = r.status?.received_at ?? ''
    if (at && (!s.lastReport || Date.parse(at) > Date.parse(s.lastReport))) s.lastReport = at
    s.lag += r.lag
    s.devices += r.devices.length
    s.devicesOK += r.devices.filter((d) => deviceState(d) === 'ok').length
    m.set(r.site, s)
  }
  return [...m.values()].sort((a, b) => a.site.localeCompare(b.site))
}

/** offset shows a clock offset in ms as "+1.2 s" or "-35 ms". */
export function offset(ms: number): string {
  const sign = ms > 0 ? '+' : ms < 0 ? '−' : '±'
  const a = Math.abs(ms)
  return a >= 1000 ? `${sign}${(a / 1000).toFixed(1)} s` : `${sign}${a} ms`
}
