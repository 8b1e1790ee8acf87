// Documents (单据) of every type as cloud/docs serves them: one client for
// all, driven by a type table that mirrors cloud/docs/types.go. Money is
// integer fen; quantities are integers in the line's unit, progress (done,
// in, out) in base units.
import { ApiError, request, get, listOf, type ErrorBody, type Reply } from './http'
import type { Page, ListQuery } from './masterdata/resource'
import type { Audit } from './system'

export type DocStatus = 'draft' | 'approved' | 'partly_done' | 'done' | 'closed' | 'void'
export const docStatuses: DocStatus[] = ['draft', 'approved', 'partly_done', 'done', 'closed', 'void']

/** Measure is how a line's done quantity comes about (docs.Measure). */
export type Measure = 'none' | 'in' | 'out' | 'transfer' | 'children' | 'both'

/** DocType describes a document type, as cloud/docs/types.go does. Its
 * titles and status names are i18n keys under dt.<name>. */
export interface DocType {
  name: string
  /** path is the API collection and the console route ("purchase-orders"). */
  path: string
  prefix: string
  /** module is the permission module: module.view, .edit, .approve, .export. */
  module: 'purchase' | 'sales' | 'retail' | 'inventory'
  /** partner is the master data kind of the partner, '' for none. */
  partner: '' | 'supplier' | 'customer'
  partnerRequired?: boolean
  priced?: boolean
  /** toSite: the document has a destination site (a transfer). */
  toSite?: boolean
  measure: Measure
  /** reasons are the reason codes it may carry (other in/out). */
  reasons?: string[]
  /** creatable: drafts are made in the console; false for the types made
   * only at the sites (receipts, shipments, retail, other in/out). */
  creatable: boolean
  /** named says the type has its own names for done and partly done
   * (dt.<name>.done, dt.<name>.partly_done). */
  named?: ('done' | 'partly_done')[]
  /** expected: the form asks for an expected date. */
  expected?: boolean
  /** price is the SKU's price a new line starts with. */
  price?: 'purchase_price' | 'wholesale_price' | 'retail_price'
  /** bins: each line names its bin (HQ moves that bin's stock, or the
   * site works from it). */
  bins?: boolean
}

const otherReasons = ['scrap', 'sample', 'internal_use', 'found', 'gift', 'other']
const both: ('done' | 'partly_done')[] = ['done', 'partly_done']

/** docTypes lists every type in the console's order (types.go). */
export const docTypes: DocType[] = [
  { name: 'purchase_request', path: 'purchase-requests', prefix: 'QG', module: 'purchase', partner: '', priced: true, measure: 'none', creatable: true, named: both, expected: true, price: 'purchase_price' },
  { name: 'purchase_order', path: 'purchase-orders', prefix: 'CG', module: 'purchase', partner: 'supplier', partnerRequired: true, priced: true, measure: 'in', creatable: true, named: both, expected: true, price: 'purchase_price' },
  { name: 'purchase_receipt', path: 'purchase-receipts', prefix: 'RK', module: 'purchase', partner: 'supplier', priced: true, measure: 'none', creatable: false },
  { name: 'purchase_return', path: 'purchase-returns', prefix: 'CT', module: 'purchase', partner: 'supplier', partnerRequired: true, priced: true, measure: 'out', creatable: true, named: both, price: 'purchase_price' },
  { name: 'quote', path: 'quotes', prefix: 'BJ', module: 'sales', partner: 'customer', partnerRequired: true, priced: true, measure: 'none', creatable: true, named: ['done'], expected: true, price: 'wholesale_price' },
  { name: 'sales_order', path: 'sales-orders', prefix: 'XS', module: 'sales', partner: 'customer', partnerRequired: true, priced: true, measure: 'children', creatable: true, named: both, expected: true, price: 'wholesale_price' },
  { name: 'pick_list', path: 'pick-lists', prefix: 'JH', module: 'sales', partner: 'customer', measure: 'out', creatable: true, named: both },
  { name: 'shipment', path: 'shipments', prefix: 'CK', module: 'sales', partner: 'customer', priced: true, measure: 'none', creatable: false },
  { name: 'sales_return', path: 'sales-returns', prefix: 'XT', module: 'sales', partner: 'customer', partnerRequired: true, priced: true, measure: 'in', creatable: false, named: both },
  { name: 'retail_sale', path: 'retail-sales', prefix: 'LS', module: 'retail', partner: '', measure: 'none', creatable: false },
  { name: 'retail_return', path: 'retail-returns', prefix: 'LT', module: 'retail', partner: '', measure: 'none', creatable: false },
  { name: 'transfer', path: 'transfers', prefix: 'DB', module: 'inventory', partner: '', toSite: true, measure: 'transfer', creatable: true, named: both, expected: true },
  { name: 'count_plan', path: 'count-plans', prefix: 'PD', module: 'inventory', partner: '', measure: 'none', creatable: true, named: both },
  { name: 'other_in', path: 'other-ins', prefix: 'QR', module: 'inventory', partner: '', measure: 'in', reasons: otherReasons, creatable: true, bins: true },
  { name: 'other_out', path: 'other-outs', prefix: 'QC', module: 'inventory', partner: '', measure: 'out', reasons: otherReasons, creatable: true, bins: true },
  { name: 'assembly', path: 'assemblies', prefix: 'ZZ', module: 'inventory', partner: '', measure: 'both', creatable: true, bins: true },
  { name: 'disassembly', path: 'disassemblies', prefix: 'CX', module: 'inventory', partner: '', measure: 'both', creatable: true, bins: true },
]

