// The cloud's business calculations over documents, stock and master data
// (cloud/httpapi/reports.go): replenishment suggestions and their purchase
// orders, stock alerts, supplier performance. Quantities are base units;
// demand and σ thousandths of a base unit per day; scores hundredths of a
// point.
import { request } from './http'
import type { Document } from './docs'

/** Suggestion is one SKU of a replenishment run (docs.SuggestionView). */
export interface Suggestion {
  sku: string
  name: string
  site: string
  supplier?: string
  days: number
  demand_milli: number
  sigma_milli: number
  z_milli: number
  on_hand: number
  on_order: number
  reserved: number
  min: number
  max: number
  safety_stock: number
  reorder_point: number
  trigger: number
  target: number
  position: number
  need: number
  qty: number
  units: number
  unit: string
  factor: number
  below_min: boolean
  above_max: boolean
  explanation: string
}

/** ProposalLine is a SKU of a proposed document (base units). */
export interface ProposalLine {
  sku: string
  qty: number
  note?: string
}

/** Proposal is a draft to make: a purchase order from a supplier, or a
 * transfer from a warehouse. */
export interface Proposal {
  supplier?: string
  from?: string
  site: string
  lines: ProposalLine[]
}

/** Replenishment is a run's answer. */
export interface Replenishment {
  site: string
  method: string
  as_of: string
  days: number
  suggestions: Suggestion[]
  purchase_orders: Proposal[]
  no_supplier: string[]
  transfers: Proposal[]
}

/** ReplenishQuery is a run's parameters (defaults on the server). */
export interface ReplenishQuery {
  site: string
  method?: 'ma' | 'es'
  days?: number
  lead_time_days?: number
  review_days?: number
  service_level?: number
  supplier?: string
  all?: boolean
  from?: string
}

/** replenishment runs GET /replenishment (purchase.view). */
export async function replenishment(q: ReplenishQuery): Promise<Replenishment> {
  const r = await request<Replenishment>('/replenishment', { query: { ...q, all: q.all ? true : undefined } })
  const d = r.data
  return { ...d, suggestions: d.suggestions ?? [], purchase_orders: d.purchase_orders ?? [], no_supplier: d.no_supplier ?? [], transfers: d.transfers ?? [] }
}

/** replenishmentOrder makes the draft purchase order of a group
 * (purchase.edit). */
export async function replenishmentOrder(p: { site: string; supplier: string; lines: ProposalLine[] }): Promise<Document> {
  return (await request<Document>('/replenishment/purchase-orders', { method: 'POST', body: p })).data
}

/** StockAlert is a SKU below its min or above its max at a site. */
export interface StockAlert {
  site: string
  sku: string
  name: string
  on_hand: number
  min: number
  max: number
  alert: 'below_min' | 'above_max'
  alert_zh: string
}

/** stockAlerts asks GET /stock-alerts (stock.view); site '' is every site. */
export async function stockAlerts(site = ''): Promise<StockAlert[]> {
  return (await request<{ alerts: StockAlert[] }>('/stock-alerts', { query: { site } })).data.alerts ?? []
}

/** MonthScore is a supplier's month. */
export interface MonthScore {
  period: string
  receipts: number
  on_time: number
  received: number
  returned: number
  delivery: number
  quality: number
  score: number
  band: string
}

/** Performance is a supplier's scores by month and overall. */
export interface Performance {
  supplier: string
  name: string
  months: number
  from: string
  to: string
  delivery_weight: number
  quality_weight: number
  monthly: MonthScore[]
  overall?: { as_of: string; score: number; band: string; periods: number; rating: number }
}

/** supplierPerformance asks GET /suppliers/{code}/performance (purchase.view). */
export async function supplierPerformance(code: string, months = 12): Promise<Performance> {
  const d = (await request<Performance>(`/suppliers/${encodeURIComponent(code)}/performance`, { query: { months } })).data
  return { ...d, monthly: d.monthly ?? [] }
}

/** Band is a score's grade (supplierscore.Band): the API names it in
 * Chinese then English ("优秀 excellent"). */
export type Band = 'very_poor' | 'poor' | 'fair' | 'excellent'

/** bandOf reads the API's band name; unknown: ''. */
export function bandOf(name: string): Band | '' {
  const zh = name.trim().split(/\s+/)[0]
  return ({ 很差: 'very_poor', 差: 'poor', 一般: 'fair', 优秀: 'excellent' } as Record<string, Band>)[zh] ?? ''
}

/** bandTag is the tag type of a band. */
export const bandTag: Record<string, 'danger' | 'warning' | 'primary' | 'success' | 'info'> = {
  very_poor: 'danger', poor: 'warning', fair: 'primary', excellent: 'success', '': 'info',
}
