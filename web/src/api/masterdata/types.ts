// Master data records as cloud/masterdata/API.md defines them. Money is
// integer fen, quantities integer base units, VAT rates integer percent.
// Written from the contract while the API is being built; regenerate with
// `npm run gen:api` from the served OpenAPI document once it is merged.

/** Base is what every master record has. */
export interface Base {
  id: number
  code: string
  name: string
  disabled: boolean
  version: number
  updated_at?: string
  updated_by?: string
}

export interface Category extends Base {
  parent_id: number
}

export interface Unit extends Base {
  weight: boolean
}

export interface ProductUnit {
  unit: string
  factor: number
  barcodes: string[]
}

export interface Attribute {
  name: string
  values: string[]
}

export interface SKU {
  code: string
  attrs: Record<string, string>
  barcodes: string[]
  purchase_price: number
  wholesale_price: number
  retail_price: number
  disabled: boolean
}

export interface Product extends Base {
  category_id: number
  default_supplier?: string
  brand: string
  spec: string
  base_unit: string
  units: ProductUnit[]
  attributes: Attribute[]
  skus: SKU[]
  lot_tracked: boolean
  shelf_life_days: number
  serial_tracked: boolean
  sold_by_weight: boolean
  weight_decimals: number
  plu: string
  vat_rate: number
  purchase_price: number
  wholesale_price: number
  retail_price: number
}

export interface SKUView {
  id: number
  code: string
  product_id: number
  product_code: string
  name: string
  attrs: Record<string, string>
  barcodes: string[]
  base_unit: string
  retail_price: number
  purchase_price: number
  wholesale_price: number
  disabled: boolean
}

export interface Site extends Base {
  type: 'store' | 'warehouse'
  address: string
  contact: string
  phone: string
}

export interface Bin extends Base {
  site: string
}

export interface StockLimit extends Base {
  site: string
  sku: string
  min: number
  max: number
}

export interface Contact {
  name: string
  phone: string
  email: string
  title: string
}

export interface Supplier extends Base {
  contacts: Contact[]
  lead_time_days?: number
  tax_id: string
  bank_name: string
  bank_account: string
  payment_terms_days: number
  currency: string
  rating: number
  address: string
  region: string
  note: string
  /** tolerance_percent: how far a receipt may go over an order line (0–100). */
  tolerance_percent: number
}

export interface Customer extends Base {
  contacts: Contact[]
  level: string
  credit_limit: number
  payment_terms_days: number
  tax_id: string
  region: string
  salesperson: string
  address: string
  note: string
  /** tolerance_percent: how far a shipment may go over an order line (0–100). */
  tolerance_percent: number
}

export interface Account extends Base {
  type: 'cash' | 'bank' | 'other'
  bank_name: string
  account_no: string
  currency: string
  opening_balance: number
}

export interface Settings {
  currency: string
  vat_rates: number[]
  default_vat_rate: number
  weight_label_prefixes: string[]
  /** approval_levels: from min_gross (fen) on, a document of doc_type
   * needs one approval by role per level, in order of min_gross. */
  approval_levels: ApprovalLevel[]
  company_name?: string
  company_address?: string
  company_phone?: string
  company_tax_id?: string
  version: number
}

/** ApprovalLevel is one level of approval of a document type by amount. */
export interface ApprovalLevel {
  doc_type: string
  min_gross: number
  role: string
}

/** ImportProblem is one problem of an import (importx.Problem): row as
 * the spreadsheet shows it (header = 1), column header as in the file,
 * its English field name and A1 cell. */
export interface ImportProblem {
  row: number
  column: string
  field: string
  cell?: string
  error: string
  error_zh: string
}

/** ImportReport is the check of a file (POST /imports); nothing is
 * written yet. id is empty when no record is valid. */
export interface ImportReport {
  id: string
  kind: string
  format: string
  rows: number
  valid: number
  records: number
  create: number
  update: number
  unchanged: number
  invalid: number
  problems: ImportProblem[]
  problems_total: number
  expires_at?: string
}

/** ImportResult is what a commit wrote (POST /imports/{id}/commit). */
export interface ImportResult {
  created: number
  updated: number
  unchanged: number
  failed: number
  problems: ImportProblem[]
}
