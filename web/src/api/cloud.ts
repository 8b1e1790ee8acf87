// The cloud's own views of the agents: replicas, on-hand stock and count
// conflicts (cloud/httpapi).
import { get, listOf } from './http'

export interface ReplicaInfo {
  tenant: string
  site: string
  replica: string
  watermark: number
  max_seq: number
  conflict_seq?: number
  first_seen: string
  last_seen: string
}

export interface StockRow {
  tenant: string
  site: string
  bin: string
  sku: string
  lot: string
  qty: number
}

export interface CountObservation {
  replica: string
  seq: number
  hlc: string
  at: string
  counted: number
  operator: string
  device: string
  live: boolean
  detected: string
}

export interface CountConflict {
  tenant: string
  site: string
  bin: string
  sku: string
  lot: string
  open: boolean
  winner: { replica: string; seq: number }
  on_hand: number
  observations: CountObservation[]
}

export async function replicas(site?: string): Promise<ReplicaInfo[]> {
  return listOf<ReplicaInfo>(await get('/replicas', { site }), 'replicas')
}

export async function stock(q: { site?: string; sku?: string; bin?: string } = {}): Promise<StockRow[]> {
  return listOf<StockRow>(await get('/stock', q), 'rows')
}

export async function countConflicts(q: { site?: string; status?: 'open' | 'all' } = {}): Promise<CountConflict[]> {
  return listOf<CountConflict>(await get('/count-conflicts', q), 'conflicts')
}
