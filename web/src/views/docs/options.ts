// Choices of the document pages, loaded from the cloud: partners by kind
// (suppliers, customers) and the SKUs a line may name.
import { customers, suppliers, type SKUView, type Page } from '../../api/masterdata'
import { request } from '../../api/http'
import type { Option } from '../../components/types'

/** partnerOptions lists the active suppliers or customers. */
export async function partnerOptions(kind: 'supplier' | 'customer'): Promise<Option[]> {
  const p = await (kind === 'supplier' ? suppliers : customers).list({ limit: 500, disabled: 'false' })
  return p.items.map((s) => ({ value: s.code, label: `${s.code} ${s.name}` }))
}

/** skuList lists the active SKUs (the first 500). */
export async function skuList(): Promise<SKUView[]> {
  const r = await request<Page<SKUView>>('/skus', { query: { limit: 500, disabled: 'false' } })
  return r.data.items ?? []
}
