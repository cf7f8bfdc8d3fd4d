// Permission strings `domain:resource:action`, the same as the server's catalogue. `can` answers
// for the signed-in user; `v-perm="'registry:resident:edit'"` (or an array: any of them) hides an
// element the user may not use. The server still checks every request; this only keeps the page
// honest about what will work.
import type { Directive } from 'vue'
import { session } from './session'

export type PermissionNeed = string | string[] | undefined

export function hasPermission(granted: readonly string[], need: PermissionNeed): boolean {
  if (need === undefined) return true
  const wanted = Array.isArray(need) ? need : [need]
  if (wanted.length === 0) return true
  return wanted.some((p) => granted.includes(p))
}

export function can(need: PermissionNeed): boolean {
  return hasPermission(session.me?.permissions ?? [], need)
}

function apply(el: HTMLElement, need: PermissionNeed): void {
  if (can(need)) {
    if (el.dataset.permHidden) {
      el.style.display = el.dataset.permDisplay ?? ''
      delete el.dataset.permHidden
    }
  } else if (!el.dataset.permHidden) {
    el.dataset.permDisplay = el.style.display
    el.dataset.permHidden = '1'
    el.style.display = 'none'
  }
}

export const vPerm: Directive<HTMLElement, PermissionNeed> = {
  mounted: (el, binding) => apply(el, binding.value),
  updated: (el, binding) => apply(el, binding.value),
}
