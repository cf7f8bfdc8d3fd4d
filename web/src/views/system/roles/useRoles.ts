// Roles and permissions: the catalogue (GET /api/v1/system/permissions), each role's strings,
// replacing them (If-Match), creating and deleting roles. The server refuses what the admin does
// not hold (role.escalation); its message is shown by the HTTP client.
import { ref, shallowRef } from 'vue'
import { http } from '@/api/request'
import type { Items } from '@/api/types'
import type { RoleRow } from '../users/useUsers'

export interface PermissionItem {
  code: string
  name: string
  name_en: string
}

/** Permissions grouped by their domain (the part before the first colon). */
export function byDomain(items: PermissionItem[]): Array<{ domain: string; items: PermissionItem[] }> {
  const groups = new Map<string, PermissionItem[]>()
  for (const item of items) {
    const domain = item.code.split(':')[0] ?? item.code
    groups.set(domain, [...(groups.get(domain) ?? []), item])
  }
  return [...groups.entries()].map(([domain, list]) => ({ domain, items: list }))
}

export function useRoles() {
  const roles = shallowRef<RoleRow[]>([])
  const catalogue = shallowRef<PermissionItem[]>([])
  const loading = ref(false)
  async function load() {
    loading.value = true
    try {
      const [r, p] = await Promise.all([http.get<Items<RoleRow>>('/api/v1/system/roles'), http.get<Items<PermissionItem>>('/api/v1/system/permissions')])
      roles.value = r.items
      catalogue.value = p.items
    } finally {
      loading.value = false
    }
  }
  async function save(role: RoleRow, permissions: string[]) {
    await http.patch(`/api/v1/system/roles/${encodeURIComponent(role.code)}`, { permissions }, { ifMatch: role.version })
    await load()
  }
  async function create(code: string, name: string, permissions: string[]) {
    await http.post('/api/v1/system/roles', { code: code.trim(), name: name.trim(), permissions })
    await load()
  }
  async function remove(role: RoleRow) {
    await http.delete(`/api/v1/system/roles/${encodeURIComponent(role.code)}`)
    await load()
  }
  return { roles, catalogue, loading, load, save, create, remove }
}
