// What the handheld keeps while it runs: the agent's sync state (polled),
// the items this handheld recorded with the seq that must be acknowledged
// before they count as synced, the master data's products (names and
// prices, for the till), and the one-key-per-action helper.
import { computed, reactive, ref } from 'vue'
import { ApiError, get, newKey, request, type MasterProduct, type Receipt, type SyncState } from './api'

export const sync = reactive<SyncState & { ok: boolean }>({ replica: '', last_seq: 0, acked_seq: 0, connected: false, master_rev: 0, ok: false })

/** pollSync reads the sync state now (after an action, so the indicator
 * counts it at once). */
export async function pollSync(): Promise<void> {
  try {
    Object.assign(sync, await get<SyncState>('/api/v1/sync'), { ok: true })
  } catch {
    sync.ok = false
  }
}
let timer = 0
/** startSync polls GET /api/v1/sync every 2 s. */
export function startSync(): void {
  if (timer) return
  void pollSync()
  timer = window.setInterval(pollSync, 2000)
}
/** pending is how many of this agent's events the cloud has not acknowledged. */
export const pending = computed(() => Math.max(sync.last_seq - sync.acked_seq, 0))

/** Recorded is one thing this handheld recorded: synced once the agent's
 * acknowledged seq reaches upTo (the last event it wrote). */
export interface Recorded {
  id: number
  page: string
  text: string
  replica: string
  upTo: number
  at: string
}

export const records = reactive<Recorded[]>([])
let nextID = 1

/** remember keeps what an answer recorded; events is how many events it
 * wrote from receipt on (a document and its movements are one run). */
export function remember(page: string, text: string, receipt: Receipt, events = 1): Recorded {
  const r: Recorded = {
    id: nextID++, page, text, replica: receipt.replica, upTo: receipt.seq + Math.max(events, 1) - 1,
    at: new Date().toLocaleTimeString(),
  }
  records.unshift(r)
  if (records.length > 200) records.pop()
  void pollSync()
  return records[0]
}

/** isSynced: the cloud acknowledged everything r wrote. */
export function isSynced(r: Recorded): boolean {
  return sync.ok && sync.replica === r.replica && sync.acked_seq >= r.upTo
}

/** useAction sends writes with one Idempotency-Key per user action: a
 * double tap while one is on its way does nothing (undefined), and the
 * same request sent again after no definite answer (a dropped
 * connection, a 5xx) reuses the key, so the agent records it once. */
export function useAction() {
  const busy = ref(false)
  let last: { fp: string; key: string } | null = null
  async function send<T>(path: string, body: unknown): Promise<T | undefined> {
    if (busy.value) return undefined
    const fp = path + '\n' + JSON.stringify(body)
    if (!last || last.fp !== fp) last = { fp, key: newKey() }
    busy.value = true
    try {
      const res = await request<T>('POST', path, body, last.key)
      last = null
      return res
    } catch (e) {
      if (e instanceof ApiError && e.definite) last = null
      throw e
    } finally {
      busy.value = false
    }
  }
  return { busy, send }
}

/** products: the SKUs the agent holds, by SKU and by barcode. */
export const products = reactive({
  loaded: false,
  bySku: new Map<string, MasterProduct>(),
  byGtin: new Map<string, { sku: string; factor: number }>(),
})

interface MasterPage {
  records: { key: string; product?: MasterProduct }[]
  next?: string
}

/** loadProducts reads the product master records (again). */
export async function loadProducts(): Promise<void> {
  const bySku = new Map<string, MasterProduct>()
  const byGtin = new Map<string, { sku: string; factor: number }>()
  let after = ''
  for (let i = 0; i < 100; i++) {
    const p = await get<MasterPage>(`/api/v1/master/product?limit=5000&after=${encodeURIComponent(after)}`)
    for (const r of p.records || []) {
      if (!r.product) continue
      bySku.set(r.key, r.product)
      for (const g of r.product.gtins || []) byGtin.set(g.padStart(14, '0'), { sku: r.key, factor: 1 })
      for (const pk of r.product.packs || []) for (const g of pk.gtins || []) byGtin.set(g.padStart(14, '0'), { sku: r.key, factor: pk.factor })
    }
    if (!p.next) break
    after = p.next
  }
  products.bySku = bySku
  products.byGtin = byGtin
  products.loaded = true
}

/** productName returns the name of a SKU or of a barcode's SKU, or
 * what it was given. */
export function productName(code: string): string {
  const p = products.bySku.get(code)
  if (p) return p.name
  const g = /^\d{8,14}$/.test(code) ? products.byGtin.get(code.padStart(14, '0')) : undefined
  return (g && products.bySku.get(g.sku)?.name) || code
}

/** useScans sends scans one after another, in the order they were
 * scanned (a burst from a scanner is not dropped while one is on its
 * way), each scan its own action with its own Idempotency-Key; retry
 * resends one with its key. */
export function useScans() {
  let chain: Promise<unknown> = Promise.resolve()
  const inFlight = ref(0)
  function send<T>(path: string, body: unknown, key = newKey()): Promise<T> {
    inFlight.value++
    const p = chain.then(() => request<T>('POST', path, body, key))
    chain = p.catch(() => undefined)
    return p.finally(() => inFlight.value--)
  }
  return { send, inFlight, newKey }
}
