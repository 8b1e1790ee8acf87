// The one HTTP client of the console. It sends the session cookie (same
// origin), the CSRF token on every write, and turns the cloud API's error
// body {error, error_zh, code, field, errors[]} into an ApiError.

/** FieldError is one field problem of a refused write. */
export interface FieldError {
  field: string
  error: string
  error_zh: string
}

/** ErrorBody is the cloud API's one error shape. */
export interface ErrorBody {
  error: string
  error_zh: string
  code: string
  field?: string
  permission?: string
  site?: string
  errors?: FieldError[]
}

/** ApiError is a refused request: the HTTP status and the error body. */
export class ApiError extends Error {
  status: number
  body: ErrorBody
  constructor(status: number, body: ErrorBody) {
    super(body.error || `HTTP ${status}`)
    this.status = status
    this.body = body
  }
  get code(): string {
    return this.body.code
  }
  /** message in the console's language. */
  text(zh: boolean): string {
    return (zh ? this.body.error_zh : this.body.error) || this.body.error || this.message
  }
  /** fieldErrors maps each field (without the "body." prefix) to its problems. */
  fieldErrors(zh: boolean): Record<string, string> {
    const out: Record<string, string> = {}
    const list = this.body.errors?.length
      ? this.body.errors
      : this.body.field
        ? [{ field: this.body.field, error: this.body.error, error_zh: this.body.error_zh }]
        : []
    for (const e of list) {
      const f = e.field.replace(/^body\./, '')
      const msg = (zh ? e.error_zh : e.error) || e.error
      out[f] = out[f] ? `${out[f]}; ${msg}` : msg
    }
    return out
  }
}

let csrfToken = ''

/** setCSRF keeps the token a write must carry (from sign-in or /auth/me). */
export function setCSRF(token: string): void {
  csrfToken = token
}

type Listener = (e: ApiError) => void
const listeners: Listener[] = []

/** onApiError registers a listener called for every refused request
 * (the layout opens the change-password dialog on code password_change,
 * the router goes to sign-in on 401). */
export function onApiError(l: Listener): void {
  listeners.push(l)
}

export interface Options {
  method?: string
  query?: Record<string, string | number | boolean | undefined | null>
  body?: unknown
  /** raw is sent as it is (a file to import). */
  raw?: Blob | ArrayBuffer
  headers?: Record<string, string>
  /** quiet: do not tell the listeners (sign-in handles its own errors). */
  quiet?: boolean
}

/** Reply is a successful answer: the decoded body and the ETag header. */
export interface Reply<T> {
  data: T
  etag: string
  status: number
}

/** url builds a path with a query string, leaving out empty values. */
export function url(path: string, query?: Options['query']): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined || v === null || v === '') continue
    q.set(k, String(v))
  }
  const s = q.toString()
  return s ? `${path}?${s}` : path
}

/** request calls the cloud API at /api/v1 + path. */
export async function request<T>(path: string, opts: Options = {}): Promise<Reply<T>> {
  const method = opts.method ?? 'GET'
  const headers: Record<string, string> = { Accept: 'application/json', ...(opts.headers ?? {}) }
  let body: BodyInit | undefined
  if (opts.raw !== undefined) {
    body = opts.raw
    headers['Content-Type'] ??= 'application/octet-stream'
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body)
    headers['Content-Type'] = 'application/json'
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken
  let res: Response
  try {
    res = await fetch(url('/api/v1' + path, opts.query), { method, headers, body, credentials: 'same-origin' })
  } catch (e) {
    const err = new ApiError(0, { error: `network error: ${String(e)}`, error_zh: '网络错误，无法连接服务器', code: 'network' })
    if (!opts.quiet) listeners.forEach((l) => l(err))
    throw err
  }
  const text = await res.text()
  let data: unknown = undefined
  if (text) {
    try {
      data = JSON.parse(text)
    } catch {
      data = text
    }
  }
  if (!res.ok) {
    const b = (data && typeof data === 'object' ? data : {}) as Partial<ErrorBody>
    const err = new ApiError(res.status, {
      error: b.error ?? `HTTP ${res.status}`,
      error_zh: b.error_zh ?? `请求失败（HTTP ${res.status}）`,
      code: b.code ?? String(res.status),
      field: b.field,
      permission: b.permission,
      site: b.site,
      errors: b.errors,
    })
    if (!opts.quiet) listeners.forEach((l) => l(err))
    throw err
  }
  return { data: data as T, etag: res.headers.get('ETag') ?? '', status: res.status }
}

/** get returns the body of GET path. */
export async function get<T>(path: string, query?: Options['query']): Promise<T> {
  return (await request<T>(path, { query })).data
}

/** listOf takes the list out of an answer that is the list itself or an
 * object holding it under one of keys. */
export function listOf<T>(data: unknown, ...keys: string[]): T[] {
  if (Array.isArray(data)) return data as T[]
  if (data && typeof data === 'object') {
    for (const k of [...keys, 'items']) {
      const v = (data as Record<string, unknown>)[k]
      if (Array.isArray(v)) return v as T[]
    }
  }
  return []
}
