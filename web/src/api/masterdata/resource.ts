// One typed client per master data collection, all of the same shape
// (API.md): list with q/disabled/sort/offset/limit and filters, get with
// ETag, create, update and delete with If-Match.
import { ApiError, request, type ErrorBody, type Reply } from '../http'
import type { Base, ImportReport, ImportResult, Settings } from './types'

/** Page is one page of a list. */
export interface Page<T> {
  items: T[]
  total: number
  offset: number
  limit: number
}

/** ListQuery is what a list page asks for. */
export interface ListQuery {
  q?: string
  disabled?: 'true' | 'false' | ''
  sort?: string
  offset?: number
  limit?: number
  [filter: string]: string | number | undefined
}

const ifMatch = (version: number) => ({ 'If-Match': `"${version}"` })

/** Resource is the client of one collection, e.g. resource<Unit>('/units'). */
export interface Resource<T extends Base> {
  path: string
  list(q: ListQuery): Promise<Page<T>>
  get(id: number): Promise<Reply<T>>
  create(rec: Partial<T>, idempotencyKey?: string): Promise<Reply<T>>
  update(rec: T): Promise<Reply<T>>
  remove(rec: T): Promise<unknown>
  setDisabled(rec: T, disabled: boolean): Promise<Reply<T>>
}

export function resource<T extends Base>(path: string): Resource<T> {
  return {
    path,
    async list(q) {
      const r = await request<Page<T>>(path, { query: q })
      const d = r.data ?? ({} as Page<T>)
      return { items: d.items ?? [], total: d.total ?? 0, offset: d.offset ?? 0, limit: d.limit ?? 0 }
    },
    get: (id) => request<T>(`${path}/${id}`),
    create: (rec, key) =>
      request<T>(path, { method: 'POST', body: rec, headers: key ? { 'Idempotency-Key': key } : {} }),
    update: (rec) => request<T>(`${path}/${rec.id}`, { method: 'PUT', body: rec, headers: ifMatch(rec.version) }),
    remove: (rec) => request(`${path}/${rec.id}`, { method: 'DELETE', headers: ifMatch(rec.version) }),
    setDisabled: (rec, disabled) =>
      request<T>(`${path}/${rec.id}/${disabled ? 'disable' : 'enable'}`, {
        method: 'POST',
        headers: ifMatch(rec.version),
      }),
  }
}

export async function getSettings(): Promise<Reply<Settings>> {
  return request<Settings>('/settings')
}

export async function putSettings(s: Settings): Promise<Reply<Settings>> {
  return request<Settings>('/settings', { method: 'PUT', body: s, headers: ifMatch(s.version) })
}

/** exportURL is the address of a collection's file export. */
export function exportURL(path: string, format: 'xlsx' | 'csv'): string {
  return `/api/v1${path}/export?format=${format}`
}

/** downloadExport fetches a collection's export with the session and
 * saves it under the name the cloud gives (Content-Disposition); a
 * refusal is an ApiError, not a saved error page. */
export async function downloadExport(path: string, format: 'xlsx' | 'csv'): Promise<string> {
  const res = await fetch(exportURL(path, format), { credentials: 'same-origin' })
  if (!res.ok) {
    let b: Partial<ErrorBody> = {}
    try {
      b = await res.json()
    } catch {
      /* not the API's error body */
    }
    throw new ApiError(res.status, {
      error: b.error ?? `HTTP ${res.status}`, error_zh: b.error_zh ?? `请求失败（HTTP ${res.status}）`,
      code: b.code ?? String(res.status), permission: b.permission,
    })
  }
  const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(res.headers.get('Content-Disposition') ?? '')
  const name = m ? decodeURIComponent(m[1]) : `${path.replace(/^\//, '')}.${format}`
  const blob = await res.blob()
  const href = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = href
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(href), 10000)
  return name
}

/** checkImport uploads a file; the cloud checks it and writes nothing. */
export async function checkImport(kind: string, file: File): Promise<ImportReport> {
  const format = file.name.toLowerCase().endsWith('.csv') ? 'csv' : 'xlsx'
  const body = await file.arrayBuffer()
  const r = await request<ImportReport>('/imports', {
    method: 'POST',
    query: { kind, format },
    raw: body,
    headers: { 'Content-Type': format === 'csv' ? 'text/csv' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
  })
  return { ...r.data, problems: r.data.problems ?? [], problems_total: r.data.problems_total ?? r.data.problems?.length ?? 0 }
}

/** commitImport writes the valid records of a checked import, once. */
export async function commitImport(id: string): Promise<ImportResult> {
  const r = await request<ImportResult>(`/imports/${encodeURIComponent(id)}/commit`, { method: 'POST' })
  return { ...r.data, problems: r.data.problems ?? [] }
}