const byName = new Map(docTypes.map((t) => [t.name, t]))
const byPath = new Map(docTypes.map((t) => [t.path, t]))

/** docType returns the type of a name ("sales_order"), or undefined. */
export const docType = (name: string): DocType | undefined => byName.get(name)
/** docTypeOfPath returns the type of a collection path ("sales-orders"). */
export const docTypeOfPath = (path: string): DocType | undefined => byPath.get(path)

/** statusKey is the i18n key of a status of a type: its own name for
 * done and partly done (已入库, 调拨中) when it has one. */
export function statusKey(t: DocType | undefined, s: string): string {
  if (t && t.named?.includes(s as 'done')) return `dt.${t.name}.${s}`
  return `doc.status.${s}`
}

/** statusTag is the Element Plus tag type of a status. */
export const statusTag: Record<string, 'info' | 'primary' | 'warning' | 'success' | 'danger'> = {
  draft: 'info', approved: 'primary', partly_done: 'warning', done: 'success', closed: 'info', void: 'danger',
}

export interface Amounts {
  net: number
  tax: number
  gross: number
}

export interface DocLine extends Partial<Amounts> {
  line?: number
  sku: string
  /** expected_date: the line's own expected date (purchase lines). */
  expected_date?: string
  /** role: an assembly's product (line 1) or one of its components. */
  role?: 'product' | 'component'
  name?: string
  unit: string
  factor?: number
  qty: number
  qty_base?: number
  price: number
  vat_rate: number | null
  bin?: string
  lot?: string
  ref_line?: number
  note?: string
  done?: number
  in?: number
  out?: number
  over?: boolean
  /** back_order is a sales order line's base units beyond what its site
   * had available at approval (缺货). */
  back_order?: number
}

/** Approval is one signed approval level. */
export interface Approval {
  level: number
  role: string
  by: string
  at: string
}

/** Progress is what movements naming a document add up to (base units). */
export interface Progress {
  in: number
  out: number
  moves: number
}

export interface DocLink {
  dir: 'from' | 'to'
  id: number
  type: string
  number: string
  status: DocStatus
  date: string
}

export interface Payment {
  method: string
  amount: number
  tendered?: number
  change?: number
}

/** Document is a document of any type (cloud/docs Document). */
export interface Document extends Partial<Amounts> {
  id: number
  type: string
  number: string
  status: DocStatus
  version: number
  partner: string
  partner_name?: string
  site: string
  to_site?: string
  date: string
  expected_date?: string
  tax_included: boolean
  ref?: string
  external_id?: string
  reason?: string
  note?: string
  lines: DocLine[]
  tolerance_percent?: number
  hold?: boolean
  hold_reason?: string
  release_reason?: string
  approvals?: Approval[]
  reject_reason?: string
  /** elsewhere: work other sites recorded naming it, not counted. */
  elsewhere?: Progress
  /** Count plans: what is counted, the bins, blind counting. */
  scope?: 'site' | 'bins' | 'skus' | 'category' | 'abc' | ''
  category?: string
  abc?: 'A' | 'B' | 'C' | ''
  bins?: string[]
  blind?: boolean
  variances_approved_by?: string
  variances_approved_at?: string
  edge_id?: string
  extra?: { payments?: Payment[]; total?: number } & Record<string, unknown>
  close_reason?: string
  created_at?: string
  created_by?: string
  updated_at?: string
  updated_by?: string
  approved_at?: string
  approved_by?: string
  links?: DocLink[]
}

