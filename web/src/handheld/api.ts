// The handheld's one HTTP client of the agent API (same origin): the
// session's bearer token on every call, the agent's error body
// {error, error_zh, code, field?, errors?} as an ApiError, and an
// Idempotency-Key on every write.
import { reactive } from 'vue'

/** ErrorBody is the agent API's one error shape. */
export interface ErrorBody {
  error: string
  error_zh: string
  code: string
  field?: string
  permission?: string
  errors?: { field: string; error: string; error_zh: string }[]
}

/** ApiError is a refused request (status ≥ 400), or a failed connection
 * (status 0: nothing is known of the outcome; retry with the same key). */
export class ApiError extends Error {
  constructor(public status: number, public body: ErrorBody) {
    super(body.error || `HTTP ${status}`)
  }
  get code(): string {
    return this.body.code
  }
  /** text is the message in the page's language. */
  text(zh: boolean): string {
    return (zh ? this.body.error_zh : this.body.error) || this.body.error || this.message
  }
  /** definite is true when the agent answered for sure: a retry with the
   * same key would get the same answer, so a new action gets a new key. */
  get definite(): boolean {
    return this.status >= 400 && this.status < 500 && this.status !== 408 && this.status !== 429
  }
}

const TOKEN_KEY = 'jxc.hh.session'

export interface User {
  name: string
  display_name?: string
  permissions: string[]
  max_discount_percent?: number
}

/** session is the signed-in user of this handheld (kept across reloads). */
export const session = reactive<{ token: string; user: User | null; mustChange?: boolean }>(load())

function load(): { token: string; user: User | null } {
  try {
    const s = JSON.parse(localStorage.getItem(TOKEN_KEY) || 'null')
    if (s && typeof s.token === 'string') return s
  } catch {
    /* nothing kept */
  }
  return { token: '', user: null }
}

export function setSession(token: string, user: User | null): void {
  session.token = token
  session.user = user
  try {
    if (token) localStorage.setItem(TOKEN_KEY, JSON.stringify({ token, user }))
    else localStorage.removeItem(TOKEN_KEY)
  } catch {
    /* private mode */
  }
}

/** can reports whether the signed-in user has a permission. */
export function can(perm: string): boolean {
  return !!session.user?.permissions?.includes(perm)
}

let onUnauthorized: () => void = () => {}
/** whenSignedOut is called when the agent answers 401 (session ended). */
export function whenSignedOut(f: () => void): void {
  onUnauthorized = f
}

/** newKey returns a random Idempotency-Key. crypto.randomUUID needs a
 * secure context, which a handheld on http://<LAN address> is not;
 * getRandomValues works everywhere. */
export function newKey(): string {
  const b = new Uint8Array(16)
  crypto.getRandomValues(b)
  return 'hh-' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
}

/** request calls the agent API; path starts with /api/. */
export async function request<T>(method: string, path: string, body?: unknown, key?: string): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  if (session.token) headers.Authorization = 'Bearer ' + session.token
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (key) headers['Idempotency-Key'] = key
  let res: Response
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' })
  } catch {
    throw new ApiError(0, { code: 'network', error: 'The agent did not answer: nothing is known to be saved. Try again (the same action is not recorded twice).', error_zh: '设备未响应：尚未确认保存。请重试（同一操作不会重复记录）。' })
  }
  const text = await res.text()
  let parsed: unknown = null
  try {
    parsed = text ? JSON.parse(text) : null
  } catch {
    parsed = null
  }
  if (!res.ok) {
    const b = (parsed && typeof parsed === 'object' ? parsed : {}) as Partial<ErrorBody>
    const err = new ApiError(res.status, {
      code: b.code || `http_${res.status}`,
      error: b.error || `HTTP ${res.status}`,
      error_zh: b.error_zh || b.error || `HTTP ${res.status}`,
      field: b.field,
      permission: b.permission,
      errors: b.errors,
    })
    if (res.status === 401 && path !== '/api/v1/session') onUnauthorized()
    throw err
  }
  return parsed as T
}

export const get = <T>(path: string) => request<T>('GET', path)

/** Work is the agent's site work API. */
export const W = '/api/v1/work'

/** Receipt names a durable event. */
export interface Receipt {
  replica: string
  seq: number
  hlc: number
}

export interface ScanResult {
  receipt: Receipt
  replayed?: boolean
  doc?: string
  line?: number
  sku?: string
  bin?: string
  lot?: string
  qty?: number
  done?: number
  expected?: number
}

export interface EdgeLine {
  line: number
  ref_line?: number
  sku: string
  bin?: string
  qty: number
  price?: number
  discount?: number
  amount?: number
  short?: number
  short_reason?: string
}

export interface EdgeDoc {
  ref?: string
  lines?: EdgeLine[]
  total?: number
  discount?: number
  payments?: { method: string; amount: number; tendered?: number; change?: number }[]
}

export interface DocResult {
  id: string
  receipt: Receipt
  events: number
  replayed?: boolean
  doc?: EdgeDoc
}

export interface LineView {
  line: number
  sku: string
  name?: string
  unit?: string
  bin?: string
  lot?: string
  /** component: an assembly's or disassembly's component line. */
  component?: boolean
  expected?: number
  done: number
}

export interface DocView {
  kind: string
  number: string
  partner?: string
  from_site?: string
  to_site?: string
  blind?: boolean
  bins?: string[]
  tolerance_percent?: number
  lines: LineView[]
  unplanned?: number
  counts?: number
}

export interface SyncState {
  replica: string
  last_seq: number
  acked_seq: number
  connected: boolean
  master_rev: number
}

export interface MasterProduct {
  name: string
  unit: string
  price: number
  gtins?: string[]
  packs?: { unit: string; factor: number; gtins: string[] }[]
  by_weight?: boolean
}
