import { get, request } from './http'

/** Scope is the sites a user may see: all, or the listed ones. */
export interface Scope {
  all: boolean
  sites?: string[]
}

/** Me is the signed-in user (GET /auth/me, and the answer of sign-in). */
export interface Me {
  tenant: string
  user: string
  user_id: number
  permissions: string[]
  sites: Scope
  csrf_token?: string
  must_change_password: boolean
}

export function login(tenant: string, username: string, password: string): Promise<Me> {
  const body: Record<string, string> = { username, password }
  if (tenant) body.tenant = tenant
  return request<Me>('/auth/login', { method: 'POST', body, quiet: true }).then((r) => r.data)
}

export function me(): Promise<Me> {
  return request<Me>('/auth/me', { quiet: true }).then((r) => r.data)
}

export function logout(): Promise<unknown> {
  return request('/auth/logout', { method: 'POST', quiet: true })
}

export function changePassword(oldPassword: string, newPassword: string): Promise<unknown> {
  return request('/auth/password', {
    method: 'POST',
    body: { old_password: oldPassword, new_password: newPassword },
    quiet: true,
  })
}

export { get }