const ifMatch = (version: number) => ({ 'If-Match': `"${version}"` })

/** body is what a write sends: a line without a VAT rate leaves it out
 * (the product's rate), a line without a unit the base unit; prices only
 * for priced types. */
function body(t: DocType, d: Partial<Document>): Record<string, unknown> {
  const lines = (d.lines ?? []).map((l) => {
    const out: Record<string, unknown> = { sku: l.sku, qty: l.qty }
    if (l.unit) out.unit = l.unit
    if (t.priced) {
      out.price = l.price ?? 0
      if (l.vat_rate !== null && l.vat_rate !== undefined) out.vat_rate = l.vat_rate
    }
    for (const k of ['bin', 'lot', 'note', 'expected_date'] as const) if (l[k]) out[k] = l[k]
    if (l.ref_line) out.ref_line = l.ref_line
    return out
  })
  const out: Record<string, unknown> = {
    partner: t.partner ? d.partner : undefined,
    site: d.site, date: d.date, expected_date: d.expected_date || undefined, tax_included: !!d.tax_included,
    ref: d.ref || undefined, external_id: d.external_id || undefined, note: d.note || undefined, lines,
  }
  if (t.toSite) out.to_site = d.to_site
  if (t.reasons?.length) out.reason = d.reason
  if (t.name === 'count_plan') {
    out.scope = d.scope || 'site'
    out.bins = d.scope === 'bins' ? d.bins ?? [] : undefined
    out.category = d.scope === 'category' ? d.category : undefined
    out.abc = d.scope === 'abc' ? d.abc : undefined
    out.blind = !!d.blind
    // A count of the whole site or of bins names no lines.
    if (d.scope !== 'skus') out.lines = []
  }
  return out
}

/** DocQuery is a list's filter (cloud DocListInput). */
export interface DocQuery extends ListQuery {
  status?: string
  partner?: string
  site?: string
  date_from?: string
  date_to?: string
  ref?: string
}

/** docsOf is the client of one type's collection. */
export function docsOf(t: DocType) {
  const base = `/${t.path}`
  return {
    async list(q: DocQuery): Promise<Page<Document>> {
      const { sort: _sort, disabled: _disabled, ...rest } = q
      const r = await request<Page<Document>>(base, { query: rest })
      const d = r.data ?? ({} as Page<Document>)
      return { items: d.items ?? [], total: d.total ?? 0, offset: d.offset ?? 0, limit: d.limit ?? 0 }
    },
    get: (id: number) => request<Document>(`${base}/${id}`),
    create: (d: Partial<Document>, key?: string) =>
      request<Document>(base, { method: 'POST', body: body(t, d), headers: key ? { 'Idempotency-Key': key } : {} }),
    update: (d: Document) => request<Document>(`${base}/${d.id}`, { method: 'PUT', body: body(t, d), headers: ifMatch(d.version) }),
    approve: (d: Document): Promise<Reply<Document>> =>
      request<Document>(`${base}/${d.id}/approve`, { method: 'POST', headers: ifMatch(d.version) }),
    close: (d: Document, reason: string): Promise<Reply<Document>> =>
      request<Document>(`${base}/${d.id}/close`, { method: 'POST', body: { reason }, headers: ifMatch(d.version) }),
    void: (d: Document): Promise<Reply<Document>> =>
      request<Document>(`${base}/${d.id}/void`, { method: 'POST', headers: ifMatch(d.version) }),
    /** reject sends a draft awaiting approval back; signed levels clear. */
    reject: (d: Document, reason: string): Promise<Reply<Document>> =>
      request<Document>(`${base}/${d.id}/reject`, { method: 'POST', body: { reason }, headers: ifMatch(d.version) }),
    /** pdf fetches the cloud's PDF of a document (503 no_font without a
     * CJK font on the server). */
    pdf: (id: number) => pdfBlob(`/${t.path}/${id}/pdf`),
    /** history is the document's audit entries, newest first (audit.view). */
    async history(id: number): Promise<Audit[]> {
      return listOf<Audit>(await get('/audit', { record_type: t.name, record_id: String(id), limit: 200 }), 'items', 'entries')
    },
    /** all reads every document of a filter, page by page, up to max. */
    async all(q: DocQuery, max = 10000): Promise<Document[]> {
      const out: Document[] = []
      for (let offset = 0; offset < max; ) {
        const p = await this.list({ ...q, offset, limit: 500 })
        out.push(...p.items)
        offset += p.items.length
        if (p.items.length === 0 || offset >= p.total) break
      }
      return out
    },
  }
}

