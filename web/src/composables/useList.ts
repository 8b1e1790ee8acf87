// useList is the state of a server-paged list: search text, filters,
// disabled, sort, page; fetch is called whenever one of them changes.
import { reactive, ref, watch } from 'vue'
import type { ListQuery, Page } from '../api/masterdata/resource'
import { ApiError } from '../api/http'

export interface ListState {
  q: string
  disabled: '' | 'true' | 'false'
  filters: Record<string, string>
  sort: string
  page: number
  limit: number
}

export function useList<T>(fetch: (q: ListQuery) => Promise<Page<T>>, opts: { limit?: number; sort?: string } = {}) {
  const state = reactive<ListState>({ q: '', disabled: '', filters: {}, sort: opts.sort ?? 'code', page: 1, limit: opts.limit ?? 20 })
  const items = ref<T[]>([]) as { value: T[] }
  const total = ref(0)
  const loading = ref(false)
  const error = ref<ApiError | null>(null)
  let seq = 0

  async function reload() {
    const my = ++seq
    loading.value = true
    error.value = null
    try {
      const p = await fetch({
        q: state.q.trim() || undefined,
        disabled: state.disabled || undefined,
        sort: state.sort || undefined,
        offset: (state.page - 1) * state.limit,
        limit: state.limit,
        ...Object.fromEntries(Object.entries(state.filters).filter(([, v]) => v !== '' && v !== undefined)),
      })
      if (my !== seq) return // a newer request answers
      items.value = p.items
      total.value = p.total
    } catch (e) {
      if (my !== seq) return
      items.value = []
      total.value = 0
      error.value = e instanceof ApiError ? e : new ApiError(0, { error: String(e), error_zh: String(e), code: 'client' })
    } finally {
      if (my === seq) loading.value = false
    }
  }

  /** search starts again at page 1. */
  function search() {
    if (state.page !== 1) state.page = 1
    else reload()
  }
  function reset() {
    state.q = ''
    state.disabled = ''
    for (const k of Object.keys(state.filters)) state.filters[k] = ''
    search()
  }
  /** onSort takes Element Plus's sort-change event. */
  function onSort(e: { prop: string | null; order: 'ascending' | 'descending' | null }) {
    state.sort = !e.prop || !e.order ? (opts.sort ?? 'code') : (e.order === 'descending' ? '-' : '') + e.prop
    search()
  }
  watch(() => [state.page, state.limit], reload)

  return { state, items, total, loading, error, reload, search, reset, onSort }
}
