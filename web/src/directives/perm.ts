// v-perm="'product.edit'" (or a list, any of which will do) removes the
// element when the user lacks the permission.
import type { Directive } from 'vue'
import { canAny } from '../session'

export const perm: Directive<HTMLElement, string | string[]> = {
  mounted(el, binding) {
    const perms = Array.isArray(binding.value) ? binding.value : [binding.value]
    if (!canAny(perms)) el.remove()
  },
}