/** serverPDF says the cloud renders a document as PDF at
 * GET /api/v1/{path}/{id}/pdf; print falls back to the browser's print of
 * the page's print view (@media print) when the server cannot (503). */
export const serverPDF = true

/** pdfBlob fetches a PDF, turning a refusal into an ApiError. */
async function pdfBlob(path: string): Promise<Blob> {
  const res = await fetch('/api/v1' + path, { credentials: 'same-origin', headers: { Accept: 'application/pdf, application/json' } })
  if (!res.ok) {
    let b: Partial<ErrorBody> = {}
    try {
      b = await res.json()
    } catch {
      /* not JSON */
    }
    throw new ApiError(res.status, { error: b.error ?? `HTTP ${res.status}`, error_zh: b.error_zh ?? `请求失败（HTTP ${res.status}）`, code: b.code ?? String(res.status) })
  }
  return res.blob()
}

const post = <T>(path: string, body: unknown, headers: Record<string, string> = {}) =>
  request<T>(path, { method: 'POST', body, headers })

/** Sales order actions (cloud/httpapi/sales.go). */
export const salesOrders = {
  /** release lifts a credit hold, with a reason (sales.approve). */
  release: (d: Document, reason: string) => post<Document>(`/sales-orders/${d.id}/release`, { reason }, ifMatch(d.version)),
  /** pickList makes and approves the pick list of what remains. */
  pickList: (d: Document, site?: string) => post<Document>(`/sales-orders/${d.id}/pick-lists`, site ? { site } : {}),
  /** purchaseOrder makes a draft PO of the order's shortfall (以销定购). */
  purchaseOrder: (d: Document, supplier: string) => post<Document>(`/sales-orders/${d.id}/purchase-order`, { supplier }),
}

/** quoteToOrder makes a draft sales order of an approved quote. */
export const quoteToOrder = (d: Document) => post<Document>(`/quotes/${d.id}/sales-order`, {})

/** requestToOrder makes a draft purchase order of an approved request. */
export const requestToOrder = (d: Document, supplier: string) =>
  post<Document>(`/purchase-requests/${d.id}/purchase-order`, { supplier }, ifMatch(d.version))

/** Availability is a SKU's availability at a site (base units). */
export interface Availability {
  site: string
  sku: string
  on_hand: number
  reserved: number
  available: number
  on_order: number
}

/** receiveAtHQ keys in a receipt against an approved purchase order at
 * HQ (a site without an agent); the cloud records it at the order's site. */
export const receiveAtHQ = (id: number, lines: { line: number; qty: number; bin: string; lot?: string }[], override = false) =>
  request<Document>(`/purchase-orders/${id}/receive`, { method: 'POST', body: { lines, override: override || undefined } })

/** availability asks GET /availability (sales.view). */
export const availability = async (site: string, sku: string) =>
  (await request<Availability>('/availability', { query: { site, sku }, quiet: true })).data

/** CountView is one count of a key (variances). */
export interface CountView {
  replica: string
  seq: number
  hlc: string
  at: string
  counted: number
  operator: string
  device: string
  winner: boolean
}

/** Variance is one key counted under a count plan. */
export interface Variance {
  bin: string
  sku: string
  lot: string
  name: string
  counted: number
  book: number
  variance: number
  price: number
  value: number
  on_hand: number
  counted_by: string
  device: string
  replica: string
  counted_at: string
  counts: number
  conflict: boolean
  observations?: CountView[]
}

/** Variances is a count plan's variance review. */
export interface Variances {
  plan: string
  id: number
  site: string
  scope: string
  status: string
  version: number
  lines: Variance[]
  gain: number
  loss: number
  gain_value: number
  loss_value: number
  net_value: number
  conflicts: number
  approved_by?: string
  approved_at?: string
}

/** countPlans are the count plan's variance review and its approval. */
export const countPlans = {
  variances: async (id: number) => (await request<Variances>(`/count-plans/${id}/variances`)).data,
  approveVariances: (id: number, version: number) => post<Document>(`/count-plans/${id}/approve-variances`, undefined, ifMatch(version)),
}

/** pdfURL is where the cloud's PDF of a document will be. */
export const pdfURL = (t: DocType, id: number) => `/api/v1/${t.path}/${id}/pdf`
