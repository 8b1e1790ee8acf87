// The configuration a master data page is made of: the generic list
// (DataTable) and form (RecordForm) read it.
import type { Component } from 'vue'
import type { Resource } from '../api/masterdata/resource'
import type { Base } from '../api/masterdata/types'

/** Option is a choice of a select: value and label (an i18n key when labelKey). */
export interface Option {
  value: string | number
  label: string
  labelKey?: boolean
}

export type Options = Option[] | (() => Promise<Option[]>)

export interface Column {
  prop: string
  /** label is an i18n key. */
  label: string
  /** date: with seconds; minute: to the minute (lists). */
  type?: 'text' | 'money' | 'bool' | 'date' | 'minute' | 'tags' | 'enum' | 'number'
  sortable?: boolean
  width?: number
  minWidth?: number
  /** enum: value → i18n key. */
  enum?: Record<string, string>
  format?: (row: Record<string, unknown>) => string
  /** tag shows the cell as a tag of the type it returns (a status). */
  tag?: (row: Record<string, unknown>) => 'primary' | 'success' | 'info' | 'warning' | 'danger'
}

export interface Field {
  prop: string
  label: string
  type?: 'text' | 'textarea' | 'number' | 'money' | 'switch' | 'select' | 'tags' | 'contacts' | 'tree'
  options?: Options
  /** allowCreate lets a select take a value not offered. */
  allowCreate?: boolean
  required?: boolean
  /** readonly fields are shown but not sent changed (rating). */
  readonly?: boolean
  /** createOnly fields can be set on a new record only (code of a bin). */
  createOnly?: boolean
  min?: number
  max?: number
  hint?: string
  /** wide fields take the whole row. */
  wide?: boolean
  /** show hides the field unless it returns true for the record. */
  show?: (rec: Record<string, unknown>) => boolean
}

export interface Filter {
  prop: string
  label: string
  type: 'text' | 'select'
  options?: Options
}

export interface ResourceConfig<T extends Base = Base> {
  /** title is an i18n key. */
  title: string
  api: Resource<T>
  /** module is the permission module: module.view, module.edit. */
  module: 'product' | 'site' | 'partner' | 'account'
  /** exportPerm is the permission of the file export; module.view when absent. */
  exportPerm?: string
  exportable?: boolean
  /** importKind enables the import dialog (POST /imports?kind=). */
  importKind?: string
  columns: Column[]
  filters?: Filter[]
  fields: Field[]
  defaults: () => Partial<T>
  /** normalize mends a record the API sent (nested lists sent as null). */
  normalize?: (rec: T) => T
  /** tree lists every record at once as a tree by parent_id. */
  tree?: boolean
  /** form replaces RecordForm (products). */
  form?: Component
  dialogWidth?: string
  /** extraActionsWidth widens the actions column for the buttons a page
   * adds in the row-actions slot. */
  extraActionsWidth?: number
}

/** resolve loads the options of a field or filter. */
export async function resolve(o: Options | undefined): Promise<Option[]> {
  if (!o) return []
  return Array.isArray(o) ? o : o()
}
