// One resident: the record with household members and history (GET is audited as a view), and
// unmasking: POST /api/v1/residents/{id}/unmask with the purpose the user gave, which answers the
// resident in full for 30 minutes (audited as pii.unmask).
import { ref, shallowRef } from 'vue'
import { http } from '@/api/request'
import type { Resident } from '@/api/types'

export interface HistoryEntry {
  actor: string
  at: number
  op: string
  source: string
  version: number
  fields: string[]
  changes: Record<string, { old: unknown; new: unknown }>
}

export type UnmaskedResident = Resident & { unmask_expires_at?: number }

export function useResidentDetail(id: string) {
  const resident = shallowRef<UnmaskedResident | null>(null)
  const loading = ref(false)

  async function load() {
    loading.value = true
    try {
      resident.value = await http.get<UnmaskedResident>(`/api/v1/residents/${id}`)
    } finally {
      loading.value = false
    }
  }

  async function unmask(purpose: string) {
    const answer = await http.post<UnmaskedResident>(`/api/v1/residents/${id}/unmask`, { purpose: purpose.trim() })
    resident.value = { ...resident.value, ...answer }
  }

  const history = () => ([...((resident.value?.history ?? []) as unknown as HistoryEntry[])]).sort((a, b) => b.version - a.version)
  return { resident, loading, load, unmask, history }
}
