// Choices that master data forms share, loaded from the cloud.
import { categories, getSettings, sites, units } from '../../api/masterdata'
import type { Option } from '../../components/types'

export interface TreeOption extends Option {
  children?: TreeOption[]
}

/** categoryTree is every category as a tree, with "top level" (0) first. */
export async function categoryTree(): Promise<TreeOption[]> {
  const p = await categories.list({ limit: 500, sort: 'code' })
  const nodes = new Map<number, TreeOption & { parent: number }>(
    p.items.map((c) => [c.id, { value: c.id, label: `${c.code} ${c.name}`, parent: c.parent_id, children: [] }]),
  )
  const roots: TreeOption[] = []
  for (const n of nodes.values()) (nodes.get(n.parent)?.children ?? roots).push(n)
  return [{ value: 0, label: 'md.topLevel', labelKey: true }, ...roots]
}

/** categoryOptions is every category, after "none" (0). */
export async function categoryOptions(): Promise<Option[]> {
  const none: Option = { value: 0, label: 'common.none', labelKey: true }
  try {
    const p = await categories.list({ limit: 500, sort: 'code' })
    return [none, ...p.items.map((c) => ({ value: c.id, label: `${c.code} ${c.name}` }))]
  } catch {
    return [none]
  }
}

export async function unitOptions(): Promise<Option[]> {
  const p = await units.list({ limit: 500, disabled: 'false' })
  return p.items.map((u) => ({ value: u.code, label: u.code === u.name ? u.name : `${u.name} (${u.code})` }))
}

export async function siteOptions(): Promise<Option[]> {
  const p = await sites.list({ limit: 500 })
  return p.items.map((s) => ({ value: s.code, label: `${s.code} ${s.name}` }))
}

export async function vatOptions(): Promise<Option[]> {
  const s = (await getSettings()).data
  return (s.vat_rates ?? []).map((r) => ({ value: r, label: `${r}%` }))
}

export const siteTypes: Option[] = [
  { value: 'store', label: 'md.store', labelKey: true },
  { value: 'warehouse', label: 'md.warehouse', labelKey: true },
]

export const accountTypes: Option[] = [
  { value: 'cash', label: 'md.cash', labelKey: true },
  { value: 'bank', label: 'md.bank', labelKey: true },
  { value: 'other', label: 'md.other', labelKey: true },
]

/** common columns at the end of every list. */
export const tail = [
  { prop: 'disabled', label: 'common.status', width: 80 },
  { prop: 'updated_at', label: 'common.updatedAt', type: 'minute' as const, sortable: true, minWidth: 145 },
]
