// Purchase orders (采购订单) as cloud/docs defines them: money in fen,
// quantities integers in the line's unit; received in base units.
import { request, type Reply } from '../http'
import { resource } from '../masterdata/resource'
import type { Base } from '../masterdata/types'

export type POStatus = 'draft' | 'approved' | 'partly_done' | 'done' | 'closed' | 'void'
export const poStatuses: POStatus[] = ['draft', 'approved', 'partly_done', 'done', 'closed', 'void']

export interface Amounts {
  net: number
  tax: number
  gross: number
}

export interface POLine extends Partial<Amounts> {
  line?: number
  sku: string
  name?: string
  unit: string
  factor?: number
  qty: number
  qty_base?: number
  price: number
  vat_rate: number | null
  done?: number
  over?: boolean
}

/** PurchaseOrder; code, name and disabled are not the order's: it has a number. */
export interface PurchaseOrder extends Base, Partial<Amounts> {
  number: string
  status: POStatus
  partner: string
  partner_name?: string
  site: string
  date: string
  expected_date: string
  tax_included: boolean
  note: string
  lines: POLine[]
  tolerance_percent?: number
  close_reason?: string
  created_at?: string
  created_by?: string
  approved_at?: string
  approved_by?: string
}

const ifMatch = (version: number) => ({ 'If-Match': `"${version}"` })

const base = resource<PurchaseOrder>('/purchase-orders')

/** body is what a write sends: a line without a VAT rate leaves it out
 * (the product's rate), and a line without a unit the base unit. */
function body(po: Partial<PurchaseOrder>): Partial<PurchaseOrder> {
  const lines = (po.lines ?? []).map((l) => {
    const out: Record<string, unknown> = { sku: l.sku, qty: l.qty, price: l.price }
    if (l.unit) out.unit = l.unit
    if (l.vat_rate !== null && l.vat_rate !== undefined) out.vat_rate = l.vat_rate
    return out as unknown as POLine
  })
  return {
    partner: po.partner, site: po.site, date: po.date, expected_date: po.expected_date || undefined,
    tax_included: po.tax_included, note: po.note, lines,
  }
}

export const purchaseOrders = {
  ...base,
  create: (po: Partial<PurchaseOrder>, key?: string) => base.create(body(po), key),
  update: (po: PurchaseOrder) => request<PurchaseOrder>(`/purchase-orders/${po.id}`, { method: 'PUT', body: body(po), headers: ifMatch(po.version) }),
}

export function approvePO(po: PurchaseOrder): Promise<Reply<PurchaseOrder>> {
  return request<PurchaseOrder>(`/purchase-orders/${po.id}/approve`, { method: 'POST', headers: ifMatch(po.version) })
}

export function closePO(po: PurchaseOrder, reason: string): Promise<Reply<PurchaseOrder>> {
  return request<PurchaseOrder>(`/purchase-orders/${po.id}/close`, { method: 'POST', body: { reason }, headers: ifMatch(po.version) })
}

export function voidPO(po: PurchaseOrder): Promise<Reply<PurchaseOrder>> {
  return request<PurchaseOrder>(`/purchase-orders/${po.id}/void`, { method: 'POST', headers: ifMatch(po.version) })
}
