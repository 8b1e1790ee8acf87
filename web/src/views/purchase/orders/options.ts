// Choices of the purchase order pages, loaded from the cloud.
import { suppliers } from '../../../api/masterdata'
import type { Option } from '../../../components/types'

export async function supplierOptions(): Promise<Option[]> {
  const p = await suppliers.list({ limit: 500, disabled: 'false' })
  return p.items.map((s) => ({ value: s.code, label: `${s.code} ${s.name}` }))
}
