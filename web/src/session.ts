// The signed-in user, shared by the whole console.
import { reactive } from 'vue'
import * as authApi from './api/auth'
import { setCSRF } from './api/http'

export const session = reactive({
  me: null as authApi.Me | null,
  /** mustChangePassword opens the forced change-password dialog. */
  mustChangePassword: false,
})

/** can reports whether the user holds perm ("product.edit"). */
export function can(perm: string): boolean {
  return !!session.me?.permissions.includes(perm)
}

/** canAny reports whether the user holds one of perms (none: true). */
export function canAny(perms: string[] | undefined): boolean {
  return !perms?.length || perms.some(can)
}

export function setMe(me: authApi.Me | null): void {
  session.me = me
  setCSRF(me?.csrf_token ?? '')
  session.mustChangePassword = !!me?.must_change_password
}

/** load asks the cloud who is signed in; false when nobody is. */
export async function load(): Promise<boolean> {
  try {
    setMe(await authApi.me())
    return true
  } catch {
    setMe(null)
    return false
  }
}

export async function signOut(): Promise<void> {
  try {
    await authApi.logout()
  } finally {
    setMe(null)
  }
}
