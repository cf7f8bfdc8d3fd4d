// Users: the list, creating one (must change the password at first sign-in), enabling and
// disabling, resetting a password, and changing roles and units with If-Match on the version.
import { ref, shallowRef } from 'vue'
import { http } from '@/api/request'
import type { Items, Unit } from '@/api/types'

export interface UserRow {
  id: string
  login: string
  display_name: string
  disabled: boolean
  must_change_password: boolean
  last_login_at: number | null
  roles: string[]
  units: Array<{ unit_id: string; scope: 'capture' | 'view' | 'search' }>
  version: number
}
export interface RoleRow {
  code: string
  name: string
  builtin: boolean
  permissions: string[]
  version: number
}

export function useUsers() {
  const users = shallowRef<UserRow[]>([])
  const roles = shallowRef<RoleRow[]>([])
  const unitNames = ref<Record<string, string>>({})
  const loading = ref(false)

  async function load() {
    loading.value = true
    try {
      const [u, r] = await Promise.all([http.get<Items<UserRow>>('/api/v1/system/users'), http.get<Items<RoleRow>>('/api/v1/system/roles').catch(() => ({ items: [] as RoleRow[] }))])
      users.value = u.items
      roles.value = r.items
      const missing = [...new Set(u.items.flatMap((x) => x.units.map((k) => k.unit_id)))].filter((id) => !(id in unitNames.value))
      const found = await Promise.all(missing.map((id) => http.get<Unit>(`/api/v1/org/units/${id}`, undefined, { quiet: true }).catch(() => null)))
      const names = { ...unitNames.value }
      missing.forEach((id, i) => (names[id] = found[i]?.name ?? id))
      unitNames.value = names
    } finally {
      loading.value = false
    }
  }
  async function create(body: { login: string; display_name: string; password: string; roles: string[]; unit_id: string | null; scope: string }) {
    await http.post('/api/v1/system/users', {
      login: body.login.trim(), display_name: body.display_name.trim(), password: body.password, roles: body.roles,
      units: body.unit_id ? { [body.unit_id]: body.scope } : {},
    })
    await load()
  }
  async function setDisabled(user: UserRow, disabled: boolean) {
    await http.patch(`/api/v1/system/users/${user.id}`, { disabled })
    await load()
  }
  async function setRoles(user: UserRow, next: string[]) {
    await http.patch(`/api/v1/system/users/${user.id}`, { roles: next }, { ifMatch: user.version })
    await load()
  }
  async function resetPassword(user: UserRow, password: string) {
    await http.post(`/api/v1/system/users/${user.id}/password`, { password })
  }
  const roleName = (code: string) => roles.value.find((r) => r.code === code)?.name ?? code
  return { users, roles, unitNames, loading, load, create, setDisabled, setRoles, resetPassword, roleName }
}
