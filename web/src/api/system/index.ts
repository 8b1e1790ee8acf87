// Users, roles, the permission catalogue, the audit log and sign-in
// lockouts (cloud/auth shapes: User, Role, PermissionInfo, Audit, Lockout).
import { get, listOf, request, url } from '../http'
import type { Scope } from '../auth'

export interface User {
  id: number
  name: string
  display_name: string
  must_change_password: boolean
  disabled: boolean
  roles: string[]
  scope: Scope
  created: string
  updated: string
}

export interface NewUser {
  name: string
  display_name: string
  password?: string
  roles: string[]
  scope: Scope
}

export interface UserChange {
  display_name?: string
  roles?: string[]
  scope?: Scope
  disabled?: boolean
}

export interface Role {
  name: string
  title: string
  title_zh: string
  permissions: string[]
  builtin: boolean
  /** max_discount_percent: the largest discount its holders may give at the till (0–100). */
  max_discount_percent?: number
}

export interface PermissionInfo {
  name: string
  desc: string
  desc_zh: string
}

export interface Audit {
  id: number
  user_id: number
  user: string
  token_id?: number
  addr: string
  action: string
  record_type: string
  record_id: string
  before?: unknown
  after?: unknown
  at: string
}

export interface AuditQuery {
  user_id?: number
  record_type?: string
  record_id?: string
  from?: string
  to?: string
  before_id?: number
  limit?: number
}

export interface Lockout {
  id: number
  kind: 'user' | 'addr'
  key: string
  addr: string
  failures: number
  at: string
  until: string
  cleared?: string
  cleared_by?: string
}

export async function users(): Promise<User[]> {
  return listOf<User>(await get('/users'), 'users')
}

/** createUser returns the user and, when no password was given, the
 * generated one (shown once). */
export async function createUser(nu: NewUser): Promise<{ user: User; password: string }> {
  const r = await request<Record<string, unknown>>('/users', { method: 'POST', body: nu })
  const d = r.data ?? {}
  const user = (d.user ?? d) as User
  const password = String(d.password ?? d.generated_password ?? '')
  return { user, password }
}

export async function updateUser(id: number, ch: UserChange): Promise<User> {
  const r = await request<Record<string, unknown>>(`/users/${id}`, { method: 'PUT', body: ch })
  return (r.data?.user ?? r.data) as User
}

export async function roles(): Promise<Role[]> {
  return listOf<Role>(await get('/roles'), 'roles')
}

export async function createRole(r: Role): Promise<Role> {
  const { name, title, title_zh, permissions, max_discount_percent } = r
  return (await request<Role>('/roles', { method: 'POST', body: { name, title, title_zh, permissions, max_discount_percent: max_discount_percent ?? 0 } })).data
}

export async function updateRole(r: Role): Promise<Role> {
  const { name, title, title_zh, permissions, max_discount_percent } = r
  return (await request<Role>(`/roles/${encodeURIComponent(name)}`, { method: 'PUT', body: { title, title_zh, permissions, max_discount_percent: max_discount_percent ?? 0 } })).data
}

export async function permissions(): Promise<PermissionInfo[]> {
  return listOf<PermissionInfo>(await get('/permissions'), 'permissions')
}

/** auditParams names the filter as GET /audit takes it (user, not user_id). */
function auditParams(q: AuditQuery): Record<string, string | number | undefined> {
  const { user_id, ...rest } = q
  return { ...rest, user: user_id }
}

export async function audit(q: AuditQuery): Promise<Audit[]> {
  return listOf<Audit>(await get('/audit', auditParams(q)), 'items', 'entries')
}

export function auditExportURL(q: AuditQuery): string {
  return url('/api/v1/audit/export', auditParams(q))
}

export async function lockouts(): Promise<Lockout[]> {
  return listOf<Lockout>(await get('/lockouts'), 'lockouts')
}

export async function clearLockout(id: number): Promise<unknown> {
  return request(`/lockouts/${id}`, { method: 'DELETE' })
}
